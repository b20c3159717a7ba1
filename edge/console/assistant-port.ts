import type { Role } from './roles.js';
import type { ChatCard } from './ws-messages.js';

/** One question to the assistant, from the user holding the WebSocket's session. */
export interface ChatRequest {
  readonly user: string;
  readonly role: Role;
  /**
   * The conversation to continue; null starts a new one. Conversations are kept per user, never
   * shared. `alert:<alertId>` continues the thread of an escalation (the explanation card of that
   * alert is the conversation's first message).
   */
  readonly conversationId: string | null;
  readonly text: string;
  /** Aborted when the client cancels or disconnects. */
  readonly signal: AbortSignal;
}

/**
 * Where the answer goes, piece by piece: each call becomes one WebSocket message.
 * `conversation` is called once, first, with the id the answer belongs to (new or continued).
 * A card of kind `action` proposes an action with effects (ActionProposal in `data`): nothing happens
 * until the same user decides it with `decide`.
 */
export interface ChatSink {
  conversation(conversationId: string): void;
  delta(text: string): void;
  card(card: ChatCard): void;
}

/** `data` of a `ChatCard` of kind `action`: the exact action, shown to the person before it runs. */
export interface ActionProposal {
  readonly actionId: string;
  readonly kind: 'acknowledge-alert' | 'draft-work-order';
  /** What will happen, in words, e.g. "Acknowledge alert 42 (pump-01 high vibration) with comment …". */
  readonly summary: string;
  /** The exact arguments the action will run with. */
  readonly arguments: Readonly<Record<string, unknown>>;
  /** Proposals expire (ISO time); a decision after it is refused. */
  readonly expiresAt: string;
}

export interface ActionDecision {
  readonly user: string;
  readonly role: Role;
  readonly actionId: string;
  readonly approve: boolean;
}

/** What became of a decided action; `status: 'refused'` says why (not yours, expired, role, unknown). */
export interface ActionOutcome {
  readonly actionId: string;
  readonly status: 'done' | 'declined' | 'refused' | 'failed';
  readonly message: string;
  /** e.g. the work order's id, the alert's new state. */
  readonly result?: unknown;
}

/** An explanation the assistant posts unasked when an alert reaches the escalation priority. */
export interface Escalation {
  readonly alertId: number;
  /** `alert:<alertId>`: a user who follows up continues this thread in their own conversation. */
  readonly conversationId: string;
  readonly createdAt: string;
  /** Plain-text explanation with citations like [M1] resolved in the cards. */
  readonly text: string;
  readonly cards: readonly ChatCard[];
}

export interface ConversationSummary {
  readonly conversationId: string;
  readonly title: string;
  readonly updatedAt: string;
  readonly turns: number;
}

export interface ConversationTurn {
  readonly role: 'user' | 'assistant';
  readonly text: string;
  readonly cards: readonly ChatCard[];
  readonly at: string;
}

export interface WorkOrder {
  readonly id: number;
  readonly asset: string;
  readonly title: string;
  readonly description: string;
  readonly priority: 'low' | 'medium' | 'high' | 'urgent';
  readonly alertId: number | null;
  /** Manual sections the work order's steps come from, e.g. "P-PUMP-03 Bearing replacement". */
  readonly references: readonly string[];
  readonly createdBy: string;
  readonly createdAt: string;
  readonly status: 'draft';
}

/**
 * What the assistant implements to be reachable from the console (`ConsoleServer.attachAssistant`).
 * Promises settle when the work is complete; a rejection is reported to the client as failed.
 */
export interface ConsoleAssistant {
  answer(request: ChatRequest, sink: ChatSink): Promise<void>;
  /** The person's decision on a proposed action; only the user it was proposed to may decide it. */
  decide(decision: ActionDecision): Promise<ActionOutcome>;
  /** Escalations as they are made; returns the unsubscribe function. */
  onEscalation(listener: (escalation: Escalation) => void): () => void;
  /** The most recent escalations (newest first), for clients that connect later. */
  recentEscalations(limit: number): readonly Escalation[];
  conversations(user: string): readonly ConversationSummary[];
  /** Whether the user has this conversation (without reading its turns). */
  hasConversation(user: string, conversationId: string): boolean;
  /** null when the conversation does not exist or is another user's. */
  conversation(user: string, conversationId: string): readonly ConversationTurn[] | null;
  workOrders(): readonly WorkOrder[];
  workOrder(id: number): WorkOrder | null;
}

export const NO_ASSISTANT_MESSAGE = 'no assistant attached yet';
