import type { Role } from './roles.js';
import type { ChatCard } from './ws-messages.js';

/** One question to the assistant, from the user holding the WebSocket's session. */
export interface ChatRequest {
  readonly user: string;
  readonly role: Role;
  /** The client's name for the conversation; conversations are kept per user, never shared. */
  readonly conversationId: string | null;
  readonly text: string;
  /** Aborted when the client cancels or disconnects. */
  readonly signal: AbortSignal;
}

/** Where the answer goes, piece by piece: each call becomes one WebSocket message. */
export interface ChatSink {
  delta(text: string): void;
  card(card: ChatCard): void;
}

/**
 * What the assistant implements to be reachable from the console (`ConsoleServer.attachAssistant`).
 * The promise settles when the answer is complete; a rejection is reported to the client as failed.
 */
export interface ConsoleAssistant {
  answer(request: ChatRequest, sink: ChatSink): Promise<void>;
}

export const NO_ASSISTANT_MESSAGE = 'no assistant attached yet';
