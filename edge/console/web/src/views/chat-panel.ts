import type { AppContext } from '../app/app-context.js';
import { fill, h } from '../dom.js';
import type { ChatEntry, ChatSession } from '../live/chat-session.js';

/** The assistant's side panel: questions, streamed answers, and a plain word when no assistant is attached. */
export class ChatPanel {
  readonly element: HTMLElement;
  private readonly log = h('div', { class: 'chat-log', 'aria-live': 'polite', 'data-testid': 'chat-log' });
  private readonly input: HTMLTextAreaElement;
  private readonly send: HTMLButtonElement;
  private readonly stop: HTMLButtonElement;
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
    this.element = h(
      'aside',
      { class: 'chat-panel', 'aria-label': t.t('chat.title'), 'data-testid': 'chat-panel' },
      h('header', { class: 'chat-header' }, h('h2', {}, t.t('chat.title')), h('button', { type: 'button', class: 'button', onclick: close, 'aria-label': t.t('action.close') }, '✕')),
      this.log,
      this.note,
      form,
    );
    this.unsubscribe.push(session.changed.on(() => this.render()), ctx.connection.state.on(() => this.render()));
    this.render();
  }

  focus(): void {
    this.input.focus();
  }

  destroy(): void {
    for (const unsubscribe of this.unsubscribe) unsubscribe();
  }

  private render(): void {
    const { t } = this.ctx;
    const entries = this.session.entries;
    fill(
      this.log,
      entries.length === 0 ? h('p', { class: 'muted' }, t.t('chat.intro')) : null,
      ...entries.map((entry) => this.entry(entry)),
    );
    this.log.scrollTop = this.log.scrollHeight;
    const live = this.ctx.connection.live;
    const streaming = this.session.streaming !== undefined;
    this.send.disabled = !live || streaming;
    this.stop.hidden = !streaming;
    this.note.textContent = live ? '' : t.t('chat.offline');
  }

  private entry(entry: ChatEntry): HTMLElement {
    const { t } = this.ctx;
    if (entry.kind === 'question') return h('div', { class: 'chat-question' }, entry.text);
    const status: Record<typeof entry.status, string | null> = {
      streaming: entry.text === '' ? t.t('chat.waiting') : null,
      complete: null,
      cancelled: t.t('chat.cancelled'),
      unavailable: t.t('chat.unavailable'),
      failed: t.t('chat.failed', { message: entry.message ?? '' }),
      interrupted: t.t('chat.interrupted'),
    };
    return h(
      'div',
      { class: `chat-answer status-${entry.status}`, 'data-status': entry.status },
      entry.text === '' ? null : h('div', { class: 'chat-text' }, entry.text),
      ...entry.cards.map((card) => h('div', { class: 'chat-card' }, h('strong', {}, card.title), ` · ${card.kind}`)),
      status[entry.status] === null ? null : h('div', { class: 'chat-status' }, status[entry.status]),
    );
  }
}
