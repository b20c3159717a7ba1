import type { Alert } from '../../edge/alerts/alert.js';
import type { AlertEngine } from '../../edge/alerts/alert-engine.js';

/** Resolves with the alert once the condition's alert goes active, or rejects after `timeoutMs` naming the condition. */
export function nextAlert(alerts: Pick<AlertEngine, 'subscribe'>, conditionId: string, timeoutMs = 30_000): Promise<Alert> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for an alert on ${conditionId}`));
    }, timeoutMs);
    const unsubscribe = alerts.subscribe((event) => {
      if (event.type !== 'activated' || event.alert?.conditionId !== conditionId) return;
      clearTimeout(timer);
      unsubscribe();
      resolve(event.alert);
    });
  });
}
