import type { AppContext } from '../app/app-context.js';
import type { Escalation } from '../api-types.js';
import { fill, h } from '../dom.js';
import type { ChatEntry, ChatSession } from '../live/chat-session.js';
import { chatCard } from './chat-card.js';
import { chatText } from './chat-text.js';

/**
 * The assistant's side panel: the escalations it posted unasked (each with "follow up"), the user's
 * conversations, questions with their streamed answers and cards, and a plain word when no assistant
 * is attached.
 */
export class ChatPanel {
  readonly element: HTMLElement;
  private readonly escalations = h('section', { class: 'chat-escalations', 'data-testid': 'chat-escalations' });
  private readonly history = h('details', { class: 'chat-history', 'data-testid': 'chat-history' });
  private readonly log = h('div', { class: 'chat-log', 'aria-live': 'polite', 'data-testid': 'chat-log' });
  private readonly input: HTMLTextAreaElement;
  private readonly send: HTMLButtonElement;
  private readonly stop: HTMLButtonElement;
  private readonly startNew: HTMLButtonElement;
  private readonly note = h('p', { class: 'chat-note' });
  private readonly unsubscribe: (() => void)[] = [];

  constructor(
    private readonly ctx: AppContext,
    private readonly session: ChatSession,
    close: () => void,
  ) {
    const { t } = ctx;
    this.input = h('textarea', { rows: 3, maxLength: 4000, placeholder: t.t('chat.placeholder'), 'aria-label': t.t('chat.placeholder') });
    this.send = h('button', { type: 'submit', class: 'button primary' }, t.t('chat.send'));
    this.stop = h('button', { type: 'button', class: 'button', onclick: () => session.cancel() }, t.t('chat.stop'));
    this.startNew = h('button', { type: 'button', class: 'button', 'data-testid': 'chat-new', onclick: () => session.startNew() }, t.t('chat.newConversation'));
    const form = h('form', { class: 'chat-form' }, this.input, h('div', { class: 'chat-buttons' }, this.stop, this.send));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const text = this.input.value.trim();
      if (text === '') return;
      if (session.ask(text)) this.input.value = '';
      this.render();
    });
    this.input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey) {
        event.preventDefault();
        form.requestSubmit();
      }
    });
    this.history.addEventListener('toggle', () => {
      if (this.history.open) void session.refreshConversations();
    });
    this.element = h(
      'aside',
      { class: 'chat-panel', 'aria-label': t.t('chat.title'), 'data-testid': 'chat-panel' },
      h('header', { class: 'chat-header' }, h('h2', {}, t.t('chat.title')), h('div', { class: 'chat-header-buttons' }, this.startNew, h('button', { type: 'button', class: 'button', onclick: close, 'aria-label': t.t('action.close') }, '✕'))),
      this.escalations,
      this.history,
      this.log,
      this.note,
      form,
    );
    this.unsubscribe.push(session.changed.on(() => this.render()), ctx.connection.state.on(() => this.render()));
    this.render();
  }

  focus(): void {
    this.session.seen();
    this.input.focus();
  }

  destroy(): void {
    for (const unsubscribe of this.unsubscribe) unsubscribe();
  }

  private render(): void {
    const { t } = this.ctx;
    const { session } = this;
    const following = session.conversationId;
    const open = session.escalations.filter((escalation) => escalation.conversationId !== following);
    fill(this.escalations, open.length === 0 ? null : [h('h3', {}, t.t('chat.escalations')), ...open.map((escalation) => this.escalation(escalation, true))]);
    const wasOpen = this.history.open;
    fill(
      this.history,
      h('summary', {}, t.t('chat.conversations', { count: session.conversations.length })),
      session.conversations.length === 0
        ? h('p', { class: 'muted' }, t.t('chat.noConversations'))
        : h(
            'ul',
            { class: 'chat-history-list' },
            session.conversations.map((conversation) =>
              h(
                'li',
                {},
                h(
                  'button',
                  { type: 'button', class: 'button chat-history-item', 'aria-current': conversation.conversationId === following ? 'true' : null, onclick: () => void session.open(conversation.conversationId) },
                  h('span', { class: 'chat-history-title' }, conversation.title || conversation.conversationId),
                  h('span', { class: 'muted' }, this.when(conversation.updatedAt)),
                ),
              ),
            ),
          ),
    );
    this.history.open = wasOpen;
    fill(this.log, session.entries.length === 0 ? h('p', { class: 'muted' }, t.t('chat.intro')) : null, ...session.entries.map((entry) => this.entry(entry)));
    // after layout: a panel built anew (a change of language) is not in the page yet
    requestAnimationFrame(() => (this.log.scrollTop = this.log.scrollHeight));
    const live = this.ctx.connection.live;
    const streaming = session.streaming !== undefined;
    this.send.disabled = !live || streaming;
    this.stop.hidden = !streaming;
    this.startNew.disabled = streaming || session.entries.length === 0;
    this.note.textContent = live ? '' : t.t('chat.offline');
  }

  private escalation(escalation: Escalation, offerFollowUp: boolean): HTMLElement {
    const { t } = this.ctx;
    return h(
      'div',
      { class: 'chat-escalation', 'data-testid': 'escalation', 'data-alert-id': escalation.alertId },
      h('div', { class: 'chat-card-title' }, t.t('chat.escalationTitle', { id: escalation.alertId }), h('span', { class: 'muted' }, ` · ${this.when(escalation.createdAt)}`)),
      chatText(escalation.text),
      // in the list above the conversation: short, the sources come with the follow-up
      offerFollowUp
        ? h('button', { type: 'button', class: 'button primary', 'data-testid': 'follow-up', onclick: () => void this.session.followUp(escalation).then(() => this.input.focus()) }, t.t('chat.followUp'))
        : escalation.cards.map((card) => chatCard(this.ctx, this.session, card)),
    );
  }

  private entry(entry: ChatEntry): HTMLElement {
    const { t } = this.ctx;
    if (entry.kind === 'question') return h('div', { class: 'chat-question' }, entry.text);
    if (entry.kind === 'escalation') return this.escalation(entry.escalation, false);
    const status: Record<typeof entry.status, string | null> = {
      streaming: entry.text === '' && entry.cards.length === 0 ? t.t('chat.waiting') : null,
      complete: null,
      cancelled: t.t('chat.cancelled'),
      unavailable: t.t('chat.unavailable'),
      failed: t.t('chat.failed', { message: entry.message ?? '' }),
      interrupted: t.t('chat.interrupted'),
    };
    return h(
      'div',
      { class: `chat-answer status-${entry.status}`, 'data-status': entry.status },
      entry.text === '' ? null : chatText(entry.text),
      entry.cards.map((card) => chatCard(this.ctx, this.session, card)),
      status[entry.status] === null ? null : h('div', { class: 'chat-status' }, status[entry.status]),
    );
  }

  private when(iso: string): string {
    const ts = Date.parse(iso);
    return Number.isFinite(ts) ? this.ctx.formats.ago(ts, this.ctx.now()) : '';
  }
}
