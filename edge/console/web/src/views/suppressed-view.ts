import { SUPPRESSED } from '../alerts/alert-list.js';
import type { AppContext, View } from '../app/app-context.js';
import { h } from '../dom.js';
import { AlertRows, alertRow, followAlertList } from './alert-row.js';

/** Shelved and out-of-service alerts: not annunciated, but never forgotten: who, why, until when, and the live condition. */
export class SuppressedView implements View {
  readonly element: HTMLElement;
  private readonly rows: AlertRows;
  private readonly empty: HTMLElement;
  private readonly unfollow: () => void;

  constructor(private readonly ctx: AppContext) {
    const { t } = ctx;
    ctx.watchSignals([]);
    this.rows = new AlertRows(h('div', { class: 'alert-list suppressed', 'data-testid': 'suppressed-list' }), (alert) => alertRow(ctx, alert, ['unshelve', 'return-to-service']));
    this.empty = h('div', { class: 'empty-state' }, t.t('suppressed.none'));
    this.element = h(
      'section',
      { class: 'view suppressed-view' },
      h('div', { class: 'view-header' }, h('h1', {}, t.t('suppressed.title')), h('p', { class: 'view-intro' }, t.t('suppressed.intro'))),
      this.rows.element,
      this.empty,
    );
    this.unfollow = followAlertList(ctx, (stamp) => this.update(stamp));
  }

  destroy(): void {
    this.unfollow();
  }

  private update(stamp: string): void {
    const alerts = this.ctx.alerts.list(SUPPRESSED);
    this.rows.update(alerts, stamp);
    this.empty.hidden = alerts.length > 0;
  }
}
