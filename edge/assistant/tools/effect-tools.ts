import { Type } from 'typebox';
import { literalUnion } from '../../console/literal-union.js';
import { roleAtLeast } from '../../console/roles.js';
import { WORK_ORDER_PRIORITIES } from '../../store/work-orders.js';
import { ACTION_ROLES } from '../actions/action-book.js';
import { defineTool, requireAsset, ToolInputError, type ToolContext } from './assistant-tool.js';

function requireRole(context: ToolContext, kind: keyof typeof ACTION_ROLES, what: string): void {
  const needed = ACTION_ROLES[kind];
  if (!roleAtLeast(context.role, needed)) throw new ToolInputError(`${context.user} (role ${context.role}) cannot ${what}; ${needed} or above can. Tell the person instead.`);
}

const PROPOSAL_NOTE = 'Nothing has happened yet: the person sees this exact action in the console and confirms or declines it. Tell them it awaits their confirmation.';

export const acknowledgeAlertTool = defineTool({
  name: 'acknowledge_alert',
  description:
    'Proposes to acknowledge an alert on behalf of the person asking. It does not acknowledge anything itself: the person confirms the exact action in the console. Propose it only when the person asked for it.',
  parameters: Type.Object(
    {
      alertId: Type.Integer({ minimum: 1, description: 'the alert id' }),
      comment: Type.Optional(Type.String({ maxLength: 500, description: 'a comment stored with the acknowledgement' })),
    },
    { additionalProperties: false },
  ),
  effect: 'proposal',
  target: (args) => `alert/${args.alertId}`,
  run(args, context) {
    requireRole(context, 'acknowledge-alert', 'acknowledge alerts');
    const found = context.plant.alerts.get(args.alertId);
    if (!found) throw new ToolInputError(`no alert ${args.alertId}`);
    const { alert } = found;
    if (alert.state === 'normal' || alert.state === 'active-acked') throw new ToolInputError(`alert ${alert.id} is ${alert.state}: there is nothing to acknowledge`);
    const comment = args.comment?.trim() || null;
    const proposal = context.propose({
      kind: 'acknowledge-alert',
      summary: `Acknowledge alert ${alert.id} (${alert.asset}: ${alert.message})${comment ? ` with comment "${comment}"` : ''}`,
      arguments: { alertId: alert.id, comment },
    });
    return { proposed: proposal.summary, actionId: proposal.actionId, expiresAt: proposal.expiresAt, note: PROPOSAL_NOTE };
  },
});

export const draftWorkOrderTool = defineTool({
  name: 'draft_work_order',
  description:
    'Proposes a draft work order for maintenance (stored on the box, exportable). It writes nothing itself: the person confirms the exact work order in the console. Cite the manual procedures it follows in `references` (section ids such as P-PUMP-03).',
  parameters: Type.Object(
    {
      asset: Type.String({ description: 'asset id, e.g. "pump-01"' }),
      title: Type.String({ minLength: 3, maxLength: 120 }),
      description: Type.String({ minLength: 3, maxLength: 4000, description: 'what was found and what is to be done, with the safety steps' }),
      priority: literalUnion(WORK_ORDER_PRIORITIES),
      alertId: Type.Optional(Type.Integer({ minimum: 1, description: 'the alert that led to it' })),
      references: Type.Optional(Type.Array(Type.String({ maxLength: 200 }), { maxItems: 10, description: 'manual sections, e.g. "P-PUMP-03"' })),
    },
    { additionalProperties: false },
  ),
  effect: 'proposal',
  target: (args) => `asset/${args.asset}`,
  run(args, context) {
    requireRole(context, 'draft-work-order', 'draft work orders');
    requireAsset(context.plant, args.asset);
    if (args.alertId !== undefined && !context.plant.alerts.get(args.alertId)) throw new ToolInputError(`no alert ${args.alertId}`);
    const references = args.references ?? [];
    const proposal = context.propose({
      kind: 'draft-work-order',
      summary: `Draft a ${args.priority}-priority work order for ${args.asset}: "${args.title}"${references.length > 0 ? ` (following ${references.join(', ')})` : ''}`,
      arguments: { asset: args.asset, title: args.title, description: args.description, priority: args.priority, alertId: args.alertId ?? null, references },
    });
    return { proposed: proposal.summary, actionId: proposal.actionId, expiresAt: proposal.expiresAt, note: PROPOSAL_NOTE };
  },
});
