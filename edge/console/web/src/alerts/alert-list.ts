import type { Alert, AlertEvent, AlertPriority, AlertState, Flood } from '../api-types.js';

const PRIORITY_ORDER: readonly AlertPriority[] = ['urgent', 'high', 'medium', 'low'];
/** Shown in the alert list, with colour; shelved and out-of-service ones are listed under "Suppressed". */
export const ANNUNCIATED: readonly AlertState[] = ['active-unacked', 'active-acked', 'rtn-unacked'];
export const SUPPRESSED: readonly AlertState[] = ['shelved', 'out-of-service'];

export interface AlertSnapshot {
  readonly alerts: readonly Alert[];
  readonly latestEventId: number;
  readonly flood: Flood;
}

/** What applying an event did: `gap` means ids were skipped and the caller should resume from `lastEventId`. */
export type ApplyOutcome = 'applied' | 'duplicate' | 'gap';

/**
 * The open alerts as the server announces them: a snapshot, then events applied in id order
 * (PROTOCOL.md, "Alerts, resume with none missed"). Knows the id to resume from after a reconnect.
 */
export class AlertList {
  private readonly open = new Map<number, Alert>();
  private floodState: Flood = { active: false, since: null, annunciationsInWindow: 0 };
  private lastId: number | null = null;
  private floodWindow: number | null = null;

  /** The id to resume after; null before the first snapshot. */
  get lastEventId(): number | null {
    return this.lastId;
  }

  get flood(): Flood {
    return this.floodState;
  }

  /** The flood window in seconds, once a flood event told it (snapshots do not). */
  get floodWindowSeconds(): number | null {
    return this.floodWindow;
  }

  replace(snapshot: AlertSnapshot): void {
    this.open.clear();
    for (const alert of snapshot.alerts) if (alert.state !== 'normal') this.open.set(alert.id, alert);
    this.floodState = snapshot.flood;
    this.lastId = snapshot.latestEventId;
  }

  apply(event: AlertEvent): ApplyOutcome {
    if (this.lastId !== null && event.id <= this.lastId) return 'duplicate';
    if (this.lastId !== null && event.id !== this.lastId + 1) return 'gap';
    this.lastId = event.id;
    if (event.type === 'flood-started' || event.type === 'flood-ended') {
      this.floodState = floodFromEvent(event);
      const windowSeconds = (event.details as { windowSeconds?: unknown } | null)?.windowSeconds;
      if (typeof windowSeconds === 'number') this.floodWindow = windowSeconds;
      return 'applied';
    }
    const alert = event.alert;
    if (alert === null) return 'applied';
    if (alert.state === 'normal') this.open.delete(alert.id);
    else this.open.set(alert.id, alert);
    return 'applied';
  }

  get(id: number): Alert | undefined {
    return this.open.get(id);
  }

  /** Most urgent first, then most recently activated (the server's order). */
  list(states: readonly AlertState[], asset?: string): Alert[] {
    return [...this.open.values()].filter((alert) => states.includes(alert.state) && (asset === undefined || alert.asset === asset)).sort(compareAlerts);
  }

  count(states: readonly AlertState[], asset?: string): number {
    let count = 0;
    for (const alert of this.open.values()) if (states.includes(alert.state) && (asset === undefined || alert.asset === asset)) count += 1;
    return count;
  }

  /** The most urgent priority among an asset's annunciated alerts. */
  highestPriority(asset: string): AlertPriority | null {
    const first = this.list(ANNUNCIATED, asset)[0];
    return first?.priority ?? null;
  }
}

function compareAlerts(a: Alert, b: Alert): number {
  return PRIORITY_ORDER.indexOf(a.priority) - PRIORITY_ORDER.indexOf(b.priority) || b.lastActivatedAt - a.lastActivatedAt || b.id - a.id;
}

function floodFromEvent(event: AlertEvent): Flood {
  const details = (event.details ?? {}) as Partial<Flood>;
  const active = event.type === 'flood-started';
  return {
    active,
    since: active ? (typeof details.since === 'number' ? details.since : event.ts) : null,
    annunciationsInWindow: typeof details.annunciationsInWindow === 'number' ? details.annunciationsInWindow : 0,
  };
}
