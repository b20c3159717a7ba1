import type { Logger } from '../../../gateway/logger.js';
import type { ActionDecisions } from '../action-decisions.js';
import { NO_ASSISTANT_MESSAGE } from '../assistant-port.js';
import type { AssistantSlot } from '../assistant-slot.js';
import { streamAnswer } from '../answer-stream.js';
import type { ClientConnection } from './client-connection.js';

/**
 * Streams the assistant's answer to one `chat.send` (chat.conversation, deltas and cards as they come,
 * then one `chat.done`) and relays `chat.decide`. One answer at a time per connection; a cancel or a
 * closed socket aborts it.
 */
export class ChatRelay {
  constructor(
    private readonly slot: AssistantSlot,
    private readonly decisions: ActionDecisions,
    private readonly logger: Logger,
  ) {}

  /** Returns a refusal message when the client is still receiving an answer. */
  send(client: ClientConnection, message: { readonly requestId: string; readonly text: string; readonly conversationId?: string }): string | undefined {
    const { requestId } = message;
    const assistant = this.slot.current;
    if (assistant === null) {
      client.send({ type: 'chat.done', requestId, status: 'unavailable', message: NO_ASSISTANT_MESSAGE });
      return undefined;
    }
    if (client.chat !== null) return `an answer (${client.chat.requestId}) is still streaming: wait for chat.done or send chat.cancel`;
    const abort = new AbortController();
    const chat = { requestId, abort };
    client.chat = chat;
    const { user, role } = client.session;
    void streamAnswer({
      assistant,
      request: { user, role, conversationId: message.conversationId ?? null, text: message.text, signal: abort.signal },
      requestId,
      emit: (reply) => {
        if (reply.type === 'chat.done' && client.chat === chat) client.chat = null;
        client.send(reply);
      },
      decisions: this.decisions,
      logger: this.logger,
    });
    return undefined;
  }

  cancel(client: ClientConnection, requestId: string): void {
    if (client.chat?.requestId === requestId) client.chat.abort.abort();
  }

  decide(client: ClientConnection, message: { readonly id?: string; readonly actionId: string; readonly approve: boolean }): void {
    const { user, role } = client.session;
    void this.decisions.decide({ name: user, role }, message.actionId, message.approve).then((outcome) =>
      client.send({ type: 'chat.action', ...(message.id === undefined ? {} : { id: message.id }), ...outcome }),
    );
  }
}
