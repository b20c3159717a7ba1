import { BearingWearVibration } from './bearing-wear-vibration.js';
import { InductionMotor } from './induction-motor.js';
import type { MachineOptions } from './machine-base.js';
import { MotorDrivenMachine, type MotorDrivenDefinition } from './motor-driven-machine.js';
import { ProtectiveTrips, type TripSetting } from './protective-trips.js';
import { RollingFraction } from './rolling-fraction.js';
import { analogSignal, booleanSignal } from './signal-specs.js';
import { SlowWander } from './slow-wander.js';
import { zeroAtRest } from './zero-at-rest.js';

const SIGNALS = [
  analogSignal('discharge_pressure', 'Discharge pressure', 'bar', [0, 12]),
  analogSignal('discharge_temp', 'Discharge temperature', '°C', [0, 130]),
  analogSignal('oil_temp', 'Oil temperature', '°C', [0, 120]),
  analogSignal('motor_current', 'Motor current', 'A', [0, 250]),
  analogSignal('vibration', 'Vibration', 'mm/s', [0, 30]),
  booleanSignal('loaded', 'Loaded'),
  analogSignal('duty_cycle', 'Duty cycle (loaded share of running time, last 10 min)', '%', [0, 100]),
] as const;
type CompressorSignal = (typeof SIGNALS)[number]['id'];

const DEFINITION: MotorDrivenDefinition<CompressorSignal> = {
  kind: 'air-compressor',
  signals: SIGNALS,
  physicalFaults: ['bearing-wear', 'motor-overheating', 'air-leak'],
  // Star-delta start of about 6 s; a stop runs on unloaded and slows within 8 s; a trip coasts 8 s.
  driveTiming: { startSeconds: 6, stopSeconds: 8, coastSeconds: 8 },
};

/** The PLC trip table of compressor-01. */
export const COMPRESSOR_TRIPS = {
  motorOvercurrent: { code: 102, cause: 'motor overcurrent', quantity: 'motor_current', unit: 'A', comparison: 'above', limit: 125, resetMargin: 0, delaySeconds: 5, runningOnly: true },
  highVibration: { code: 103, cause: 'high vibration', quantity: 'vibration', unit: 'mm/s', comparison: 'above', limit: 7.1, resetMargin: 0, delaySeconds: 5, runningOnly: false },
  highDischargeTemperature: { code: 301, cause: 'high discharge temperature', quantity: 'discharge_temp', unit: '°C', comparison: 'above', limit: 115, resetMargin: 15, delaySeconds: 5, runningOnly: false },
} as const satisfies Record<string, TripSetting>;

export const LOAD_PRESSURE = 6.5;
export const UNLOAD_PRESSURE = 7.5;
/** Free air delivery when loaded (m³/min) and the air volume of receiver and network (m³). */
const FREE_AIR_DELIVERY = 10;
const SYSTEM_VOLUME = 5;
const ATMOSPHERE = 1.013;
/** An air leak at severity 1 loses this much free air (m³/min) at 7 bar. */
const FULL_LEAK = 3.5;
const SUPPLY_VOLTAGE = 400;
const UNLOADED_SHAFT_KW = 14;
const START_CURRENT = 2.0;
const DUTY_WINDOW_SECONDS = 600;

/**
 * compressor-01: an oil-injected rotary-screw compressor, 55 kW, load/unload control between 6.5 and
 * 7.5 bar. See simulators/MACHINES.md for its physics, fault signatures and trip table.
 */
