import type { OperatingState } from '../machine.js';
import { MachineBase, type MachineDefinition, type MachineOptions } from './machine-base.js';
import { analogSignal } from './signal-specs.js';
import { SlowWander } from './slow-wander.js';

/** Something on the metered line that draws power: the meter adds these to the line's base load. */
export interface ElectricalLoad {
  readonly activePowerKw: number;
  readonly reactivePowerKvar: number;
}

const SIGNALS = [
  analogSignal('power', 'Active power', 'kW', [0, 200]),
  analogSignal('energy', 'Active energy import', 'kWh', [0, 10_000_000]),
  analogSignal('voltage_l1', 'Voltage L1-N', 'V', [0, 300]),
  analogSignal('voltage_l2', 'Voltage L2-N', 'V', [0, 300]),
  analogSignal('voltage_l3', 'Voltage L3-N', 'V', [0, 300]),
  analogSignal('power_factor', 'Power factor', '', [0, 1]),
  analogSignal('frequency', 'Frequency', 'Hz', [45, 55]),
] as const;
type MeterSignal = (typeof SIGNALS)[number]['id'];

const DEFINITION: MachineDefinition<MeterSignal> = { kind: 'energy-meter', signals: SIGNALS, physicalFaults: [] };

/** The line's own consumers (packaging machines, lighting, compressed-air dryer) at 100 % load. */
const RATED_BASE_LOAD_KW = 60;
/** Reactive share of the base load (power factor about 0.91). */
const BASE_LOAD_TAN_PHI = 0.45;
/** A film sealer's heater cycles on its thermostat. */
const SEALER_KW = 7.5;
const SEALER_ON_SECONDS: readonly [number, number] = [10, 14];
const SEALER_OFF_SECONDS: readonly [number, number] = [15, 22];
const NOMINAL_VOLTAGE = 230;
/** Voltage drop of the supply per kW drawn by the line. */
const DROP_VOLTS_PER_KW = 0.015;

export interface EnergyMeterOptions extends MachineOptions {
  /** Loads on the line besides its base load, e.g. the conveyor motors. */
  readonly feeders?: readonly ElectricalLoad[];
  /** The energy register before the machine's two minutes of warm-up history (default 152 340 kWh). */
  readonly initialEnergyKwh?: number;
  /** Base load of the line in % of 60 kW (default 75). */
  readonly loadPercent?: number;
}

/**
 * meter-01: the packaging line's incomer meter. Power is the line's base load (which wanders and
 * includes a cycling sealer heater) plus its feeders; energy integrates power; phase voltages sag with
 * load and carry a small fixed imbalance; frequency wanders around 50 Hz. A meter has no operating
 * state of its own: it is always 'running' and cannot trip.
 */
export class EnergyMeter extends MachineBase<MeterSignal> {
  readonly state: OperatingState = 'running';
  readonly faultCode = 0;
  readonly #feeders: readonly ElectricalLoad[];
  readonly #baseLoadWander = new SlowWander(this.random, 0.06, 120);
  readonly #gridVoltageWander = new SlowWander(this.random, 0.006, 900);
  readonly #frequencyWander = new SlowWander(this.random, 0.02, 30);
  readonly #phaseWanders = [new SlowWander(this.random, 0.3, 60), new SlowWander(this.random, 0.3, 60), new SlowWander(this.random, 0.3, 60)];
  readonly #phaseImbalance = [this.random.between(-0.8, 0.8), this.random.between(-0.8, 0.8), this.random.between(-0.8, 0.8)];

  #loadPercent: number;
  #sealerOn = false;
  #secondsToSealerSwitch = 0;
  #powerKw = 50;
  #reactiveKvar = 22;
  #energyKwh: number;
  #phaseVoltages = [NOMINAL_VOLTAGE, NOMINAL_VOLTAGE, NOMINAL_VOLTAGE];
  #frequency = 50;

  constructor(options: EnergyMeterOptions) {
    super(DEFINITION, options);
    this.#feeders = options.feeders ?? [];
    this.#loadPercent = options.loadPercent ?? 75;
    this.#energyKwh = options.initialEnergyKwh ?? 152_340;
    this.warmUp(120);
  }

  command(command: 'start' | 'stop' | 'reset'): void {
    if (command === 'reset') return;
    throw new Error(
      `${this.id} (energy-meter) cannot '${String(command)}': it only measures the packaging line's incomer; start or stop the machines on the line, or use setLoad to change its base load`,
    );
  }

  protected applyLoad(percent: number): void {
    this.#loadPercent = percent;
  }

  protected advance(dt: number): void {
    this.#secondsToSealerSwitch -= dt;
    if (this.#secondsToSealerSwitch <= 0) {
      this.#sealerOn = !this.#sealerOn;
      this.#secondsToSealerSwitch = this.random.between(...(this.#sealerOn ? SEALER_ON_SECONDS : SEALER_OFF_SECONDS));
    }
    const baseKw = Math.max(0, RATED_BASE_LOAD_KW * (this.#loadPercent / 100) * (1 + this.#baseLoadWander.step(dt)));
    const sealerKw = this.#loadPercent > 0 && this.#sealerOn ? SEALER_KW : 0;
    const feederKw = this.#feeders.reduce((sum, feeder) => sum + feeder.activePowerKw, 0);
    const feederKvar = this.#feeders.reduce((sum, feeder) => sum + feeder.reactivePowerKvar, 0);
    this.#powerKw = baseKw + sealerKw + feederKw;
    this.#reactiveKvar = baseKw * BASE_LOAD_TAN_PHI + feederKvar;
    this.#energyKwh += (this.#powerKw * dt) / 3600;

    const gridVoltage = NOMINAL_VOLTAGE * (1 + this.#gridVoltageWander.step(dt)) - DROP_VOLTS_PER_KW * this.#powerKw;
    this.#phaseVoltages = this.#phaseWanders.map((wander, phase) => gridVoltage + (this.#phaseImbalance[phase] ?? 0) + wander.step(dt));
    this.#frequency = 50 + this.#frequencyWander.step(dt);
  }

  protected measure(): Record<MeterSignal, number> {
    const apparentKva = Math.hypot(this.#powerKw, this.#reactiveKvar);
    const [l1 = 0, l2 = 0, l3 = 0] = this.#phaseVoltages;
    return {
      power: this.#powerKw * (1 + this.noise(0.002)),
      // The register counts in 0.01 kWh steps.
      energy: Math.floor(this.#energyKwh * 100) / 100,
      voltage_l1: l1 + this.noise(0.1),
      voltage_l2: l2 + this.noise(0.1),
      voltage_l3: l3 + this.noise(0.1),
      power_factor: apparentKva > 0 ? Math.min(1, this.#powerKw / apparentKva + this.noise(0.001)) : 1,
      frequency: this.#frequency + this.noise(0.002),
    };
  }
}
