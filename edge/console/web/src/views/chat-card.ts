import type { AppContext } from '../app/app-context.js';
import type { ChatCard } from '../api-types.js';
import { h } from '../dom.js';
import type { ChatSession } from '../live/chat-session.js';

type Data = Readonly<Record<string, unknown>>;

/**
 * One card of an answer (edge/assistant/README.md lists the kinds): a manual section with its section
 * id, live values, a finding, an alert, an action proposal with Confirm / Decline, or anything else
 * as its fields.
 */
export function chatCard(ctx: AppContext, session: ChatSession, card: ChatCard): HTMLElement {
  const data = (card.data !== null && typeof card.data === 'object' ? card.data : {}) as Data;
  const body = (() => {
    switch (card.kind) {
      case 'manual':
        return manual(ctx, data);
      case 'values':
        return values(ctx, data);
      case 'action':
        return action(ctx, session, data);
      default:
        return fields(data);
    }
  })();
  return h('div', { class: `chat-card card-${card.kind}`, 'data-kind': card.kind }, h('div', { class: 'chat-card-title' }, card.title), body);
}

function manual(ctx: AppContext, data: Data): HTMLElement {
  const { t } = ctx;
  const page = typeof data['page'] === 'number' ? t.t('chat.card.page', { page: data['page'] }) : null;
  return h(
    'div',
    {},
    h('div', { class: 'chat-citation' }, text(data['citation'])),
    h('div', { class: 'chat-card-meta' }, text(data['sectionId']) ? h('span', { class: 'section-id', 'data-testid': 'section-id' }, text(data['sectionId'])) : null, page),
    text(data['text']) ? h('details', { class: 'chat-excerpt' }, h('summary', {}, t.t('chat.card.readSection')), h('p', {}, text(data['text']))) : null,
  );
}

function values(ctx: AppContext, data: Data): HTMLElement {
  const { t } = ctx;
  const readings = Array.isArray(data['signals']) ? (data['signals'] as Data[]) : [];
  return h(
    'table',
    { class: 'chat-values' },
    h(
      'tbody',
      {},
      readings.map((reading) =>
        h(
          'tr',
          { 'data-status': text(reading['status']) },
          h('th', { scope: 'row' }, text(reading['signal'])),
          h('td', {}, typeof reading['value'] === 'number' ? ctx.formats.quantity(ctx.formats.plain(reading['value']), text(reading['unit'])) : t.t('chat.card.noValue')),
          h('td', {}, t.optional(`chat.status.${text(reading['status'])}`) ?? text(reading['status'])),
        ),
      ),
    ),
  );
}

function action(ctx: AppContext, session: ChatSession, data: Data): HTMLElement {
  const { t } = ctx;
  const actionId = text(data['actionId']);
  const state = session.action(actionId);
  const args = (data['arguments'] ?? {}) as Data;
  const expires = Date.parse(text(data['expiresAt']));
  const decided = state.status !== 'open' && state.status !== 'deciding';
  const buttons = ctx.can('operator')
    ? h(
        'div',
        { class: 'chat-action-buttons' },
        h('button', { type: 'button', class: 'button primary', 'data-testid': 'action-confirm', disabled: state.status !== 'open', onclick: () => session.decide(actionId, true) }, t.t('chat.action.confirm')),
        h('button', { type: 'button', class: 'button', 'data-testid': 'action-decline', disabled: state.status !== 'open', onclick: () => session.decide(actionId, false) }, t.t('chat.action.decline')),
      )
    : h('p', { class: 'muted' }, t.t('chat.action.operatorOnly'));
  return h(
    'div',
    { class: 'chat-action', 'data-action-id': actionId, 'data-state': state.status },
    h('p', { class: 'chat-action-lead' }, t.t('chat.action.lead')),
    h('p', { class: 'chat-action-summary' }, text(data['summary'])),
    h(
      'dl',
      { class: 'chat-action-arguments' },
      h('dt', {}, t.t('chat.action.kind')),
      h('dd', {}, t.optional(`chat.action.kind.${text(data['kind'])}`) ?? text(data['kind'])),
      Object.entries(args).flatMap(([key, value]) => [h('dt', {}, key), h('dd', {}, typeof value === 'string' ? value : JSON.stringify(value))]),
      Number.isFinite(expires) ? [h('dt', {}, t.t('chat.action.expires')), h('dd', {}, ctx.formats.dateTime(expires))] : null,
    ),
    decided ? h('p', { class: 'chat-action-outcome', 'data-testid': 'action-outcome' }, `${t.t(`chat.action.${state.status}`)} ${state.message ?? ''}`.trim()) : buttons,
  );
}

function fields(data: Data): HTMLElement {
  return h(
    'dl',
    { class: 'chat-card-fields' },
    Object.entries(data).flatMap(([key, value]) => [h('dt', {}, key), h('dd', {}, typeof value === 'string' ? value : JSON.stringify(value))]),
  );
}

function text(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
}
