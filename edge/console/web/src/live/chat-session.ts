import type { ApiClient } from '../api/api-client.js';
import type { ChatCard, ConversationSummary, ConversationTurn, Escalation } from '../api-types.js';
import { Emitter } from '../emitter.js';
import type { ChatMessage, LiveConnection } from './live-connection.js';

export type AnswerStatus = 'streaming' | 'complete' | 'cancelled' | 'unavailable' | 'failed' | 'interrupted';
export type AnswerEntry = { readonly kind: 'answer'; readonly requestId: string | null; text: string; cards: ChatCard[]; status: AnswerStatus; message: string | null };
export type ChatEntry = { readonly kind: 'question'; readonly text: string } | AnswerEntry | { readonly kind: 'escalation'; readonly escalation: Escalation };

/** A proposed action as the page knows it: waiting for the person, sent, or what became of it. */
export type ActionState = { readonly status: 'open' | 'deciding' | 'done' | 'declined' | 'refused' | 'failed'; readonly message: string | null };

const RECENT_ESCALATIONS = 5;

/**
 * The conversation with the assistant over the WebSocket's chat messages, the user's earlier
 * conversations (HTTP), the escalations the assistant posts unasked, and the decisions on the actions
 * it proposes. Outlives a change of language.
 */
export class ChatSession {
  readonly changed = new Emitter<void>();
  entries: ChatEntry[] = [];
  /** The conversation the next question continues; null starts a new one (the server names it). */
  conversationId: string | null = null;
  conversations: ConversationSummary[] = [];
  /** Newest first. */
  escalations: Escalation[] = [];
  unseenEscalations = 0;
  readonly actions = new Map<string, ActionState>();
  private sequence = 0;

  constructor(
    private readonly connection: LiveConnection,
    private readonly api: ApiClient,
  ) {
    connection.chat.on((message) => this.receive(message));
    connection.escalations.on(({ escalation, replayed }) => this.escalated(escalation, replayed === true));
    connection.state.on((state) => {
      if (state.kind === 'live') return void this.refreshConversations();
      // an answer cut off by a lost connection will not continue: say so
      const streaming = this.streaming;
      if (streaming) {
        streaming.status = 'interrupted';
        this.changed.emit();
      }
    });
  }

  get streaming(): AnswerEntry | undefined {
    return this.entries.find((entry): entry is AnswerEntry => entry.kind === 'answer' && entry.status === 'streaming');
  }

  /** False when the question could not be sent (not connected, or an answer is still streaming). */
  ask(text: string): boolean {
    if (this.streaming) return false;
    this.sequence += 1;
    const requestId = `r-${Date.now().toString(36)}-${this.sequence}`;
    const sent = this.connection.send({ type: 'chat.send', requestId, text, ...(this.conversationId === null ? {} : { conversationId: this.conversationId }) });
    if (!sent) return false;
    this.entries.push({ kind: 'question', text }, { kind: 'answer', requestId, text: '', cards: [], status: 'streaming', message: null });
    this.changed.emit();
    return true;
  }

  cancel(): void {
    const streaming = this.streaming;
    if (streaming?.requestId) this.connection.send({ type: 'chat.cancel', requestId: streaming.requestId });
  }

  /** Confirms or declines a proposed action; the outcome arrives as chat.action. */
  decide(actionId: string, approve: boolean): void {
    if (this.action(actionId).status !== 'open') return;
    if (!this.connection.send({ type: 'chat.decide', actionId, approve })) return;
    this.actions.set(actionId, { status: 'deciding', message: null });
    this.changed.emit();
  }

  action(actionId: string): ActionState {
    return this.actions.get(actionId) ?? { status: 'open', message: null };
  }

  startNew(): void {
    if (this.streaming) return;
    this.entries = [];
    this.conversationId = null;
    this.changed.emit();
  }

  /** Continues an escalation's thread: its explanation first, then what this user already asked in it. */
  async followUp(escalation: Escalation): Promise<void> {
    await this.open(escalation.conversationId, [{ kind: 'escalation', escalation }]);
  }

  /** Opens one of the user's conversations (or an alert's thread) from the server. */
  async open(conversationId: string, lead: ChatEntry[] = []): Promise<void> {
    if (this.streaming) return;
    const turns = await this.api.conversation(conversationId).catch(() => [] as ConversationTurn[]);
    this.conversationId = conversationId;
    this.entries = [...lead, ...turns.map(turnEntry)];
    this.changed.emit();
  }

  async refreshConversations(): Promise<void> {
    this.conversations = await this.api.conversations().catch(() => this.conversations);
    this.changed.emit();
  }

  /** The panel was looked at: escalations so far are seen. */
  seen(): void {
    if (this.unseenEscalations === 0) return;
    this.unseenEscalations = 0;
    this.changed.emit();
  }

  private escalated(escalation: Escalation, replayed: boolean): void {
    const known = this.escalations.some((candidate) => candidate.conversationId === escalation.conversationId && candidate.createdAt === escalation.createdAt);
    if (known) return;
    this.escalations = [escalation, ...this.escalations].sort((a, b) => b.createdAt.localeCompare(a.createdAt)).slice(0, RECENT_ESCALATIONS);
    if (!replayed) this.unseenEscalations += 1;
    this.changed.emit();
  }

  private receive(message: ChatMessage): void {
    if (message.type === 'chat.action') {
      this.actions.set(message.actionId, { status: message.status, message: message.message });
      this.changed.emit();
      return;
    }
    const entry = this.entries.find((candidate): candidate is AnswerEntry => candidate.kind === 'answer' && candidate.requestId === message.requestId);
    if (!entry) return;
    switch (message.type) {
      case 'chat.conversation':
        this.conversationId = message.conversationId;
        break;
      case 'chat.delta':
        entry.text += message.text;
        break;
      case 'chat.card':
        entry.cards.push(message.card);
        break;
      case 'chat.done':
        entry.status = message.status;
        entry.message = message.message ?? null;
        if (message.status === 'complete') void this.refreshConversations();
        break;
    }
    this.changed.emit();
  }
}

function turnEntry(turn: ConversationTurn): ChatEntry {
  if (turn.role === 'user') return { kind: 'question', text: turn.text };
  return { kind: 'answer', requestId: null, text: turn.text, cards: turn.cards, status: 'complete', message: null };
}
