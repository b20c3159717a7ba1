import { Type, type Static, type TSchema } from 'typebox';
import { AlertCountsSchema, AlertEventSchema, AlertSchema, FloodSchema } from './alert-schemas.js';
import { PointSchema, UserSchema } from './http-schemas.js';
import { literalUnion } from './literal-union.js';

/**
 * The WebSocket protocol, version 1 (PROTOCOL.md explains each message): one JSON object per text
 * frame, with a `type`. Client messages are validated against these schemas; server messages are
 * typed by them.
 */
export const PROTOCOL_VERSION = 1;
export const SUBPROTOCOL = 'millwright.v1';

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const ClientId = Type.Optional(Type.String({ maxLength: 64, description: 'echoed in the reply' }));
const RequestId = Type.String({ minLength: 1, maxLength: 64 });
const ID = '[A-Za-z0-9][A-Za-z0-9_.-]*';
export const SIGNAL_KEY_PATTERN = `^${ID}/(${ID}|\\*)$`;

const clientMessage = <const Name extends string, T extends Record<string, TSchema>>(type: Name, fields: T) =>
  Type.Object({ type: Type.Literal(type), id: ClientId, ...fields }, { additionalProperties: false });

// --- client to server ---
export const PingMessage = clientMessage('ping', {});
export const SubscribeAlertsMessage = clientMessage('subscribe.alerts', {
  afterEventId: Type.Optional(Type.Integer({ minimum: 0, description: 'the id of the last alert event received' })),
});
export const UnsubscribeAlertsMessage = clientMessage('unsubscribe.alerts', {});
export const SubscribeSignalsMessage = clientMessage('subscribe.signals', {
  signals: Type.Array(Type.String({ pattern: SIGNAL_KEY_PATTERN, maxLength: 201, description: '"asset/signal" or "asset/*"' }), { maxItems: 1000 }),
});
export const ChatSendMessage = clientMessage('chat.send', {
  requestId: RequestId,
  text: Type.String({ minLength: 1, maxLength: 4000 }),
  conversationId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
});
export const ChatCancelMessage = clientMessage('chat.cancel', { requestId: RequestId });
export const ChatDecideMessage = clientMessage('chat.decide', {
  actionId: Type.String({ minLength: 1, maxLength: 128, description: 'the actionId of a chat.card of kind "action"' }),
  approve: Type.Boolean({ description: 'true runs the action, false declines it' }),
});

export const CLIENT_MESSAGES = {
  ping: PingMessage,
  'subscribe.alerts': SubscribeAlertsMessage,
  'unsubscribe.alerts': UnsubscribeAlertsMessage,
  'subscribe.signals': SubscribeSignalsMessage,
  'chat.send': ChatSendMessage,
  'chat.cancel': ChatCancelMessage,
  'chat.decide': ChatDecideMessage,
} as const;
export type ClientMessageType = keyof typeof CLIENT_MESSAGES;
export type ClientMessage = { [K in ClientMessageType]: Static<(typeof CLIENT_MESSAGES)[K]> }[ClientMessageType];

