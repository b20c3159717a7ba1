import type { Logger } from '../../gateway/logger.js';
import type { ActionDecisions } from './action-decisions.js';
import type { ChatRequest, ChatSink, ConsoleAssistant } from './assistant-port.js';
import type { ChatStreamMessage } from './ws-messages.js';

/** The conversation id that follows up an escalation: anyone may continue it, in their own thread. */
export const ALERT_THREAD = /^alert:[1-9][0-9]*$/;

export interface AnswerStream {
  readonly assistant: ConsoleAssistant;
  readonly request: ChatRequest;
  readonly requestId: string;
  /** Each piece of the answer as the chat message it becomes (WebSocket frame or NDJSON line). */
  readonly emit: (message: ChatStreamMessage) => void;
  readonly decisions: ActionDecisions;
  readonly logger: Logger;
}

/**
 * Runs one answer of the assistant: `chat.conversation`, `chat.delta` and `chat.card` messages as it
 * produces them, then exactly one `chat.done` (cancelled when the request's signal was aborted).
 * A conversation id that is neither the user's own nor an alert thread is refused before the
 * assistant sees it, so nobody reaches another user's conversation by guessing its id.
 */
export async function streamAnswer(stream: AnswerStream): Promise<void> {
  const { assistant, request, requestId, emit } = stream;
  const { signal } = request;
  let over = false;
  const done = (status: 'complete' | 'failed', message?: string) => {
    over = true;
    emit({ type: 'chat.done', requestId, status: signal.aborted ? 'cancelled' : status, ...(message === undefined ? {} : { message }) });
  };
  const live = () => !over && !signal.aborted;
  const sink: ChatSink = {
    conversation: (conversationId) => {
      if (live()) emit({ type: 'chat.conversation', requestId, conversationId });
    },
    delta: (text) => {
      if (live()) emit({ type: 'chat.delta', requestId, text });
    },
    card: (card) => {
      if (!live()) return;
      stream.decisions.noteCard(request.user, card);
      emit({ type: 'chat.card', requestId, card });
    },
  };
  try {
    const refusal = conversationRefusal(assistant, request);
    if (refusal !== undefined) return done('failed', refusal);
    await assistant.answer(request, sink);
    done('complete');
  } catch (error) {
    if (!signal.aborted) stream.logger.warn({ err: error, user: request.user }, 'the assistant failed on a question');
    done('failed', `the assistant failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function conversationRefusal(assistant: ConsoleAssistant, request: ChatRequest): string | undefined {
  const { conversationId, user } = request;
  if (conversationId === null || ALERT_THREAD.test(conversationId)) return undefined;
  if (assistant.hasConversation(user, conversationId)) return undefined;
  return `${user} has no conversation "${conversationId}": leave conversationId out to start a new one (the answer's chat.conversation gives its id), or use alert:<id> to follow up an escalation`;
}
