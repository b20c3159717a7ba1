import type { ActiveFault, FaultKind, FaultRequest, OperatingState, Reading, SimulatedMachine } from '../machine.js';
import { COMMON_FAULTS, effectiveSeverity, FaultBook } from './fault-book.js';
import { approach } from './first-order-lag.js';
import { SeededRandom } from './seeded-random.js';
import { SensorFaultLayer } from './sensor-fault-layer.js';
import type { SignalDefinition } from './signal-specs.js';

export interface MachineDefinition<S extends string> {
  readonly kind: string;
  readonly signals: readonly SignalDefinition<S>[];
  /** The physical faults this kind can develop; sensor faults and comm-loss come with every kind. */
  readonly physicalFaults: readonly FaultKind[];
}

export interface MachineOptions {
  readonly id: string;
  /** Plant seed; the machine derives its own random streams from it and its id. */
  readonly seed: number;
}

/** Load setpoints beyond rated duty are accepted up to this (an operator can overload a machine). */
export const MAX_LOAD_PERCENT = 150;
/** The physics never integrates more than this at once, so a long step() stays accurate. */
const MAX_PHYSICS_STEP_SECONDS = 0.5;
/** Passes with instant lags that put every temperature and level at its steady state at construction. */
const SETTLE_PASSES = 4;

/**
 * What every simulated machine shares: simulated time, the fault book, the sensor-fault layer between
 * the measured values and the readings, and a warm start. A kind supplies its physics (`advance`), its
 * instruments (`measure`, with their noise), its run state and commands.
 *
 * Randomness comes from two streams per machine: `random` for noise and normal operating variation,
 * `faultRandom` for what developing faults do (impacts, cavitation). A faulty machine therefore shares
 * its noise with a healthy twin built from the same seed, and sensor faults (a third stream) never
 * change the physics.
 */
export abstract class MachineBase<S extends string> implements SimulatedMachine {
  readonly id: string;
  readonly kind: string;
  readonly signals: readonly SignalDefinition<S>[];
  readonly supportedFaults: readonly FaultKind[];
  protected readonly random: SeededRandom;
  protected readonly faultRandom: SeededRandom;
  /** Simulated seconds since the machine was created (its warm-up history not counted). */
  protected now = 0;
  readonly #faults: FaultBook;
  readonly #sensors: SensorFaultLayer;
  readonly #measured: Float64Array;
  #settling = false;

  abstract readonly state: OperatingState;
  abstract readonly faultCode: number;
  abstract command(command: 'start' | 'stop' | 'reset'): void;

  constructor(definition: MachineDefinition<S>, options: MachineOptions) {
    this.id = options.id;
    this.kind = definition.kind;
    this.signals = definition.signals;
    this.supportedFaults = [...definition.physicalFaults, ...COMMON_FAULTS];
    this.random = SeededRandom.forStream(options.seed, options.id, 'process');
    this.faultRandom = SeededRandom.forStream(options.seed, options.id, 'faults');
    this.#faults = new FaultBook(this);
    this.#sensors = new SensorFaultLayer(this.signals, SeededRandom.forStream(options.seed, options.id, 'sensors'));
    this.#measured = new Float64Array(this.signals.length);
  }

  /** Advances the physics by dt simulated seconds (in sub-steps of at most 0.5 s), then samples the instruments. */
  step(dtSeconds: number): void {
    if (!(Number.isFinite(dtSeconds) && dtSeconds >= 0)) {
      throw new Error(`${this.id}: step() needs a finite, non-negative number of simulated seconds, got ${dtSeconds}`);
    }
    let remaining = dtSeconds;
    while (remaining > 1e-12) {
      const dt = Math.min(remaining, MAX_PHYSICS_STEP_SECONDS);
      this.now += dt;
      this.advance(dt);
      this.#sensors.advance(this.#faults.active, this.now, dt);
      remaining -= dt;
    }
    this.#sample();
  }

  readings(): Reading[] {
    return this.#sensors.compose(this.#measured, this.#faults.active);
  }

  get activeFaults(): readonly ActiveFault[] {
    return this.#faults.active;
  }

  inject(request: FaultRequest): void {
    const fault = this.#faults.add(request, this.now);
    this.#sensors.begin(fault, this.#measured, this.now);
  }

  clearFaults(fault?: FaultKind): void {
    this.#faults.remove(fault);
  }

  setLoad(percent: number): void {
    if (!(typeof percent === 'number' && percent >= 0 && percent <= MAX_LOAD_PERCENT)) {
      throw new Error(`${this.id} (${this.kind}): load must be from 0 to ${MAX_LOAD_PERCENT} % of rated duty, got ${percent}`);
    }
    this.applyLoad(percent);
  }

  /** The kind's meaning of a load setpoint (already checked to lie in 0..MAX_LOAD_PERCENT). */
  protected abstract applyLoad(percent: number): void;
  /** Advances the physics by dt ≤ 0.5 s. */
  protected abstract advance(dtSeconds: number): void;
  /** The instruments' values now, noise included (called once per step). */
  protected abstract measure(): Record<S, number>;

  /** Current severity (0..1, ramp applied) of a machine-wide fault; 0 when it is not active. */
  protected severity(kind: FaultKind): number {
    const fault = this.#faults.find(kind);
    return fault ? effectiveSeverity(fault, this.now) : 0;
  }

  /** First-order lag step; jumps straight to the target while the machine settles at construction. */
  protected lag(current: number, target: number, tauSeconds: number, dtSeconds: number): number {
    return this.#settling ? target : approach(current, target, tauSeconds, dtSeconds);
  }

  /** Gaussian noise with the given standard deviation. */
  protected noise(standardDeviation: number): number {
    return standardDeviation * this.random.gaussian();
  }

  /**
   * Warm start: settles every lag at its steady state, then runs `historySeconds` of ordinary operation
   * (so slow variations, cycles and rolling windows look lived-in), then restarts the clock at 0.
   * Call it at the end of the concrete machine's constructor.
   */
  protected warmUp(historySeconds: number): void {
    this.#settling = true;
    for (let pass = 0; pass < SETTLE_PASSES; pass++) this.advance(MAX_PHYSICS_STEP_SECONDS);
    this.#settling = false;
    this.step(historySeconds);
    this.now = 0;
  }

  #sample(): void {
    const values = this.measure();
    this.signals.forEach((spec, index) => {
      const value = values[spec.id];
      const [low, high] = spec.range;
      this.#measured[index] = spec.kind === 'boolean' ? (value >= 0.5 ? 1 : 0) : Math.min(high, Math.max(low, value));
    });
  }
}