export class AirCompressor extends MotorDrivenMachine<CompressorSignal> {
  protected readonly protection = new ProtectiveTrips([
    { ...COMPRESSOR_TRIPS.motorOvercurrent, value: () => this.#current },
    { ...COMPRESSOR_TRIPS.highVibration, value: () => this.#vibration },
    { ...COMPRESSOR_TRIPS.highDischargeTemperature, value: () => this.#dischargeTemp },
  ]);

  readonly #motor = new InductionMotor({ shaftKw: 55, voltage: SUPPLY_VOLTAGE, efficiency: 0.945, powerFactor: 0.87, noLoadCurrentFraction: 0.28 });
  readonly #bearingWear = new BearingWearVibration({ steadyMmS: 6, impactMmS: 4 });
  readonly #duty = new RollingFraction(DUTY_WINDOW_SECONDS);
  readonly #ambientWander = new SlowWander(this.random, 1.5, 3600);
  readonly #demandWander = new SlowWander(this.random, 0.06, 300);
  readonly #demandFlicker = new SlowWander(this.random, 0.04, 8);
  readonly #vibrationWander = new SlowWander(this.random, 0.05, 30);

  #demandPercent = 60;
  #pressure = 7;
  #loaded = true;
  /** Inlet valve position 0 (closed, unloaded) .. 1 (open, loaded). */
  #inletValve = 1;
  /** The inlet valve averaged over a couple of minutes: the oil circuit's heat load. */
  #averageLoad = 0.6;
  #current = 90;
  #oilTemp = 80;
  #dischargeTemp = 95;
  #vibration = 2;

  constructor(options: MachineOptions) {
    super(DEFINITION, options);
    this.warmUp(DUTY_WINDOW_SECONDS);
  }

  protected applyLoad(percent: number): void {
    this.#demandPercent = percent;
  }

  protected advanceProcess(dt: number): void {
    const bearingWear = this.severity('bearing-wear');
    const overheating = this.severity('motor-overheating');
    const leak = this.severity('air-leak');
    const ambient = 25 + this.#ambientWander.step(dt);
    const speedFraction = this.drive.speedFraction;

    // Load/unload control with hysteresis; only a running machine loads.
    if (this.drive.state !== 'running') this.#loaded = false;
    else if (this.#pressure <= LOAD_PRESSURE) this.#loaded = true;
    else if (this.#pressure >= UNLOAD_PRESSURE) this.#loaded = false;
    this.#inletValve = this.lag(this.#inletValve, this.#loaded ? 1 : 0, 1.5, dt);
    this.#averageLoad = this.lag(this.#averageLoad, this.#inletValve, 120, dt);
    this.#duty.record(dt, this.drive.energised, this.#loaded);

    // Receiver pressure integrates supply minus demand and leaks (isothermal, free-air flows).
    const demandFraction = Math.max(0, (this.#demandPercent / 100) * (1 + this.#demandWander.step(dt) + this.#demandFlicker.step(dt)));
    const pressureFactor = Math.sqrt(Math.max(0, this.#pressure) / 7);
    const consumed = FREE_AIR_DELIVERY * demandFraction * Math.min(1.1, pressureFactor) + FULL_LEAK * leak * pressureFactor;
    const supplied = FREE_AIR_DELIVERY * this.#inletValve * speedFraction;
    this.#pressure = Math.max(0, this.#pressure + (ATMOSPHERE * (supplied - consumed) * dt) / (60 * SYSTEM_VOLUME));

    // Motor: ~100 % current loaded, ~35 % unloaded; a star-delta start draws about twice rated current.
    if (this.drive.energised) {
      const loadedShaftKw = 44 + 1.4 * this.#pressure;
      const shaftKw = speedFraction * (UNLOADED_SHAFT_KW + (loadedShaftKw - UNLOADED_SHAFT_KW) * this.#inletValve) * (1 + 0.03 * bearingWear);
      let current = this.#motor.operate(shaftKw, SUPPLY_VOLTAGE).current * (1 + 0.02 * overheating);
      if (this.drive.state === 'starting') current = Math.max(current, START_CURRENT * this.#motor.ratedCurrent * (1 - speedFraction ** 3));
      this.#current = current;
    } else {
      this.#current = 0;
    }

    // Temperatures: the oil circuit follows the average load (a failing cooler fan raises it); the
    // air-end discharge follows the oil plus the compression heat of the moment.
    const running = speedFraction > 0;
    const oilTarget = running ? 72 + 14 * this.#averageLoad + 0.3 * (ambient - 25) + 26 * overheating + 4 * bearingWear : ambient;
    this.#oilTemp = this.lag(this.#oilTemp, oilTarget, running ? 240 : 1800, dt);
    const dischargeTarget = running ? this.#oilTemp + 5 + 12 * this.#inletValve : this.#oilTemp;
    this.#dischargeTemp = this.lag(this.#dischargeTemp, dischargeTarget, running ? 30 : 300, dt);

    const baseline = (1.3 + 0.6 * this.#inletValve) * speedFraction * (1 + this.#vibrationWander.step(dt));
    this.#vibration = baseline + this.#bearingWear.step(dt, bearingWear, speedFraction, this.faultRandom);
  }

  protected measure(): Record<CompressorSignal, number> {
    return {
      discharge_pressure: this.#pressure + 0.15 * this.#inletValve * this.drive.speedFraction + this.noise(0.01),
      discharge_temp: this.#dischargeTemp + this.noise(0.05),
      oil_temp: this.#oilTemp + this.noise(0.05),
      motor_current: zeroAtRest(this.#current, this.#current * this.noise(0.008)),
      vibration: this.#vibration * (1 + this.noise(0.03)) + Math.abs(this.noise(0.02)),
      loaded: this.#loaded ? 1 : 0,
      duty_cycle: 100 * this.#duty.fraction,
    };
  }
}
