import { actionButtons } from '../alerts/alert-actions.js';
import { contributionsOf, describeAlert, parseConditionId, signalsToChart, thresholdOf } from '../alerts/alert-description.js';
import type { Alert, AlertEvent } from '../api-types.js';
import type { AppContext, View } from '../app/app-context.js';
import { fill, h } from '../dom.js';
import { stateLine } from './alert-row.js';
import { SignalPanel } from './signal-panel.js';

const BEFORE_MS = 3 * 60_000;
const MIN_WINDOW_MS = 5 * 60_000;
const MAX_WINDOW_MS = 60 * 60_000;

/** One alert: what, where, its state and actions, the signals around it, and everything that happened to it. */
export class AlertDetailView implements View {
  readonly element: HTMLElement;
  private readonly header = h('div', { class: 'alert-detail-header' });
  private readonly charts = h('div', { class: 'signal-grid' });
  private readonly history = h('tbody');
  private alert: Alert | null = null;
  private events: AlertEvent[] = [];
  private panels: SignalPanel[] = [];
  private chartsFor = '';
  private readonly unsubscribe: (() => void)[] = [];

  constructor(
    private readonly ctx: AppContext,
    private readonly id: number,
  ) {
    const { t } = ctx;
    ctx.watchSignals([]);
    this.element = h(
      'section',
      { class: 'view alert-detail-view', 'data-alert-id': id },
      h('div', { class: 'view-header' }, h('a', { class: 'button back', href: '#/alerts' }, `‹ ${t.t('nav.alerts')}`), h('h1', {}, t.t('detail.title', { id }))),
      this.header,
      h('h2', {}, t.t('detail.signals')),
      this.charts,
      h('h2', {}, t.t('detail.history')),
      h(
        'table',
        { class: 'event-table', 'data-testid': 'alert-history' },
        h('thead', {}, h('tr', {}, ...(['history.time', 'history.event', 'history.change', 'history.who', 'history.comment'] as const).map((key) => h('th', {}, t.t(key))))),
        this.history,
      ),
    );
    this.unsubscribe.push(
      ctx.alertsChanged.on(() => this.onAlertsChanged()),
      ctx.catalog.changed.on(() => this.renderCharts()),
      ctx.tick.on(() => this.panels.forEach((panel) => panel.refresh())),
    );
    void this.load();
  }

  destroy(): void {
    for (const unsubscribe of this.unsubscribe) unsubscribe();
    for (const panel of this.panels) panel.destroy();
  }

  private async load(): Promise<void> {
    try {
      const { alert, events } = await this.ctx.api.alert(this.id);
      const live = this.ctx.alerts.get(this.id);
      this.alert = live && live.lastEventId > alert.lastEventId ? live : alert;
      this.events = events;
    } catch {
      this.header.replaceChildren(h('p', { class: 'empty-state' }, this.ctx.t.t('detail.notFound', { id: this.id })));
      return;
    }
    this.render();
  }

  private onAlertsChanged(): void {
    const live = this.ctx.alerts.get(this.id);
    const known = this.alert;
    if (known === null) return;
    // a change while open, or the alert closed (it left the open list): fetch its events again
    if ((live && live.lastEventId !== known.lastEventId) || (!live && known.state !== 'normal')) void this.load();
  }

