import type { ActiveFault, Reading, ReadingStatus, SignalSpec } from '../machine.js';
import { effectiveSeverity } from './fault-book.js';
import { IntermittentOutage } from './intermittent-outage.js';
import type { SeededRandom } from './seeded-random.js';

/** A drifting sensor at severity 1 moves 2 % of its span per minute (upwards). */
const DRIFT_SPAN_FRACTION_PER_SECOND = 0.02 / 60;
/** A spiking sensor produces on average one spike every 5 s, each lasting 0.3 s. */
const SPIKES_PER_SECOND = 0.2;
const SPIKE_SECONDS = 0.3;
/** A spike at severity 1 is 15–30 % of the span, up or down. */
const SPIKE_SPAN_FRACTION = 0.3;

type FaultState =
  | { readonly kind: 'sensor-stuck'; readonly value: number }
  | { readonly kind: 'sensor-drift'; bias: number }
  | { readonly kind: 'sensor-spike'; offset: number; remainingSeconds: number }
  | { readonly kind: 'sensor-dropout' | 'comm-loss'; readonly outage: IntermittentOutage };

/**
 * What the gateway sees of a machine's instruments: the measured values with the instrument and link
 * faults applied. stuck freezes the value at onset; drift adds a bias that grows with time × severity;
 * spike adds short random excursions of a size ∝ severity; dropout fails the channel ('sensor-failure')
 * and comm-loss the whole device ('no-communication') for a fraction of the time equal to the severity
 * (1 = permanently). A reading without a usable value carries NaN. Values are clamped to the
 * instrument range, as a transmitter saturates at its range ends.
 */
export class SensorFaultLayer {
  readonly #signals: readonly SignalSpec[];
  readonly #random: SeededRandom;
  readonly #states = new WeakMap<ActiveFault, FaultState>();

  constructor(signals: readonly SignalSpec[], random: SeededRandom) {
    this.#signals = signals;
    this.#random = random;
  }

  /** Starts tracking a newly injected fault; `measured` holds the values at the moment of onset. */
  begin(fault: ActiveFault, measured: Float64Array, now: number): void {
    const state = this.#initialState(fault, measured, now);
    if (state) this.#states.set(fault, state);
  }

  /** Evolves the faults' own dynamics (drift, spikes, outages) by one step. */
  advance(faults: readonly ActiveFault[], now: number, dtSeconds: number): void {
    for (const fault of faults) {
      const state = this.#states.get(fault);
      if (!state) continue;
      const severity = effectiveSeverity(fault, now);
      const span = this.#span(fault.signal);
      switch (state.kind) {
        case 'sensor-stuck':
          break;
        case 'sensor-drift':
          state.bias += severity * DRIFT_SPAN_FRACTION_PER_SECOND * span * dtSeconds;
          break;
        case 'sensor-spike':
          state.remainingSeconds -= dtSeconds;
          if (state.remainingSeconds <= 0) state.offset = 0;
          if (this.#random.chance(1 - Math.exp(-SPIKES_PER_SECOND * dtSeconds))) {
            const sign = this.#random.chance(0.5) ? 1 : -1;
            state.offset = sign * severity * SPIKE_SPAN_FRACTION * span * this.#random.between(0.5, 1);
            state.remainingSeconds = SPIKE_SECONDS;
          }
          break;
        case 'sensor-dropout':
        case 'comm-loss':
          state.outage.step(dtSeconds, severity, this.#random);
          break;
      }
    }
  }

  /** The readings, in signal order, for the given measured values and active faults. */
  compose(measured: Float64Array, faults: readonly ActiveFault[]): Reading[] {
    const stuck = new Map<string, number>();
    const offset = new Map<string, number>();
    const failed = new Set<string>();
    let linkDown = false;
    for (const fault of faults) {
      const state = this.#states.get(fault);
      if (!state) continue;
      const signal = fault.signal ?? '';
      switch (state.kind) {
        case 'sensor-stuck':
          stuck.set(signal, state.value);
          break;
        case 'sensor-drift':
          offset.set(signal, (offset.get(signal) ?? 0) + state.bias);
          break;
        case 'sensor-spike':
          offset.set(signal, (offset.get(signal) ?? 0) + state.offset);
          break;
        case 'sensor-dropout':
          if (state.outage.down) failed.add(signal);
          break;
        case 'comm-loss':
          linkDown ||= state.outage.down;
          break;
      }
    }
    return this.#signals.map((spec, index) => {
      const status: ReadingStatus = linkDown ? 'no-communication' : failed.has(spec.id) ? 'sensor-failure' : 'good';
      if (status !== 'good') return { signal: spec.id, value: Number.NaN, status };
      const value = (stuck.get(spec.id) ?? measured[index] ?? Number.NaN) + (offset.get(spec.id) ?? 0);
      return { signal: spec.id, value: clamp(value, spec.range), status };
    });
  }

  #initialState(fault: ActiveFault, measured: Float64Array, now: number): FaultState | undefined {
    const severity = effectiveSeverity(fault, now);
    switch (fault.fault) {
      case 'sensor-stuck':
        return { kind: 'sensor-stuck', value: measured[this.#signals.findIndex((spec) => spec.id === fault.signal)] ?? Number.NaN };
      case 'sensor-drift':
        return { kind: 'sensor-drift', bias: 0 };
      case 'sensor-spike':
        return { kind: 'sensor-spike', offset: 0, remainingSeconds: 0 };
      case 'sensor-dropout':
      case 'comm-loss':
        return { kind: fault.fault, outage: new IntermittentOutage(severity) };
      default:
        return undefined;
    }
  }

  #span(signal: string | undefined): number {
    const spec = this.#signals.find((candidate) => candidate.id === signal);
    return spec ? spec.range[1] - spec.range[0] : 0;
  }
}

function clamp(value: number, [low, high]: readonly [number, number]): number {
  return Math.min(high, Math.max(low, value));
}
