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
        return action(ctx, session, data, card.title);
      case 'finding':
        return finding(ctx, data);
      case 'alert':
        return alertLink(ctx, data);
      default:
        return fields(data);
    }
  })();
  // a proposal says what it is before what it would do
  const lead = card.kind === 'action' ? h('p', { class: 'chat-action-lead' }, ctx.t.t('chat.action.lead')) : null;
  return h('div', { class: `chat-card card-${card.kind}`, 'data-kind': card.kind }, lead, h('div', { class: 'chat-card-title' }, card.title), body);
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

function finding(ctx: AppContext, data: Data): HTMLElement {
  const { t, formats } = ctx;
  const model = data['model'] as Data | undefined;
  const trip = data['trip'] as Data | undefined;
  const deviations = Array.isArray(data['deviations']) ? (data['deviations'] as Data[]) : [];
  const number = (value: unknown) => (typeof value === 'number' ? formats.plain(value) : '–');
  return h(
    'div',
    {},
    text(data['message']) ? h('p', { class: 'chat-card-line' }, text(data['message'])) : null,
    model ? h('p', { class: 'chat-card-line' }, t.t('chat.card.score', { score: number(model['score']), threshold: number(model['threshold']) })) : null,
    trip ? h('p', { class: 'chat-card-line' }, t.t('chat.card.trip', { code: text(trip['code']), meaning: text(trip['meaning']) })) : null,
    deviations.length === 0
      ? null
      : h(
          'table',
          { class: 'chat-values' },
          h(
            'tbody',
            {},
            deviations.map((deviation) =>
              h(
                'tr',
                { 'data-status': text(deviation['status']) },
                h('th', { scope: 'row' }, text(deviation['signal'])),
                h('td', {}, typeof deviation['value'] === 'number' ? formats.quantity(formats.plain(deviation['value']), text(deviation['unit'])) : t.t('chat.card.noValue')),
                h('td', {}, typeof deviation['share'] === 'number' ? t.t('chat.card.share', { share: Math.round(deviation['share'] * 100) }) : ''),
                h('td', {}, typeof deviation['sigma'] === 'number' ? t.t('chat.card.sigma', { sigma: formats.plain(deviation['sigma']) }) : (t.optional(`chat.status.${text(deviation['status'])}`) ?? '')),
              ),
            ),
          ),
        ),
  );
}

function alertLink(ctx: AppContext, data: Data): HTMLElement {
  const id = data['id'];
  return h(
    'div',
    {},
    h('p', { class: 'chat-card-line' }, text(data['message'])),
    typeof id === 'number' ? h('button', { type: 'button', class: 'button', onclick: () => ctx.navigate({ name: 'alert', id }) }, ctx.t.t('chat.card.openAlert')) : null,
  );
}

function action(ctx: AppContext, session: ChatSession, data: Data, title: string): HTMLElement {
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
    text(data['summary']) === title ? null : h('p', { class: 'chat-action-summary' }, text(data['summary'])),
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
