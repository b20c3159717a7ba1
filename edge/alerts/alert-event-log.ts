import type { Logger } from '../../gateway/logger.js';
import type { AlertEngine } from './alert-engine.js';
import { SYSTEM_USER } from './alert.js';

/** Writes every alert event to the log: an alert going active at warn level, everything else at info. */
export function logAlertEvents(engine: AlertEngine, logger: Logger): () => void {
  return engine.subscribe((event) => {
    const alert = event.alert;
    if (!alert) {
      logger.warn({ alertEvent: event.id, type: event.type, details: event.details }, `alarm ${event.type.replace('-', ' ')}`);
      return;
    }
    const by = event.who === SYSTEM_USER ? '' : ` by ${event.who}`;
    const text = `alert ${alert.id} ${event.type}${by} [${alert.priority}] ${alert.asset}: ${alert.message} (${event.fromState ?? 'new'} → ${event.toState})`;
    const fields = { alertEvent: event.id, alertId: alert.id, conditionId: alert.conditionId, state: event.toState };
    if (event.type === 'activated' || event.type === 'reactivated') logger.warn(fields, text);
    else logger.info(fields, text);
  });
}
