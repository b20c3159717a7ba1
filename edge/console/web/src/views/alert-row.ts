import { actionButtons } from '../alerts/alert-actions.js';
import { describeAlert } from '../alerts/alert-description.js';
import type { AlertAction } from '../api/api-client.js';
import type { Alert } from '../api-types.js';
import type { AppContext } from '../app/app-context.js';
import { routeHash } from '../app/routes.js';
import { h } from '../dom.js';

const RELATIVE_TIME_STEP_MS = 30_000;

/**
 * Calls `update(stamp)` now, when the alerts or the catalogue change, and when a new 30 s step begins so
 * "2 min ago" stays true; `stamp` changes with each step (for AlertRows.update). Returns the unsubscribe.
 */
export function followAlertList(ctx: AppContext, update: (stamp: string) => void): () => void {
  let step = 0;
  const refresh = () => {
    step = Math.floor(Date.now() / RELATIVE_TIME_STEP_MS);
    update(`${step}|${ctx.catalog.loaded}`);
  };
  const offs = [
    ctx.alertsChanged.on(refresh),
    ctx.catalog.changed.on(refresh),
    ctx.tick.on(() => {
      if (Math.floor(Date.now() / RELATIVE_TIME_STEP_MS) !== step) refresh();
    }),
  ];
  refresh();
  return () => offs.forEach((off) => off());
}

/** The line under an alert's text saying where it stands: who acknowledged, shelved or removed it, and when. */
export function stateLine(ctx: AppContext, alert: Alert): string {
  const { t, formats } = ctx;
  const parts: string[] = [];
  switch (alert.state) {
    case 'active-acked':
      parts.push(alert.acknowledged ? t.t('stateLine.acked', { who: alert.acknowledged.by, time: formats.time(alert.acknowledged.at) }) : t.t('state.active-acked'));
      break;
    case 'shelved':
      if (alert.shelved) parts.push(t.t('stateLine.shelved', { who: alert.shelved.by, until: formats.dateTime(alert.shelved.until), reason: alert.shelved.reason }));
      parts.push(t.t(alert.conditionActive ? 'condition.active' : 'condition.clear'));
      break;
    case 'out-of-service':
      if (alert.outOfService) parts.push(t.t('stateLine.outOfService', { who: alert.outOfService.by, time: formats.dateTime(alert.outOfService.at), reason: alert.outOfService.reason }));
      parts.push(t.t(alert.conditionActive ? 'condition.active' : 'condition.clear'));
      break;
    default:
      parts.push(t.t(`state.${alert.state}`));
  }
  if (alert.reactivations > 0) parts.push(t.t('stateLine.reactivations', { count: alert.reactivations + 1 }));
  return parts.join(' · ');
}

/** One alert in a list: priority (word and colour), machine, what happened, its state, when, and the actions the user may take. */
export function alertRow(ctx: AppContext, alert: Alert, actions: readonly AlertAction[]): HTMLElement {
  const { t, formats } = ctx;
  const asset = ctx.catalog.asset(alert.asset);
  const open = () => ctx.navigate({ name: 'alert', id: alert.id });
  const row = h(
    'article',
    {
      class: `alert-row state-${alert.state} priority-${alert.priority}`,
      'data-alert-id': alert.id,
      'data-condition': alert.conditionId,
      'data-state': alert.state,
      onclick: (event: Event) => {
        if (!(event.target as Element).closest('button, a')) open();
      },
    },
    h('div', { class: 'alert-priority' }, h('span', { class: `priority-chip priority-${alert.priority}` }, t.t(`priority.${alert.priority}`))),
    h(
      'div',
      { class: 'alert-main' },
      h('div', { class: 'alert-asset' }, asset ? h('strong', {}, asset.name) : null, asset ? ` · ${asset.id}` : alert.asset),
      h('div', { class: 'alert-text' }, describeAlert(alert, t, formats, ctx.catalog.unitOf)),
      h('div', { class: 'alert-state', 'data-testid': 'alert-state' }, stateLine(ctx, alert)),
    ),
    h(
      'div',
      { class: 'alert-time' },
      h('div', { class: 'alert-clock' }, formats.time(alert.lastActivatedAt)),
      h('div', { class: 'muted' }, formats.ago(alert.lastActivatedAt, ctx.now())),
    ),
    h('div', { class: 'alert-actions' }, ...actionButtons(ctx, alert, actions)),
    h('a', { class: 'alert-open button', href: routeHash({ name: 'alert', id: alert.id }), 'aria-label': t.t('action.details') }, '›'),
  );
  return row;
}

/**
 * Keeps a list element in step with a list of alerts: a row is rebuilt only when its alert changed
 * (or `stamp` did: language, the minute), and rows are moved rather than recreated when the order changes.
 */
export class AlertRows {
  private readonly rows = new Map<number, { element: HTMLElement; version: string }>();

  constructor(
    readonly element: HTMLElement,
    private readonly render: (alert: Alert) => HTMLElement,
  ) {}

  update(alerts: readonly Alert[], stamp: string): void {
    const keep = new Set<number>();
    let previous: Element | null = null;
    for (const alert of alerts) {
      keep.add(alert.id);
      const version = `${alert.lastEventId}|${stamp}`;
      let row = this.rows.get(alert.id);
      if (!row || row.version !== version) {
        const element = this.render(alert);
        row?.element.replaceWith(element);
        row = { element, version };
        this.rows.set(alert.id, row);
      }
      const expectedPosition: Element | null = previous === null ? this.element.firstElementChild : previous.nextElementSibling;
      if (expectedPosition !== row.element) {
        if (previous === null) this.element.prepend(row.element);
        else previous.after(row.element);
      }
      previous = row.element;
    }
    for (const [id, row] of this.rows) {
      if (keep.has(id)) continue;
      row.element.remove();
      this.rows.delete(id);
    }
  }
}
