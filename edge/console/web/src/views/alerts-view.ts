import { ANNUNCIATED, SUPPRESSED } from '../alerts/alert-list.js';
import type { AppContext, View } from '../app/app-context.js';
import { fill, h } from '../dom.js';
import { AlertRows, alertRow, followAlertList } from './alert-row.js';

/** The first screen: every annunciated alert, most urgent first, with acknowledge and shelve at hand. */
export class AlertsView implements View {
  readonly element: HTMLElement;
  private readonly rows: AlertRows;
  private readonly summary = h('div', { class: 'summary', 'data-testid': 'alert-summary' });
  private readonly empty: HTMLElement;
  private readonly unfollow: () => void;

  constructor(private readonly ctx: AppContext) {
    const { t } = ctx;
    ctx.watchSignals([]);
    this.rows = new AlertRows(h('div', { class: 'alert-list', 'data-testid': 'alert-list' }), (alert) => alertRow(ctx, alert, ['acknowledge', 'shelve']));
    this.empty = h('div', { class: 'empty-state', 'data-testid': 'no-alerts' }, h('div', { class: 'empty-mark', 'aria-hidden': 'true' }, '✓'), t.t('alerts.none'));
    this.element = h(
      'section',
      { class: 'view alerts-view', 'aria-labelledby': 'alerts-title' },
      h('div', { class: 'view-header' }, h('h1', { id: 'alerts-title' }, t.t('alerts.title')), this.summary),
      ctx.can('operator') ? null : h('p', { class: 'read-only-note', 'data-testid': 'read-only-note' }, t.t('role.readOnly', { role: t.t(`role.${ctx.user.role}`) })),
      this.rows.element,
      this.empty,
    );
    this.unfollow = followAlertList(ctx, (stamp) => this.update(stamp));
  }

  destroy(): void {
    this.unfollow();
  }

  private update(stamp: string): void {
    const { ctx } = this;
    const { t } = ctx;
    const alerts = ctx.alerts.list(ANNUNCIATED);
    this.rows.update(alerts, stamp);
    this.empty.hidden = alerts.length > 0 || ctx.alerts.lastEventId === null;
    const count = (state: (typeof ANNUNCIATED)[number]) => ctx.alerts.count([state]);
    const suppressed = ctx.alerts.count(SUPPRESSED);
    fill(
      this.summary,
      h('span', { class: 'summary-item state-active-unacked' }, t.t('summary.unacked', { count: count('active-unacked') })),
      h('span', { class: 'summary-item state-active-acked' }, t.t('summary.acked', { count: count('active-acked') })),
      h('span', { class: 'summary-item state-rtn-unacked' }, t.t('summary.rtn', { count: count('rtn-unacked') })),
      suppressed > 0 ? h('a', { class: 'summary-item suppressed-link', href: '#/suppressed' }, t.t('summary.suppressed', { count: suppressed })) : null,
    );
  }
}
