import type { Asset, SignalView } from '../api-types.js';
import type { AppContext } from '../app/app-context.js';
import { TimeChart } from '../charts/time-chart.js';
import { h } from '../dom.js';
import { signalDecimals } from '../format/formats.js';
import { SignalValue } from './signal-value.js';

export interface SignalPanelOptions {
  readonly windowMs: number;
  readonly height: number;
  /** The right edge of the chart; the server's now by default (a live chart). */
  readonly end?: () => number;
  /** Live values extend the chart (default); false for the record of a closed alert. */
  readonly live?: boolean;
  readonly threshold?: number | null;
  readonly markers?: readonly { readonly ts: number; readonly label: string }[];
  /** Shown after the signal's name, e.g. its share in a model finding. */
  readonly badge?: string;
}

const HISTORY_POINTS = 600;

/** One signal: name, live value, normal range and limits, and its chart (history, then live points). */
export class SignalPanel {
  readonly element: HTMLElement;
  private readonly value: SignalValue;
  private readonly chart: TimeChart;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly ctx: AppContext,
    private readonly asset: Asset,
    private readonly signal: SignalView,
    private readonly options: SignalPanelOptions,
  ) {
    const { t, formats } = ctx;
    this.value = new SignalValue(ctx, asset, signal);
    const chartHost = h('div', { class: 'chart-host' });
    const decimals = signalDecimals(signal);
    const range = signal.normal ? t.t('signal.normal', { low: formats.number(signal.normal[0], decimals), high: formats.number(signal.normal[1], decimals), unit: formats.unit(signal.unit) }) : '';
    const limits = Object.entries(signal.limits)
      .filter(([, value]) => value !== undefined)
      .map(([name, value]) => `${t.optional(`limit.${name}`) ?? name} ${formats.number(value!, decimals)}`)
      .join(' · ');
    this.element = h(
      'section',
      { class: 'signal-panel', 'data-signal': signal.key },
      h(
        'header',
        { class: 'signal-header' },
        h(
          'div',
          { class: 'signal-heading' },
          h('div', { class: 'signal-title' }, h('h3', {}, signal.id), options.badge ? h('span', { class: 'signal-badge' }, options.badge) : null),
          h('div', { class: 'signal-meta' }, [signal.description, range, limits].filter(Boolean).join(' · ') || '\u00a0'),
        ),
        this.value.element,
      ),
      chartHost,
    );
    this.chart = new TimeChart(chartHost, {
      formats,
      decimals,
      height: options.height,
      normal: signal.normal,
      limits: signal.limits,
      threshold: options.threshold ?? null,
      markers: options.markers ?? [],
      windowMs: options.windowMs,
      end: options.end ?? (() => ctx.now()),
      ...(options.live === false ? {} : { holdLast: () => ctx.isFresh(asset.id) }),
      label: t.t('chart.label', { signal: signal.id, asset: asset.name }),
    });
    this.unsubscribe = ctx.values.subscribe((batch) => {
      const points = batch.get(signal.key);
      if (!points) return;
      if (options.live !== false) this.chart.add(points);
      this.value.refresh();
    });
    void this.loadHistory();
  }

  /** Freshness changes without new values (connection lost, asset silent). */
  refresh(): void {
    this.value.refresh();
  }

  destroy(): void {
    this.unsubscribe();
    this.chart.destroy();
  }

  private async loadHistory(): Promise<void> {
    const end = (this.options.end ?? (() => this.ctx.now()))();
    try {
      const history = await this.ctx.api.history(this.asset.id, this.signal.id, { from: end - this.options.windowMs, to: end, points: HISTORY_POINTS });
      this.chart.add(history.points);
    } catch {
      this.element.classList.add('history-missing');
    }
  }
}
