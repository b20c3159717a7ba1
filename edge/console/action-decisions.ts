import type { Logger } from '../../gateway/logger.js';
import type { AuditLog, AuditOutcome } from '../store/audit-log.js';
import { NO_ASSISTANT_MESSAGE, type ActionOutcome } from './assistant-port.js';
import type { AssistantSlot } from './assistant-slot.js';
import { roleAtLeast, type Role } from './roles.js';
import type { ChatCard } from './ws-messages.js';

/** Deciding on an action the assistant proposed needs this role: the same as acknowledging an alert. */
export const DECIDE_ROLE: Role = 'operator';
const REMEMBERED_PROPOSALS = 1000;

const AUDIT_OUTCOMES: Record<ActionOutcome['status'], AuditOutcome> = { done: 'ok', declined: 'ok', refused: 'rejected', failed: 'failed' };

/**
 * A person's decision on an action the assistant proposed (a chat card of kind `action`), checked
 * here before the assistant sees it — the role, and whether the proposal went to this user — and
 * recorded in the audit log either way. The assistant checks ownership and expiry again itself.
 */
export class ActionDecisions {
  /** actionId → the user the proposal was streamed to (the newest ones; older ones are left to the assistant). */
  private readonly owners = new Map<string, string>();

  constructor(
    private readonly slot: AssistantSlot,
    private readonly audit: AuditLog,
    private readonly logger: Logger,
  ) {}

  /** Remembers who an action card went to. */
  noteCard(user: string, card: ChatCard): void {
    const actionId = actionIdOf(card);
    if (actionId === undefined) return;
    this.owners.delete(actionId);
    this.owners.set(actionId, user);
    if (this.owners.size > REMEMBERED_PROPOSALS) this.owners.delete(this.owners.keys().next().value!);
  }

  async decide(user: { readonly name: string; readonly role: Role }, actionId: string, approve: boolean): Promise<ActionOutcome> {
    const denial = this.denial(user, actionId);
    const outcome: ActionOutcome = denial === undefined ? await this.ask(user, actionId, approve) : { actionId, status: 'refused', message: denial };
    if (outcome.status === 'done' || outcome.status === 'declined') this.owners.delete(actionId);
    this.audit.record({
      user: user.name,
      action: approve ? 'assistant.action.approve' : 'assistant.action.decline',
      target: `action/${actionId}`,
      outcome: denial === undefined ? AUDIT_OUTCOMES[outcome.status] : 'denied',
      detail: `${outcome.status}: ${outcome.message}`,
    });
    return outcome;
  }

  /** Why this user may not decide this action, when the console can tell. */
  private denial(user: { readonly name: string; readonly role: Role }, actionId: string): string | undefined {
    if (!roleAtLeast(user.role, DECIDE_ROLE)) return `deciding on the assistant's actions needs the role ${DECIDE_ROLE} or above; ${user.name} is ${user.role}`;
    const owner = this.owners.get(actionId);
    if (owner !== undefined && owner !== user.name) return `action ${actionId} was proposed to ${owner}; only they can decide it`;
    return undefined;
  }

  private async ask(user: { readonly name: string; readonly role: Role }, actionId: string, approve: boolean): Promise<ActionOutcome> {
    const assistant = this.slot.current;
    if (assistant === null) return { actionId, status: 'refused', message: NO_ASSISTANT_MESSAGE };
    try {
      return await assistant.decide({ user: user.name, role: user.role, actionId, approve });
    } catch (error) {
      this.logger.warn({ err: error, user: user.name, actionId }, 'the assistant failed on a decision');
      return { actionId, status: 'failed', message: `the assistant failed: ${error instanceof Error ? error.message : String(error)}` };
    }
  }
}

function actionIdOf(card: ChatCard): string | undefined {
  if (card.kind !== 'action' || card.data === null || typeof card.data !== 'object') return undefined;
  const actionId = (card.data as { actionId?: unknown }).actionId;
  return typeof actionId === 'string' ? actionId : undefined;
}
