import uPlot from 'uplot';
import type { Point } from '../api-types.js';
import type { Formats } from '../format/formats.js';
import { SeriesBuffer } from '../live/series-buffer.js';

type Limits = { readonly lowLow?: number; readonly low?: number; readonly high?: number; readonly highHigh?: number };

export interface TimeChartOptions {
  readonly formats: Formats;
  readonly decimals: number;
  readonly height: number;
  readonly normal: readonly [number, number] | null;
  readonly limits: Limits;
  /** The alert's threshold: drawn strongest and always inside the value range. */
  readonly threshold?: number | null;
  /** Vertical lines (e.g. when the alert activated). */
  readonly markers?: readonly { readonly ts: number; readonly label: string }[];
  /** How much time the chart shows. */
  readonly windowMs: number;
  /** The right edge: the server's "now" for a live chart, a fixed time for a closed alert. */
  readonly end: () => number;
  /**
   * Whether the last value still holds: servers report by exception, so a signal that does not
   * change sends nothing. While this is true the line is drawn on to the right edge; when the data
   * is stale it stops at the last point received.
   */
  readonly holdLast?: () => boolean;
  /** A sparkline: no axes, no cursor. */
  readonly compact?: boolean;
  readonly label: string;
}

const COLOURS = {
  line: '#0b3d91',
  normalBand: 'rgba(46, 125, 50, 0.12)',
  limit: '#b85c00',
  limit2: '#c62828',
  threshold: '#c62828',
  marker: '#6a1b9a',
  axis: '#333',
  grid: 'rgba(0, 0, 0, 0.10)',
};
const FONT = '14px system-ui, sans-serif';
const REDRAW_MS = 250;

/**
 * A uPlot time chart of one signal with its normal band, limit lines, an optional threshold and
 * markers; fed with history, then live points. Redraws at most four times a second, and once a
 * second even without data, so a signal that stopped reporting visibly stops at its last point.
 */
export class TimeChart {
  readonly buffer: SeriesBuffer;
  private readonly plot: uPlot;
  private readonly resizeObserver: ResizeObserver;
  private dirty = true;
  private lastDraw = 0;

  constructor(
    private readonly host: HTMLElement,
    private readonly options: TimeChartOptions,
  ) {
    this.buffer = new SeriesBuffer(options.windowMs);
    host.classList.add('time-chart');
    host.style.height = `${options.height}px`;
    host.setAttribute('role', 'img');
    host.setAttribute('aria-label', options.label);
    this.plot = new uPlot(this.plotOptions(), [[], []], host);
    this.resizeObserver = new ResizeObserver(() => this.fit());
    this.resizeObserver.observe(host);
    charts.add(this);
    ensureTicker();
  }

  add(points: readonly Point[]): void {
    if (points.length === 0) return;
    this.buffer.add(points);
    this.dirty = true;
  }

  destroy(): void {
    charts.delete(this);
    this.resizeObserver.disconnect();
    this.plot.destroy();
  }

  /** Called by the shared ticker. */
  redraw(now: number): void {
    if (!this.dirty && now - this.lastDraw < 1000) return;
    if (now - this.lastDraw < REDRAW_MS) return;
    const end = this.options.end();
    this.buffer.trim(end);
    const { times, values } = this.buffer;
    const lastTime = times.at(-1);
    const lastValue = values.at(-1);
    const hold = lastTime !== undefined && lastTime < end && lastValue !== null && lastValue !== undefined && this.options.holdLast?.() === true;
    this.plot.setData(hold ? [[...times, end], [...values, lastValue]] : [times, values]);
    this.dirty = false;
    this.lastDraw = now;
  }

  private fit(): void {
    const width = this.host.clientWidth;
    if (width > 0 && width !== this.plot.width) this.plot.setSize({ width, height: this.options.height });
  }

  private plotOptions(): uPlot.Options {
    const { formats, decimals, compact } = this.options;
    const axisFont = FONT;
    return {
      width: Math.max(100, this.host.clientWidth),
      height: this.options.height,
      ms: 1,
      pxAlign: 0,
      legend: { show: false },
      cursor: compact ? { show: false } : { y: false, points: { show: false } },
      padding: compact ? [4, 2, 4, 2] : [12, 12, 0, 0],
      scales: {
        x: { time: true, range: () => [this.options.end() - this.options.windowMs, this.options.end()] },
        y: { range: (_u, min, max) => this.valueRange(min, max) },
      },
      axes: compact
        ? [{ show: false }, { show: false }]
        : [
            {
              font: axisFont,
              stroke: COLOURS.axis,
              size: 36,
              grid: { stroke: COLOURS.grid },
              ticks: { stroke: COLOURS.grid },
              // ticks closer than a minute apart need their seconds
              values: (_u, splits, _axis, _space, increment) => splits.map((ts) => (increment < 60_000 ? formats.time(ts) : formats.clock(ts))),
            },
            {
              font: axisFont,
              stroke: COLOURS.axis,
              size: 72,
              grid: { stroke: COLOURS.grid },
              ticks: { stroke: COLOURS.grid },
              values: (_u, splits) => splits.map((value) => formats.number(value, Math.min(3, decimals))),
            },
          ],
      series: [{}, { stroke: COLOURS.line, width: compact ? 1.5 : 2, spanGaps: false, points: { show: false } }],
      hooks: { drawClear: [(u) => this.drawBands(u)], draw: [(u) => this.drawLines(u)] },
    };
  }

