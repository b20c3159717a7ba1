import type { Logger } from '../../../gateway/logger.js';
import { NO_ASSISTANT_MESSAGE, type ChatSink, type ConsoleAssistant } from '../assistant-port.js';
import type { ChatCard } from '../ws-messages.js';
import type { ClientConnection } from './client-connection.js';

/**
 * Streams the assistant's answer to one `chat.send`: deltas and cards as they come, then one
 * `chat.done`. One answer at a time per connection; a cancel or a closed socket aborts it.
 */
export class ChatRelay {
  private assistant: ConsoleAssistant | null = null;

  constructor(private readonly logger: Logger) {}

  attach(assistant: ConsoleAssistant | null): void {
    this.assistant = assistant;
  }

  /** Returns a refusal message when the client is still receiving an answer. */
  send(client: ClientConnection, message: { readonly requestId: string; readonly text: string; readonly conversationId?: string }): string | undefined {
    const { requestId } = message;
    const assistant = this.assistant;
    if (assistant === null) {
      client.send({ type: 'chat.done', requestId, status: 'unavailable', message: NO_ASSISTANT_MESSAGE });
      return undefined;
    }
    if (client.chat !== null) return `an answer (${client.chat.requestId}) is still streaming: wait for chat.done or send chat.cancel`;
    const abort = new AbortController();
    client.chat = { requestId, abort };
    const finish = (status: 'complete' | 'failed', text?: string) => {
      client.chat = null;
      client.send({ type: 'chat.done', requestId, status: abort.signal.aborted ? 'cancelled' : status, ...(text === undefined ? {} : { message: text }) });
    };
    const sink: ChatSink = {
      delta: (text: string) => {
        if (!abort.signal.aborted) client.send({ type: 'chat.delta', requestId, text });
      },
      card: (card: ChatCard) => {
        if (!abort.signal.aborted) client.send({ type: 'chat.card', requestId, card });
      },
    };
    const request = { user: client.session.user, role: client.session.role, conversationId: message.conversationId ?? null, text: message.text, signal: abort.signal };
    assistant.answer(request, sink).then(
      () => finish('complete'),
      (error: unknown) => {
        this.logger.warn({ err: error, user: client.session.user }, 'the assistant failed on a chat message');
        finish('failed', `the assistant failed: ${error instanceof Error ? error.message : String(error)}`);
      },
    );
    return undefined;
  }

  cancel(client: ClientConnection, requestId: string): void {
    if (client.chat?.requestId === requestId) client.chat.abort.abort();
  }
}
