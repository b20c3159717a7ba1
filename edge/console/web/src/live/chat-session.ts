import { Emitter } from '../emitter.js';
import type { ChatMessage, LiveConnection } from './live-connection.js';

export type ChatEntry =
  | { readonly kind: 'question'; readonly text: string }
  | {
      readonly kind: 'answer';
      readonly requestId: string;
      text: string;
      cards: { kind: string; title: string }[];
      status: 'streaming' | 'complete' | 'cancelled' | 'unavailable' | 'failed' | 'interrupted';
      message: string | null;
    };

/** The conversation with the assistant over the WebSocket's chat messages; outlives a change of language. */
export class ChatSession {
  readonly changed = new Emitter<void>();
  readonly entries: ChatEntry[] = [];
  // crypto.randomUUID needs a secure context; a tablet may open the console over plain HTTP on the plant network
  private readonly conversationId = `c-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
  private sequence = 0;

  constructor(private readonly connection: LiveConnection) {
    connection.chat.on((message) => this.receive(message));
    connection.state.on((state) => {
      // an answer cut off by a lost connection will not continue: say so
      if (state.kind === 'live') return;
      const streaming = this.streaming;
      if (streaming) {
        streaming.status = 'interrupted';
        this.changed.emit();
      }
    });
  }

  get streaming(): Extract<ChatEntry, { kind: 'answer' }> | undefined {
    return this.entries.find((entry): entry is Extract<ChatEntry, { kind: 'answer' }> => entry.kind === 'answer' && entry.status === 'streaming');
  }

  /** False when the question could not be sent (not connected, or an answer is still streaming). */
  ask(text: string): boolean {
    if (this.streaming) return false;
    this.sequence += 1;
    const requestId = `r-${Date.now().toString(36)}-${this.sequence}`;
    if (!this.connection.send({ type: 'chat.send', requestId, text, conversationId: this.conversationId })) return false;
    this.entries.push({ kind: 'question', text }, { kind: 'answer', requestId, text: '', cards: [], status: 'streaming', message: null });
    this.changed.emit();
    return true;
  }

  cancel(): void {
    const streaming = this.streaming;
    if (streaming) this.connection.send({ type: 'chat.cancel', requestId: streaming.requestId });
  }

  private receive(message: ChatMessage): void {
    const entry = this.entries.find((candidate): candidate is Extract<ChatEntry, { kind: 'answer' }> => candidate.kind === 'answer' && candidate.requestId === message.requestId);
    if (!entry) return;
    if (message.type === 'chat.delta') entry.text += message.text;
    else if (message.type === 'chat.card') entry.cards.push({ kind: message.card.kind, title: message.card.title });
    else {
      entry.status = message.status;
      entry.message = message.message ?? null;
    }
    this.changed.emit();
  }
}
