import type { Quality, Sample } from '../sample.js';
import type { DownsampleRule, UplinkSettings } from './uplink-config.js';

/** Aggregates of one period of one signal (period downsampling); min/max/mean over its finite values. */
export interface PointWindow {
  readonly from: number;
  readonly to: number;
  readonly min: number | null;
  readonly max: number | null;
  readonly mean: number | null;
  readonly count: number;
}

/** One value of one signal as it goes north. */
export interface UplinkPoint {
  readonly signal: string;
  readonly ts: number;
  /** NaN when the source had no usable value (quality bad). */
  readonly value: number;
  readonly quality: Quality;
  readonly window?: PointWindow;
}

/** Points ready to go, by asset, each asset's in the order they came. */
export type PointsByAsset = Map<string, UplinkPoint[]>;

interface OpenWindow {
  index: number;
  openedAt: number;
  lastTs: number;
  lastValue: number;
  quality: Quality;
  min: number;
  max: number;
  sum: number;
  finite: number;
  count: number;
}

interface SignalState {
  readonly asset: string;
  readonly signal: string;
  readonly rule: DownsampleRule;
  seen: number;
  window: OpenWindow | null;
}

const QUALITY_RANK: Readonly<Record<Quality, number>> = { good: 0, uncertain: 1, bad: 2 };

/**
 * Thins telemetry per signal before it is buffered. `every: N` passes the 1st, (N+1)th, ... sample of
 * each signal; samples whose quality is not good always pass (a failing sensor must show north).
 * `period` keeps one window per signal, aligned to multiples of the period on the samples' time, and
 * emits it (last value and time, worst quality, min/max/mean/count) when a sample of a later period
 * arrives or, for a quiet signal, one period of wall-clock time after the window opened (closeDue).
 */
export class TelemetryDownsampler {
  readonly #settings: UplinkSettings['telemetry'];
  readonly #signals = new Map<string, SignalState>();
  #skipped = 0;

  constructor(settings: UplinkSettings['telemetry']) {
    this.#settings = settings;
  }

  /** True when some signal is downsampled by period, so closeDue() must be called regularly. */
  get hasPeriods(): boolean {
    return this.#settings.downsample.kind === 'period' || this.#settings.signals.some((entry) => entry.rule.kind === 'period');
  }

  /** Samples that did not go north as points of their own (folded into a window or skipped by `every`). */
  get skipped(): number {
    return this.#skipped;
  }

  add(batch: readonly Sample[], now: number): PointsByAsset {
    const out: PointsByAsset = new Map();
    for (const sample of batch) {
      const state = this.#stateOf(sample.asset, sample.signal);
      const rule = state.rule;
      if (rule.kind === 'every') {
        if (rule.every === 1 || sample.quality !== 'good' || state.seen++ % rule.every === 0) {
          push(out, sample.asset, { signal: sample.signal, ts: sample.ts, value: sample.value, quality: sample.quality });
        } else {
          this.#skipped += 1;
        }
        continue;
      }
      const index = Math.floor(sample.ts / rule.periodMs);
      if (state.window !== null && index > state.window.index) this.#close(state, out);
      if (state.window === null) {
        state.window = { index, openedAt: now, lastTs: sample.ts, lastValue: NaN, quality: 'good', min: Infinity, max: -Infinity, sum: 0, finite: 0, count: 0 };
      } else {
        this.#skipped += 1;
      }
      const window = state.window;
      window.count += 1;
      window.lastTs = Math.max(window.lastTs, sample.ts);
      if (QUALITY_RANK[sample.quality] > QUALITY_RANK[window.quality]) window.quality = sample.quality;
      if (Number.isFinite(sample.value)) {
        window.lastValue = sample.value;
        window.min = Math.min(window.min, sample.value);
        window.max = Math.max(window.max, sample.value);
        window.sum += sample.value;
        window.finite += 1;
      }
    }
    return out;
  }

  /** Windows opened at least one period ago (wall clock). */
  closeDue(now: number): PointsByAsset {
    const out: PointsByAsset = new Map();
    for (const state of this.#signals.values()) {
      if (state.window !== null && state.rule.kind === 'period' && now - state.window.openedAt >= state.rule.periodMs) this.#close(state, out);
    }
    return out;
  }

  /** Every open window, e.g. at shutdown. */
  closeAll(): PointsByAsset {
    const out: PointsByAsset = new Map();
    for (const state of this.#signals.values()) if (state.window !== null) this.#close(state, out);
    return out;
  }

  #close(state: SignalState, out: PointsByAsset): void {
    const window = state.window;
    if (window === null || state.rule.kind !== 'period') return;
    state.window = null;
    const period = state.rule.periodMs;
    const finite = window.finite > 0;
    push(out, state.asset, {
      signal: state.signal,
      ts: window.lastTs,
      value: window.lastValue,
      quality: window.quality,
      window: {
        from: window.index * period,
        to: (window.index + 1) * period,
        min: finite ? window.min : null,
        max: finite ? window.max : null,
        mean: finite ? window.sum / window.finite : null,
        count: window.count,
      },
    });
  }

  #stateOf(asset: string, signal: string): SignalState {
    const key = `${asset}\u0000${signal}`;
    let state = this.#signals.get(key);
    if (state === undefined) {
      const rule = this.#settings.signals.find((entry) => entry.pattern.matches(asset, signal))?.rule ?? this.#settings.downsample;
      state = { asset, signal, rule, seen: 0, window: null };
      this.#signals.set(key, state);
    }
    return state;
  }
}

function push(out: PointsByAsset, asset: string, point: UplinkPoint): void {
  const points = out.get(asset);
  if (points === undefined) out.set(asset, [point]);
  else points.push(point);
}