  private render(): void {
    const alert = this.alert;
    if (!alert) return;
    const { ctx } = this;
    const { t, formats } = ctx;
    const asset = ctx.catalog.asset(alert.asset);
    fill(
      this.header,
      h(
        'div',
        { class: `alert-row detail state-${alert.state} priority-${alert.priority}`, 'data-alert-id': alert.id, 'data-state': alert.state, 'data-condition': alert.conditionId },
        h('div', { class: 'alert-priority' }, h('span', { class: `priority-chip priority-${alert.priority}` }, t.t(`priority.${alert.priority}`))),
        h(
          'div',
          { class: 'alert-main' },
          h('div', { class: 'alert-asset' }, asset ? h('a', { href: `#/machines/${encodeURIComponent(asset.id)}` }, h('strong', {}, asset.name), ` · ${asset.id}`) : alert.asset),
          h('div', { class: 'alert-text' }, describeAlert(alert, t, formats, ctx.catalog.unitOf)),
          h('div', { class: 'alert-state', 'data-testid': 'alert-state' }, stateLine(ctx, alert)),
          h(
            'dl',
            { class: 'facts' },
            h('dt', {}, t.t('detail.activated')),
            h('dd', {}, formats.dateTime(alert.activatedAt)),
            alert.clearedAt !== null ? [h('dt', {}, t.t('detail.cleared')), h('dd', {}, formats.dateTime(alert.clearedAt))] : null,
            h('dt', {}, t.t('detail.condition')),
            h('dd', {}, alert.conditionId),
            h('dt', {}, t.t('detail.original')),
            h('dd', { lang: 'en' }, alert.message),
          ),
        ),
        h('div', { class: 'alert-actions' }, ...actionButtons(ctx, alert)),
      ),
      ctx.can('operator') ? null : h('p', { class: 'read-only-note', 'data-testid': 'read-only-note' }, t.t('role.readOnly', { role: t.t(`role.${ctx.user.role}`) })),
    );
    this.history.replaceChildren(...[...this.events].reverse().map((event) => this.eventRow(event)));
    this.renderCharts();
  }

  private eventRow(event: AlertEvent): HTMLElement {
    const { t, formats } = this.ctx;
    const state = (value: string | null) => (value === null ? '' : (t.optional(`state.${value}`) ?? value));
    const change = event.fromState !== event.toState && event.toState !== null ? `${state(event.fromState) || '—'} → ${state(event.toState)}` : '';
    const details = (event.details ?? {}) as Record<string, unknown>;
    const note = [event.comment, typeof details.reason === 'string' ? details.reason : null, typeof details.until === 'number' ? t.t('history.until', { time: formats.dateTime(details.until) }) : null].filter(Boolean).join(' · ');
    return h(
      'tr',
      { 'data-event-type': event.type },
      h('td', {}, formats.dateTime(event.ts)),
      h('td', {}, t.optional(`event.${event.type}`) ?? event.type),
      h('td', {}, change),
      h('td', {}, event.who === 'system' ? t.t('history.system') : event.who),
      h('td', {}, note),
    );
  }

  /** Charts once the alert and its machine are known; rebuilt only when the alert opened or closed again. */
  private renderCharts(): void {
    const alert = this.alert;
    const asset = alert ? this.ctx.catalog.asset(alert.asset) : undefined;
    if (!alert || !asset) return;
    const open = alert.state !== 'normal';
    const key = `${alert.lastActivatedAt}|${open}`;
    if (key === this.chartsFor) return;
    this.chartsFor = key;
    for (const panel of this.panels) panel.destroy();
    const { t, formats } = this.ctx;
    const signals = signalsToChart(alert, asset.signals.map((signal) => signal.id));
    const own = parseConditionId(alert.conditionId).signal;
    const contributions = contributionsOf(alert);
    const total = contributions.reduce((sum, c) => sum + Math.abs(c.share), 0);
    const shares = new Map(contributions.map((c) => [c.signal, total > 0 ? Math.abs(c.share) / total : 0]));
    const closedEnd = (alert.closedAt ?? alert.clearedAt ?? alert.updatedAt) + 60_000;
    const end = open ? () => this.ctx.now() : () => closedEnd;
    const windowMs = Math.min(MAX_WINDOW_MS, Math.max(MIN_WINDOW_MS, end() - (alert.lastActivatedAt - BEFORE_MS)));
    const markers = [{ ts: alert.lastActivatedAt, label: t.t('chart.activated') }, ...(alert.clearedAt !== null ? [{ ts: alert.clearedAt, label: t.t('chart.cleared') }] : [])];
    this.panels = signals.map((id) => {
      const signal = asset.signals.find((s) => s.id === id)!;
      const share = shares.get(id);
      return new SignalPanel(this.ctx, asset, signal, {
        windowMs,
        height: 200,
        end,
        live: open,
        markers,
        threshold: id === own ? thresholdOf(alert) : null,
        ...(share === undefined ? {} : { badge: t.t('detail.contribution', { share: formats.number(share * 100, 0) }) }),
      });
    });
    this.charts.replaceChildren(...this.panels.map((panel) => panel.element));
    this.ctx.watchSignals(open ? signals.map((id) => `${asset.id}/${id}`) : []);
  }
}
