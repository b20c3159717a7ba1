import type { Logger } from '../../../gateway/logger.js';
import type { AlertEngine } from '../../alerts/alert-engine.js';
import { ANNUNCIATED_STATES, type Alert, type AlertEvent } from '../../alerts/alert.js';
import { PRIORITY_RANK, type AlertPriority } from '../../alerts/condition-report.js';
import type { Escalation } from '../../console/assistant-port.js';
import type { ChatCard } from '../../console/ws-messages.js';
import type { ConversationStore, StoredEscalation } from '../conversation/conversation-store.js';

export interface EscalationServiceOptions {
  readonly alerts: AlertEngine;
  readonly store: ConversationStore;
  readonly enabled: boolean;
  /** This priority and more urgent ones are explained unasked. */
  readonly priority: AlertPriority;
  /** Writes the explanation (with a language model, or the offline template). */
  readonly explain: (alert: Alert) => Promise<{ readonly text: string; readonly cards: readonly ChatCard[] }>;
  readonly logger: Logger;
  readonly now?: () => number;
}

const TRIGGERS: ReadonlySet<AlertEvent['type']> = new Set(['activated', 'reactivated', 'priority-changed']);

export function escalationConversationId(alertId: number): string {
  return `alert:${alertId}`;
}

/** The alert id of an escalation thread's conversation id, or null. */
export function alertOfConversation(conversationId: string): number | null {
  const match = /^alert:([1-9]\d{0,11})$/.exec(conversationId);
  return match ? Number(match[1]) : null;
}

/**
 * Explains alerts unasked: when an alert is activated at (or raised to) the configured priority or a more
 * urgent one, its explanation is written once, stored, and handed to the listeners. Explanations are
 * written one at a time, in the order the alerts came.
 */
export class EscalationService {
  private readonly listeners = new Set<(escalation: Escalation) => void>();
  private readonly explained = new Set<number>();
  private queue: Promise<unknown> = Promise.resolve();
  private unsubscribe: () => void = () => {};
  private readonly now: () => number;

  constructor(private readonly options: EscalationServiceOptions) {
    this.now = options.now ?? (() => Date.now());
  }

  /** Also explains the open alerts raised before it started (while the manuals were indexed, or before a restart) that have no explanation yet. */
  start(): void {
    if (!this.options.enabled) return;
    this.unsubscribe = this.options.alerts.subscribe((event) => {
      if (event.alert && TRIGGERS.has(event.type)) this.consider(event.alert);
    });
    for (const alert of this.options.alerts.list({ states: ANNUNCIATED_STATES })) this.consider(alert);
  }

  private consider(alert: Alert): void {
    if (PRIORITY_RANK[alert.priority] > PRIORITY_RANK[this.options.priority] || this.explained.has(alert.id)) return;
    this.explained.add(alert.id);
    this.enqueue(() => this.escalate(alert.id, true));
  }

  stop(): void {
    this.unsubscribe();
  }

  /** Resolves once every explanation asked for so far is written. */
  async idle(): Promise<void> {
    for (let seen: Promise<unknown> | null = null; seen !== this.queue; ) {
      seen = this.queue;
      await seen;
    }
  }

  onEscalation(listener: (escalation: Escalation) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  recent(limit: number): Escalation[] {
    return this.options.store.recentEscalations(Math.max(0, Math.min(limit, 200))).map(toEscalation);
  }

  /**
   * The explanation of an alert, written now when there is none yet (a person opening the thread of an
   * alert below the escalation priority); null for an unknown alert. Not announced to the listeners.
   */
  async forAlert(alertId: number): Promise<Escalation | null> {
    const stored = this.options.store.escalation(alertId);
    if (stored) return toEscalation(stored);
    return this.enqueue(() => this.escalate(alertId, false));
  }

  private enqueue<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async escalate(alertId: number, announce: boolean): Promise<Escalation | null> {
    const known = this.options.store.escalation(alertId);
    if (known) return toEscalation(known);
    const found = this.options.alerts.get(alertId);
    if (!found) return null;
    try {
      const { text, cards } = await this.options.explain(found.alert);
      const stored: StoredEscalation = { alertId, createdAt: this.now(), text, cards };
      this.options.store.saveEscalation(stored);
      const escalation = toEscalation(stored);
      if (announce) {
        for (const listener of this.listeners) {
          try {
            listener(escalation);
          } catch (error) {
            this.options.logger.error({ err: error }, 'an escalation listener failed');
          }
        }
      }
      return escalation;
    } catch (error) {
      this.options.logger.error({ err: error, alertId }, `assistant: the explanation of alert ${alertId} could not be written: ${(error as Error).message}`);
      return null;
    }
  }
}

function toEscalation(stored: StoredEscalation): Escalation {
  return { alertId: stored.alertId, conversationId: escalationConversationId(stored.alertId), createdAt: new Date(stored.createdAt).toISOString(), text: stored.text, cards: stored.cards };
}