  /** The data's range, widened to the normal range, the first limits and the threshold, with a margin. */
  private valueRange(dataMin: number | null, dataMax: number | null): uPlot.Range.MinMax {
    const { normal, limits, threshold } = this.options;
    const values = [dataMin, dataMax, normal?.[0], normal?.[1], threshold].filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
    if (!this.options.compact) {
      for (const value of [limits.high, limits.low]) if (value !== undefined) values.push(value);
      if (dataMax !== null && limits.high !== undefined && limits.highHigh !== undefined && dataMax > limits.high) values.push(limits.highHigh);
      if (dataMin !== null && limits.low !== undefined && limits.lowLow !== undefined && dataMin < limits.low) values.push(limits.lowLow);
    }
    if (values.length === 0) return [0, 1];
    let min = Math.min(...values);
    let max = Math.max(...values);
    if (min === max) {
      min -= Math.abs(min) * 0.1 || 1;
      max += Math.abs(max) * 0.1 || 1;
    }
    const margin = (max - min) * 0.08;
    return [min - margin, max + margin];
  }

  private drawBands(u: uPlot): void {
    const normal = this.options.normal;
    if (!normal) return;
    const { ctx, bbox } = u;
    const top = u.valToPos(normal[1], 'y', true);
    const bottom = u.valToPos(normal[0], 'y', true);
    ctx.save();
    ctx.fillStyle = COLOURS.normalBand;
    const y0 = Math.max(bbox.top, Math.min(top, bottom));
    const y1 = Math.min(bbox.top + bbox.height, Math.max(top, bottom));
    if (y1 > y0) ctx.fillRect(bbox.left, y0, bbox.width, y1 - y0);
    ctx.restore();
  }

  private drawLines(u: uPlot): void {
    const { ctx, bbox } = u;
    const ratio = devicePixelRatio || 1;
    const horizontal = (value: number, colour: string, width: number, dash: number[]) => {
      const y = u.valToPos(value, 'y', true);
      if (y < bbox.top || y > bbox.top + bbox.height) return;
      ctx.strokeStyle = colour;
      ctx.lineWidth = width * ratio;
      ctx.setLineDash(dash.map((d) => d * ratio));
      ctx.beginPath();
      ctx.moveTo(bbox.left, y);
      ctx.lineTo(bbox.left + bbox.width, y);
      ctx.stroke();
    };
    ctx.save();
    const { limits, threshold, markers } = this.options;
    for (const [name, value] of Object.entries(limits)) {
      if (value === undefined || value === threshold) continue;
      horizontal(value, name === 'high' || name === 'low' ? COLOURS.limit : COLOURS.limit2, 1.5, [6, 4]);
    }
    if (threshold !== null && threshold !== undefined) horizontal(threshold, COLOURS.threshold, 2.5, []);
    for (const marker of markers ?? []) {
      const x = u.valToPos(marker.ts, 'x', true);
      if (x < bbox.left || x > bbox.left + bbox.width) continue;
      ctx.strokeStyle = COLOURS.marker;
      ctx.lineWidth = 2 * ratio;
      ctx.setLineDash([4 * ratio, 3 * ratio]);
      ctx.beginPath();
      ctx.moveTo(x, bbox.top);
      ctx.lineTo(x, bbox.top + bbox.height);
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.fillStyle = COLOURS.marker;
      ctx.font = `${13 * ratio}px system-ui, sans-serif`;
      const width = ctx.measureText(marker.label).width;
      const fitsRight = x + 4 * ratio + width < bbox.left + bbox.width;
      ctx.fillText(marker.label, fitsRight ? x + 4 * ratio : x - 4 * ratio - width, bbox.top + 14 * ratio);
    }
    ctx.restore();
  }
}

const charts = new Set<TimeChart>();
let ticker: number | undefined;

/** One timer for every chart on the page. */
function ensureTicker(): void {
  if (ticker !== undefined) return;
  ticker = window.setInterval(() => {
    const now = performance.now();
    for (const chart of charts) chart.redraw(now);
  }, REDRAW_MS / 2);
}
