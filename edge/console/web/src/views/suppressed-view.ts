import { SUPPRESSED } from '../alerts/alert-list.js';
import type { AppContext, View } from '../app/app-context.js';
import { h } from '../dom.js';
import { AlertRows, alertRow } from './alert-row.js';

/** Shelved and out-of-service alerts: not annunciated, but never forgotten: who, why, until when, and the live condition. */
export class SuppressedView implements View {
  readonly element: HTMLElement;
  private readonly rows: AlertRows;
  private readonly empty: HTMLElement;
  private readonly unsubscribe: (() => void)[] = [];
  private minute = 0;

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
    this.unsubscribe.push(ctx.alertsChanged.on(() => this.update()), ctx.catalog.changed.on(() => this.update()), ctx.tick.on(() => this.onTick()));
    this.update();
  }

  destroy(): void {
    for (const unsubscribe of this.unsubscribe) unsubscribe();
  }

  private onTick(): void {
    if (Math.floor(Date.now() / 30_000) !== this.minute) this.update();
  }

  private update(): void {
    this.minute = Math.floor(Date.now() / 30_000);
    const alerts = this.ctx.alerts.list(SUPPRESSED);
    this.rows.update(alerts, `${this.minute}|${this.ctx.catalog.loaded}`);
    this.empty.hidden = alerts.length > 0;
  }
}
