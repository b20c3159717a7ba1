import { randomUUID } from 'node:crypto';
import type { AlertEngine } from '../../alerts/alert-engine.js';
import type { ActionDecision, ActionOutcome, ActionProposal } from '../../console/assistant-port.js';
import { roleAtLeast, type Role } from '../../console/roles.js';
import type { AuditLog } from '../../store/audit-log.js';
import type { NewWorkOrder, WorkOrderStore } from '../../store/work-orders.js';
import { stripHiddenCharacters } from '../providers/data-channel.js';

export type ActionKind = ActionProposal['kind'];

export type ProposedAction =
  | { readonly kind: 'acknowledge-alert'; readonly summary: string; readonly arguments: { readonly alertId: number; readonly comment: string | null } }
  | { readonly kind: 'draft-work-order'; readonly summary: string; readonly arguments: Omit<NewWorkOrder, 'createdBy'> };

/** The least role that may confirm each action (the console's roles, lowest first: viewer, operator, maintenance, admin). */
export const ACTION_ROLES: Readonly<Record<ActionKind, Role>> = { 'acknowledge-alert': 'operator', 'draft-work-order': 'maintenance' };

export const DEFAULT_PROPOSAL_TTL_MS = 10 * 60_000;
const MAX_PENDING = 1000;

interface Pending {
  readonly proposal: ActionProposal;
  readonly action: ProposedAction;
  readonly user: string;
  readonly expiresAt: number;
}

export interface ActionBookOptions {
  readonly alerts: AlertEngine;
  readonly workOrders: WorkOrderStore;
  readonly audit: AuditLog;
  readonly ttlMs?: number;
  readonly now?: () => number;
}

/**
 * Actions with effects wait here as proposals until the person they were proposed to decides. Only that
 * user, with a role allowed to do it, before expiry, and only once, makes one run. Every proposal and
 * decision is in the audit log.
 */
export class ActionBook {
  private readonly pending = new Map<string, Pending>();
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(private readonly options: ActionBookOptions) {
    this.ttlMs = options.ttlMs ?? DEFAULT_PROPOSAL_TTL_MS;
    this.now = options.now ?? (() => Date.now());
  }

  propose(user: string, action: ProposedAction): ActionProposal {
    this.dropExpired();
    if (this.pending.size >= MAX_PENDING) this.pending.delete(this.pending.keys().next().value as string);
    const expiresAt = this.now() + this.ttlMs;
    const proposal: ActionProposal = {
      actionId: randomUUID(),
      kind: action.kind,
      summary: stripHiddenCharacters(action.summary),
      arguments: action.arguments,
      expiresAt: new Date(expiresAt).toISOString(),
    };
    this.pending.set(proposal.actionId, { proposal, action, user, expiresAt });
    this.options.audit.record({ user, action: `assistant.propose.${action.kind}`, target: `action/${proposal.actionId}`, outcome: 'ok', detail: proposal.summary });
    return proposal;
  }

  /** How many proposals wait for a decision (for tests and metrics). */
  get pendingCount(): number {
    this.dropExpired();
    return this.pending.size;
  }

  async decide(decision: ActionDecision): Promise<ActionOutcome> {
    const { actionId, user } = decision;
    const pending = this.pending.get(actionId);
    const refuse = (message: string): ActionOutcome => {
      this.options.audit.record({ user, action: 'assistant.decide', target: `action/${actionId}`, outcome: 'denied', detail: message });
      return { actionId, status: 'refused', message };
    };
    if (!pending) return refuse(`there is no pending action ${actionId}: it was already decided, it expired, or it never existed`);
    if (pending.user !== user) return refuse(`action ${actionId} was proposed to ${pending.user}; only they can decide it`);
    if (this.now() > pending.expiresAt) {
      this.pending.delete(actionId);
      return refuse(`action ${actionId} expired at ${pending.proposal.expiresAt}; ask the assistant again for a fresh proposal`);
    }
    const needed = ACTION_ROLES[pending.action.kind];
    if (!roleAtLeast(decision.role, needed)) return refuse(`your role (${decision.role}) cannot ${pending.action.kind === 'acknowledge-alert' ? 'acknowledge alerts' : 'draft work orders'}: ${needed} or above can`);
    this.pending.delete(actionId);
    if (!decision.approve) {
      this.options.audit.record({ user, action: `assistant.decline.${pending.action.kind}`, target: `action/${actionId}`, outcome: 'ok', detail: pending.proposal.summary });
      return { actionId, status: 'declined', message: `declined: ${pending.proposal.summary}` };
    }
    try {
      return { actionId, ...this.run(pending.action, user) };
    } catch (error) {
      const message = (error as Error).message;
      this.options.audit.record({ user, action: `assistant.run.${pending.action.kind}`, target: `action/${actionId}`, outcome: 'failed', detail: message });
      return { actionId, status: 'failed', message: `${pending.proposal.summary}: ${message}` };
    }
  }

  private run(action: ProposedAction, user: string): Omit<ActionOutcome, 'actionId'> {
    if (action.kind === 'acknowledge-alert') {
      // the alert engine records the acknowledgement (done or refused) in the audit log itself
      const { alert } = this.options.alerts.acknowledge(action.arguments.alertId, { user, ...(action.arguments.comment ? { comment: action.arguments.comment } : {}) });
      return { status: 'done', message: `alert ${alert.id} acknowledged; it is now ${alert.state}`, result: { alertId: alert.id, state: alert.state } };
    }
    const order = this.options.workOrders.create({ ...action.arguments, createdBy: user });
    this.options.audit.record({ user, action: 'workorder.draft', target: `workorder/${order.id}`, outcome: 'ok', detail: `${order.asset}: ${order.title}` });
    return { status: 'done', message: `work order ${order.id} drafted for ${order.asset}: ${order.title}`, result: order };
  }

  private dropExpired(): void {
    const now = this.now();
    for (const [id, pending] of this.pending) if (now > pending.expiresAt) this.pending.delete(id);
  }
}
