import { ANNUNCIATED, SUPPRESSED } from '../alerts/alert-list.js';
import { parseConditionId } from '../alerts/alert-description.js';
import type { Asset, SignalView } from '../api-types.js';
import { sparklineSignals } from '../machines/sparkline-signals.js';
import type { AppContext, View } from '../app/app-context.js';
import { routeHash } from '../app/routes.js';
import { TimeChart } from '../charts/time-chart.js';
import { h, setText } from '../dom.js';
import { signalDecimals } from '../format/formats.js';
import { SignalValue } from './signal-value.js';

const SPARK_WINDOW_MS = 10 * 60_000;
/** Every machine at a glance: status, open alerts, and a few sparklines with live values. */
export class MachinesView implements View {
  readonly element: HTMLElement;
  private readonly grid = h('div', { class: 'machine-grid', 'data-testid': 'machine-grid' });
  private cards: MachineCard[] = [];
  private layout = '';
  private readonly unsubscribe: (() => void)[] = [];

  constructor(private readonly ctx: AppContext) {
    this.element = h('section', { class: 'view machines-view' }, h('div', { class: 'view-header' }, h('h1', {}, ctx.t.t('machines.title'))), this.grid);
    this.unsubscribe.push(
      ctx.catalog.changed.on(() => this.build()),
      ctx.alertsChanged.on(() => this.build()),
      ctx.tick.on(() => this.cards.forEach((card) => card.refresh())),
    );
    this.build();
  }

  destroy(): void {
    for (const unsubscribe of this.unsubscribe) unsubscribe();
    for (const card of this.cards) card.destroy();
  }

  /** Rebuilds the cards only when which machines or which sparklines changed; otherwise refreshes them. */
  private build(): void {
    const { ctx } = this;
    const plan = ctx.catalog.assets.map((asset) => ({ asset, signals: sparklineSignals(asset, alertedSignals(ctx, asset.id)) }));
    const layout = plan.map(({ asset, signals }) => `${asset.id}:${signals.map((s) => s.id).join(',')}`).join('|');
    if (layout === this.layout) {
      for (const card of this.cards) card.refresh();
      return;
    }
    this.layout = layout;
    for (const card of this.cards) card.destroy();
    this.cards = plan.map(({ asset, signals }) => new MachineCard(ctx, asset, signals));
    this.grid.replaceChildren(...this.cards.map((card) => card.element));
    const keys = plan.flatMap(({ asset, signals }) => [...signals.map((signal) => signal.key), ...(asset.running ? [`${asset.id}/${asset.running.signal}`] : [])]);
    ctx.watchSignals(keys);
  }
}

function alertedSignals(ctx: AppContext, asset: string): Set<string> {
  const signals = ctx.alerts.list(ANNUNCIATED, asset).map((alert) => parseConditionId(alert.conditionId).signal);
  return new Set(signals.filter((signal): signal is string => signal !== null));
}

class MachineCard {
  readonly element: HTMLElement;
  private readonly status = h('span', { class: 'status-pill', 'data-testid': 'machine-status' });
  private readonly alertBadge = h('span', { class: 'alert-badge' });
  private readonly values: SignalValue[] = [];
  private readonly charts: TimeChart[] = [];
  private readonly unsubscribe: () => void;

  constructor(
    private readonly ctx: AppContext,
    private readonly asset: Asset,
    signals: readonly SignalView[],
  ) {
    const { t, formats } = ctx;
    const rows = signals.map((signal) => {
      const value = new SignalValue(ctx, asset, signal);
      const host = h('div', { class: 'sparkline' });
      this.values.push(value);
      const chart = new TimeChart(host, {
        formats,
        decimals: signalDecimals(signal),
        height: 40,
        normal: signal.normal,
        limits: signal.limits,
        windowMs: SPARK_WINDOW_MS,
        end: () => ctx.now(),
        holdLast: () => ctx.isFresh(asset.id),
        compact: true,
        label: t.t('chart.label', { signal: signal.id, asset: asset.name }),
      });
      this.charts.push(chart);
      void ctx.api
        .history(asset.id, signal.id, { from: ctx.now() - SPARK_WINDOW_MS, points: 120 })
        .then((history) => chart.add(history.points))
        .catch(() => undefined);
      return h('div', { class: 'spark-row' }, h('span', { class: 'spark-name' }, signal.id), host, value.element);
    });
    this.unsubscribe = ctx.values.subscribe((batch) => {
      signals.forEach((signal, index) => {
        const points = batch.get(signal.key);
        if (!points) return;
        this.charts[index]!.add(points);
        this.values[index]!.refresh();
      });
      if (asset.running && batch.has(`${asset.id}/${asset.running.signal}`)) this.refreshStatus();
    });
    this.element = h(
      'a',
      { class: 'machine-card', href: routeHash({ name: 'machine', asset: asset.id }), 'data-asset': asset.id },
      h('header', { class: 'machine-card-header' }, h('div', {}, h('h2', {}, asset.name), h('div', { class: 'muted' }, [asset.id, asset.line].filter(Boolean).join(' · '))), this.status),
      this.alertBadge,
      h('div', { class: 'spark-list' }, ...rows),
    );
    this.refresh();
  }

  refresh(): void {
    this.refreshStatus();
    for (const value of this.values) value.refresh();
    const { t } = this.ctx;
    const open = this.ctx.alerts.count(ANNUNCIATED, this.asset.id);
    const unacked = this.ctx.alerts.count(['active-unacked', 'rtn-unacked'], this.asset.id);
    const suppressed = this.ctx.alerts.count(SUPPRESSED, this.asset.id);
    const priority = this.ctx.alerts.highestPriority(this.asset.id);
    this.alertBadge.className = `alert-badge ${priority ? `priority-${priority}` : 'none'}${unacked > 0 ? ' unacked' : ''}`;
    const parts = [open > 0 ? t.t('machines.openAlerts', { count: open }) : t.t('machines.noAlerts')];
    if (unacked > 0) parts.push(t.t('machines.unacked', { count: unacked }));
    if (suppressed > 0) parts.push(t.t('summary.suppressed', { count: suppressed }));
    setText(this.alertBadge, parts.join(' · '));
  }

  destroy(): void {
    this.unsubscribe();
    for (const chart of this.charts) chart.destroy();
  }

  private refreshStatus(): void {
    const status = this.ctx.status(this.asset);
    setText(this.status, this.ctx.t.t(`status.${status}`));
    this.status.dataset.status = status;
  }
}
