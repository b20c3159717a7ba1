import { BearingWearVibration } from './bearing-wear-vibration.js';
import type { ElectricalLoad } from './energy-meter.js';
import { InductionMotor } from './induction-motor.js';
import type { MachineOptions } from './machine-base.js';
import { MotorDrivenMachine, type MotorDrivenDefinition } from './motor-driven-machine.js';
import { ProtectiveTrips, type TripSetting } from './protective-trips.js';
import { analogSignal } from './signal-specs.js';
import { SlowWander } from './slow-wander.js';

const SIGNALS = [
  analogSignal('motor_vibration', 'Motor vibration', 'mm/s', [0, 30]),
  analogSignal('motor_temp', 'Motor housing temperature', '°C', [0, 150]),
] as const;
type ConveyorSignal = (typeof SIGNALS)[number]['id'];

const DEFINITION: MotorDrivenDefinition<ConveyorSignal> = {
  kind: 'conveyor-motor',
  signals: SIGNALS,
  physicalFaults: ['bearing-wear', 'motor-overheating'],
  // Direct-on-line start of 2 s; the loaded belt runs down in about 3 s.
  driveTiming: { startSeconds: 2, stopSeconds: 3, coastSeconds: 3 },
};

/** The motor starter's protection (there is no PLC; the wireless sensor only watches). */
export const CONVEYOR_TRIPS = {
  motorOverTemperature: {
    code: 101,
    cause: 'motor over-temperature (PTC thermistor relay)',
    quantity: 'winding temperature',
    unit: '°C',
    comparison: 'above',
    limit: 130,
    resetMargin: 20,
    delaySeconds: 5,
    runningOnly: false,
  },
} as const satisfies Record<string, TripSetting>;

const SUPPLY_VOLTAGE = 400;
/** Housing rise above ambient at rated losses with the fan running, and its thermal time constant. */
const HOUSING_RISE_AT_RATED_LOSSES = 38;
const HOUSING_TAU_SECONDS = 600;
/** The winding runs this much hotter than the housing at rated losses. */
const WINDING_GRADIENT_AT_RATED_LOSSES = 22;

export interface ConveyorMotorOptions extends MachineOptions {
  /** Belt load in % of the belt's rated product load (default 60). */
  readonly loadPercent?: number;
}

/**
 * A 4 kW conveyor drive motor as its wireless vibration/temperature sensor sees it. The belt load
 * varies with the product on the belt; the motor's electrical power feeds the line's energy meter.
 * See simulators/MACHINES.md for its physics, fault signatures and trip table.
 */
export class ConveyorMotor extends MotorDrivenMachine<ConveyorSignal> implements ElectricalLoad {
  protected readonly protection = new ProtectiveTrips([{ ...CONVEYOR_TRIPS.motorOverTemperature, value: () => this.#windingTemp }]);

  readonly #motor = new InductionMotor({ shaftKw: 4, voltage: SUPPLY_VOLTAGE, efficiency: 0.87, powerFactor: 0.81, noLoadCurrentFraction: 0.45 });
  readonly #bearingWear = new BearingWearVibration({ steadyMmS: 4.5, impactMmS: 3 });
  readonly #ambientWander = new SlowWander(this.random, 1.0, 3600);
  readonly #occupancyWander = new SlowWander(this.random, 0.12, 20);
  readonly #vibrationWander = new SlowWander(this.random, 0.05, 30);

  #loadPercent: number;
  /** Product on the belt, 0 (empty) .. 1 (rated load), and the knocks of parcels dropping onto it. */
  #occupancy: number;
  #productKnocks = 0;
  #activePowerKw = 0;
  #reactivePowerKvar = 0;
  #housingTemp = 45;
  #windingTemp = 55;
  #vibration = 1;

  constructor(options: ConveyorMotorOptions) {
    super(DEFINITION, options);
    this.#loadPercent = options.loadPercent ?? 60;
    this.#occupancy = this.#loadPercent / 100;
    this.warmUp(120);
  }

  get activePowerKw(): number {
    return this.#activePowerKw;
  }

  get reactivePowerKvar(): number {
    return this.#reactivePowerKvar;
  }

  protected applyLoad(percent: number): void {
    this.#loadPercent = percent;
  }

  protected advanceProcess(dt: number): void {
    const bearingWear = this.severity('bearing-wear');
    const overheating = this.severity('motor-overheating');
    const ambient = 22 + this.#ambientWander.step(dt);
    const speedFraction = this.drive.speedFraction;

    this.#occupancy = Math.max(0, (this.#loadPercent / 100) * (1 + this.#occupancyWander.step(dt)));
    this.#productKnocks *= Math.exp(-dt / 0.6);
    if (this.random.chance(1 - Math.exp(-0.6 * dt * Math.min(1.5, this.#occupancy)))) {
      this.#productKnocks += this.random.between(0.15, 0.35);
    }

    let lossesKw = 0;
    if (this.drive.energised) {
      const shaftKw = 4 * (0.28 + 0.55 * this.#occupancy) * speedFraction * (1 + 0.04 * bearingWear);
      const point = this.#motor.operate(shaftKw, SUPPLY_VOLTAGE);
      this.#activePowerKw = point.inputKw;
      this.#reactivePowerKvar = point.reactiveKvar;
      lossesKw = point.lossesKw;
    } else {
      this.#activePowerKw = 0;
      this.#reactivePowerKvar = 0;
    }

    // A blocked fan cowl (motor-overheating) raises the housing's thermal resistance to the air.
    const cooling = 0.35 + 0.65 * speedFraction;
    const thermalResistance = (1 + 3 * overheating) / cooling;
    const lossRatio = lossesKw / this.#motor.ratedLossesKw;
    const housingTarget = ambient + HOUSING_RISE_AT_RATED_LOSSES * thermalResistance * lossRatio + 8 * bearingWear * speedFraction;
    this.#housingTemp = this.lag(this.#housingTemp, housingTarget, HOUSING_TAU_SECONDS * thermalResistance, dt);
    this.#windingTemp = this.lag(this.#windingTemp, this.#housingTemp + WINDING_GRADIENT_AT_RATED_LOSSES * lossRatio, 120, dt);

    const baseline = (0.75 + 0.25 * this.#occupancy) * speedFraction * (1 + this.#vibrationWander.step(dt));
    this.#vibration = baseline + this.#productKnocks * speedFraction + this.#bearingWear.step(dt, bearingWear, speedFraction, this.faultRandom);
  }

  protected measure(): Record<ConveyorSignal, number> {
    return {
      motor_vibration: this.#vibration * (1 + this.noise(0.04)) + Math.abs(this.noise(0.02)),
      motor_temp: this.#housingTemp + this.noise(0.1),
    };
  }
}
