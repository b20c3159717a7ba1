import { Type } from 'typebox';
import { literalUnion } from './literal-union.js';
import { ActionStatusSchema, ChatCardSchema } from './ws-messages.js';

/** Request and response schemas of the assistant's HTTP routes (PROTOCOL.md, "Assistant"). */
export const ConversationParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64, description: 'a conversation id, e.g. from chat.conversation, or alert:<id>' }) });
export const ConversationSummarySchema = Type.Object({ conversationId: Type.String(), title: Type.String(), updatedAt: Type.String(), turns: Type.Integer() });
export const ConversationsAnswer = Type.Object({ conversations: Type.Array(ConversationSummarySchema) });
export const ConversationTurnSchema = Type.Object({ role: literalUnion(['user', 'assistant']), text: Type.String(), cards: Type.Array(ChatCardSchema), at: Type.String() });
export const ConversationAnswer = Type.Object({ conversationId: Type.String(), turns: Type.Array(ConversationTurnSchema) });

export const WorkOrderParams = Type.Object({ id: Type.Integer({ minimum: 1, description: 'a work order id, a positive integer' }) });
export const WorkOrderSchema = Type.Object({
  id: Type.Integer(),
  asset: Type.String(),
  title: Type.String(),
  description: Type.String(),
  priority: literalUnion(['low', 'medium', 'high', 'urgent']),
  alertId: Type.Union([Type.Integer(), Type.Null()]),
  references: Type.Array(Type.String()),
  createdBy: Type.String(),
  createdAt: Type.String(),
  status: Type.Literal('draft'),
});
export const WorkOrdersAnswer = Type.Object({ workOrders: Type.Array(WorkOrderSchema) });
export const ExportQuery = Type.Object({ format: Type.Optional(literalUnion(['json', 'csv'])) }, { additionalProperties: false });

export const AskBody = Type.Object(
  { text: Type.String({ minLength: 1, maxLength: 4000 }), conversationId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })) },
  { additionalProperties: false },
);
export const ActionParams = Type.Object({ actionId: Type.String({ minLength: 1, maxLength: 128 }) });
export const DecisionBody = Type.Object({ approve: Type.Boolean() }, { additionalProperties: false });
export const ActionOutcomeSchema = Type.Object({ actionId: Type.String(), status: ActionStatusSchema, message: Type.String(), result: Type.Optional(Type.Unknown()) });
