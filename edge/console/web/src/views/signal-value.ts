import type { Asset, SignalView } from '../api-types.js';
import type { AppContext } from '../app/app-context.js';
import { h, setText } from '../dom.js';
import { signalDecimals } from '../format/formats.js';
import { parseEnumeration } from '../machines/enumeration.js';

/**
 * A signal's current value as text that keeps its width (fixed decimals, tabular digits), its unit,
 * and what the value is worth: stale, bad, uncertain, outside its normal range or past a limit.
 */
export class SignalValue {
  readonly element: HTMLElement;
  private readonly number = h('span', { class: 'value-number' });
  private readonly unit = h('span', { class: 'value-unit' });
  private readonly note = h('span', { class: 'value-note' });
  private readonly decimals: number;
  private readonly enumeration: ReadonlyMap<number, string>;

  constructor(
    private readonly ctx: AppContext,
    private readonly asset: Asset,
    private readonly signal: SignalView,
  ) {
    this.decimals = signalDecimals(signal);
    this.enumeration = parseEnumeration(signal.description);
    this.element = h('span', { class: 'signal-value', 'data-signal': signal.key }, this.number, this.unit, this.note);
    this.refresh();
  }

  refresh(): void {
    const { ctx, signal } = this;
    const { t, formats } = ctx;
    const latest = ctx.values.get(signal.key);
    const fresh = ctx.isFresh(this.asset.id);
    const value = latest?.point[1] ?? null;
    const quality = latest?.point[2];
    let state = 'ok';
    let note = '';
    if (latest === undefined) {
      state = 'missing';
      note = t.t('value.none');
    } else if (quality === 'bad' || value === null) {
      state = 'bad';
      note = t.t('value.bad');
    } else if (!fresh) {
      state = 'stale';
      note = t.t('value.stale', { time: formats.time(latest.point[0]) });
    } else if (quality === 'uncertain') {
      state = 'uncertain';
      note = t.t('value.uncertain');
    } else {
      state = this.band(value);
      const word = this.enumeration.get(value);
      if (word !== undefined) note = t.optional(`machine.${word}`) ?? word;
    }
    setText(this.number, value === null || latest === undefined ? '—' : formats.number(value, this.enumeration.size > 0 ? 0 : this.decimals));
    setText(this.unit, signal.unit === '' ? '' : formats.unit(signal.unit));
    setText(this.note, note);
    if (this.element.dataset.state !== state) this.element.dataset.state = state;
  }

  /** Low limits and the low end of the normal range count only while the machine runs, as the rules do. */
  private band(value: number): string {
    const { limits, normal } = this.signal;
    const status = this.ctx.status(this.asset);
    const running = status === 'running' || status === 'reporting';
    const high = limits.high ?? limits.highHigh;
    const low = limits.low ?? limits.lowLow;
    if (high !== undefined && value > high) return 'beyond-limit';
    if (running && low !== undefined && value < low) return 'beyond-limit';
    if (normal && (value > normal[1] || (running && value < normal[0]))) return 'outside-normal';
    return 'ok';
  }
}