// --- server to client ---
export const WelcomeMessage = Type.Object({
  type: Type.Literal('welcome'),
  protocol: Type.Literal(PROTOCOL_VERSION),
  user: UserSchema,
  serverTime: Type.Number(),
  heartbeatSeconds: Type.Number(),
  latestEventId: Type.Integer(),
  limits: Type.Object({ maxMessageBytes: Type.Integer(), maxSignals: Type.Integer(), valueIntervalMs: Type.Integer() }),
});
export const HeartbeatMessage = Type.Object({ type: Type.Literal('heartbeat'), ts: Type.Number() });
export const PongMessage = Type.Object({ type: Type.Literal('pong'), id: ClientId, ts: Type.Number() });
export const SignalsSubscribedMessage = Type.Object({ type: Type.Literal('signals.subscribed'), id: ClientId, signals: Type.Array(Type.String()) });
export const ValuesMessage = Type.Object({
  type: Type.Literal('values'),
  ts: Type.Number(),
  values: Type.Record(Type.String(), Type.Array(PointSchema)),
  coalesced: Type.Optional(Type.Integer({ description: 'points replaced by newer ones while the client was slow' })),
});
export const AlertsSnapshotMessage = Type.Object({
  type: Type.Literal('alerts.snapshot'),
  reason: literalUnion(['subscribe', 'resync', 'too-far-behind']),
  alerts: Type.Array(AlertSchema),
  latestEventId: Type.Integer(),
  flood: FloodSchema,
  counts: AlertCountsSchema,
});
export const AlertEventMessage = Type.Object({ type: Type.Literal('alert.event'), event: AlertEventSchema });
export const AlertsLiveMessage = Type.Object({ type: Type.Literal('alerts.live'), latestEventId: Type.Integer(), replayed: Type.Integer() });
export const ChatCardSchema = Type.Object({ kind: Type.String(), title: Type.String(), data: Type.Unknown() });
/** `data` of a card of kind `action` (assistant-port.ts, ActionProposal). */
export const ActionProposalSchema = Type.Object({
  actionId: Type.String(),
  kind: literalUnion(['acknowledge-alert', 'draft-work-order']),
  summary: Type.String(),
  arguments: Type.Record(Type.String(), Type.Unknown()),
  expiresAt: Type.String({ description: 'ISO 8601; a decision after it is refused' }),
});
export const EscalationSchema = Type.Object({
  alertId: Type.Integer(),
  conversationId: Type.String({ description: '"alert:<alertId>": send chat.send with it to follow up' }),
  createdAt: Type.String(),
  text: Type.String(),
  cards: Type.Array(ChatCardSchema),
});
export const ChatConversationMessage = Type.Object({ type: Type.Literal('chat.conversation'), requestId: Type.String(), conversationId: Type.String() });
export const ChatDeltaMessage = Type.Object({ type: Type.Literal('chat.delta'), requestId: Type.String(), text: Type.String() });
export const ChatCardMessage = Type.Object({ type: Type.Literal('chat.card'), requestId: Type.String(), card: ChatCardSchema });
export const ChatDoneMessage = Type.Object({
  type: Type.Literal('chat.done'),
  requestId: Type.String(),
  status: literalUnion(['complete', 'cancelled', 'unavailable', 'failed']),
  message: Type.Optional(Type.String()),
});
export const ActionStatusSchema = literalUnion(['done', 'declined', 'refused', 'failed']);
export const ChatActionMessage = Type.Object({
  type: Type.Literal('chat.action'),
  id: ClientId,
  actionId: Type.String(),
  status: ActionStatusSchema,
  message: Type.String(),
  result: Type.Optional(Type.Unknown()),
});
export const EscalationMessage = Type.Object({
  type: Type.Literal('assistant.escalation'),
  escalation: EscalationSchema,
  replayed: Type.Optional(Type.Boolean({ description: 'true for a recent one sent on subscribe.alerts, not a new one' })),
});
export const WS_ERROR_CODES = ['malformed', 'invalid', 'unknown-type', 'not-found', 'too-many', 'busy'] as const;
export const ErrorMessage = Type.Object({
  type: Type.Literal('error'),
  id: ClientId,
  code: literalUnion(WS_ERROR_CODES),
  message: Type.String(),
  path: Type.Optional(Type.String()),
});

export const SERVER_MESSAGES = {
  welcome: WelcomeMessage,
  heartbeat: HeartbeatMessage,
  pong: PongMessage,
  'signals.subscribed': SignalsSubscribedMessage,
  values: ValuesMessage,
  'alerts.snapshot': AlertsSnapshotMessage,
  'alert.event': AlertEventMessage,
  'alerts.live': AlertsLiveMessage,
  'chat.conversation': ChatConversationMessage,
  'chat.delta': ChatDeltaMessage,
  'chat.card': ChatCardMessage,
  'chat.done': ChatDoneMessage,
  'chat.action': ChatActionMessage,
  'assistant.escalation': EscalationMessage,
  error: ErrorMessage,
} as const;
export type ServerMessageType = keyof typeof SERVER_MESSAGES;
export type ServerMessage = { [K in ServerMessageType]: Static<(typeof SERVER_MESSAGES)[K]> }[ServerMessageType];
export type ChatCard = Static<typeof ChatCardSchema>;
export type ChatStreamMessage = Extract<ServerMessage, { type: 'chat.conversation' | 'chat.delta' | 'chat.card' | 'chat.done' }>;
export type WsErrorCode = (typeof WS_ERROR_CODES)[number];

/** Close codes the server uses (PROTOCOL.md: what a client does on each). */
export const CLOSE_CODES = { normal: 1000, shuttingDown: 1001, tooBig: 1009, abuse: 4000, sessionEnded: 4001, tooSlow: 4002 } as const;
