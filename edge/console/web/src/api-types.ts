import type { Static } from 'typebox';
import type { AlertCountsSchema, AlertEventSchema, AlertSchema, FloodSchema } from '../../alert-schemas.js';
import type { AssetViewSchema, HistoryAnswer, ModelSchema, SignalViewSchema, UserSchema } from '../../http-schemas.js';
import type { ConversationSummarySchema, ConversationTurnSchema } from '../../assistant-http-schemas.js';
import type { ActionProposalSchema, ChatCardSchema, EscalationSchema } from '../../ws-messages.js';
import type { ClientMessage, ServerMessage } from '../../ws-messages.js';

/** The server's own schemas (PROTOCOL.md), as the page sees them: one definition for both ends. */
export type Alert = Static<typeof AlertSchema>;
export type AlertEvent = Static<typeof AlertEventSchema>;
export type AlertState = Alert['state'];
export type AlertPriority = Alert['priority'];
export type AlertCounts = Static<typeof AlertCountsSchema>;
export type Flood = Static<typeof FloodSchema>;
export type Asset = Static<typeof AssetViewSchema>;
export type SignalView = Static<typeof SignalViewSchema>;
export type History = Static<typeof HistoryAnswer>;
/** Detection adds fields as it needs them (calibration progress, threshold, scoreSignal…). */
export type Model = Static<typeof ModelSchema> & Readonly<Record<string, unknown>>;
export type User = Static<typeof UserSchema>;
export type Role = User['role'];
export type Point = History['points'][number];
export type ChatCard = Static<typeof ChatCardSchema>;
export type ActionProposal = Static<typeof ActionProposalSchema>;
export type Escalation = Static<typeof EscalationSchema>;
export type ConversationSummary = Static<typeof ConversationSummarySchema>;
export type ConversationTurn = Static<typeof ConversationTurnSchema>;
export type { ClientMessage, ServerMessage };

export { roleAtLeast } from '../../roles.js';
