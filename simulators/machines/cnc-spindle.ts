import { BearingWearVibration } from './bearing-wear-vibration.js';
import type { MachineOptions } from './machine-base.js';
import { DEMO_PROGRAM, MachiningProgram } from './machining-program.js';
import { MotorDrivenMachine, type MotorDrivenDefinition } from './motor-driven-machine.js';
import { ProtectiveTrips, type TripSetting } from './protective-trips.js';
import { analogSignal } from './signal-specs.js';
import { SlowWander } from './slow-wander.js';
import { zeroAtRest } from './zero-at-rest.js';

const SIGNALS = [
  analogSignal('speed', 'Spindle speed', 'rpm', [0, 24000]),
  analogSignal('load', 'Spindle load', '%', [0, 150]),
  analogSignal('motor_current', 'Motor current', 'A', [0, 60]),
  analogSignal('bearing_temp', 'Front bearing temperature', '°C', [0, 120]),
  analogSignal('vibration', 'Vibration', 'mm/s', [0, 30]),
  analogSignal('coolant_temp', 'Spindle coolant temperature', '°C', [0, 60]),
] as const;
type SpindleSignal = (typeof SIGNALS)[number]['id'];

const DEFINITION: MotorDrivenDefinition<SpindleSignal> = {
  kind: 'cnc-spindle',
  signals: SIGNALS,
  physicalFaults: ['bearing-wear', 'motor-overheating'],
  // Drive enable and lubrication check take 3 s; a stop brakes within 3 s; after a trip the drive is
  // off and the spindle coasts for about 10 s.
  driveTiming: { startSeconds: 3, stopSeconds: 3, coastSeconds: 10 },
};

/** The CNC's trip table for spindle-01. */
export const SPINDLE_TRIPS = {
  motorOvercurrent: { code: 102, cause: 'motor overcurrent (spindle overload)', quantity: 'motor_current', unit: 'A', comparison: 'above', limit: 32, resetMargin: 0, delaySeconds: 5, runningOnly: true },
  highVibration: { code: 103, cause: 'high vibration', quantity: 'vibration', unit: 'mm/s', comparison: 'above', limit: 6, resetMargin: 0, delaySeconds: 3, runningOnly: false },
  bearingOverTemperature: { code: 104, cause: 'bearing over-temperature', quantity: 'bearing_temp', unit: '°C', comparison: 'above', limit: 60, resetMargin: 10, delaySeconds: 10, runningOnly: false },
  coolantOverTemperature: { code: 401, cause: 'spindle coolant over-temperature', quantity: 'coolant_temp', unit: '°C', comparison: 'above', limit: 40, resetMargin: 5, delaySeconds: 30, runningOnly: false },
} as const satisfies Record<string, TripSetting>;

const MAX_SPEED = 18000;
const ACCELERATION_RPM_PER_S = 6000;
const BRAKING_RPM_PER_S = 7000;
/** Torque-producing current at 100 % load and the magnetising current of the spinning motor (A). */
const RATED_TORQUE_CURRENT = 28;
const MAGNETISING_CURRENT = 9;
const ACCELERATING_LOAD = 85;
const BRAKING_LOAD = 55;
const CHILLER_SETPOINT = 22;

/**
 * spindle-01: a 15 kW machining-centre motor spindle repeating a four-tool part program. See
 * simulators/MACHINES.md for its physics, fault signatures and trip table.
 */
export class CncSpindle extends MotorDrivenMachine<SpindleSignal> {
  protected readonly protection = new ProtectiveTrips([
    { ...SPINDLE_TRIPS.motorOvercurrent, value: () => this.#current },
    { ...SPINDLE_TRIPS.highVibration, value: () => this.#vibration },
    { ...SPINDLE_TRIPS.bearingOverTemperature, value: () => this.#bearingTemp },
    { ...SPINDLE_TRIPS.coolantOverTemperature, value: () => this.#coolantTemp },
  ]);

  readonly #program = new MachiningProgram(DEMO_PROGRAM);
  readonly #bearingWear = new BearingWearVibration({ steadyMmS: 4, impactMmS: 3 });
  readonly #engagementWander = new SlowWander(this.random, 0.07, 1.5);
  readonly #vibrationWander = new SlowWander(this.random, 0.05, 20);

  #cuttingLoadFactor = 100;
  #speed = 0;
  #load = 0;
  #current = 0;
  #bearingTemp = 32;
  #coolantTemp = CHILLER_SETPOINT;
  #vibration = 0;

  constructor(options: MachineOptions) {
    super(DEFINITION, options);
    this.warmUp(300);
  }

  protected applyLoad(percent: number): void {
    this.#cuttingLoadFactor = percent;
  }

  /** A new run begins with the first tool. */
  protected override onStart(): void {
    this.#program.restart();
  }

  protected advanceProcess(dt: number): void {
    const bearingWear = this.severity('bearing-wear');
    const overheating = this.severity('motor-overheating');

    // The program runs only while the machine runs (a stop or trip is also a feed hold: the tool leaves
    // the material); it commands a speed, which the drive's ramps (and, after a trip, the coast) limit.
    const command = this.drive.state === 'running' ? this.#program.step(dt, this.#speed) : undefined;
    const target = command?.targetSpeedRpm ?? 0;
    const previousSpeed = this.#speed;
    const accelerated = Math.min(target, previousSpeed + ACCELERATION_RPM_PER_S * dt);
    const braked = Math.max(target, previousSpeed - BRAKING_RPM_PER_S * dt);
    this.#speed = Math.min(target >= previousSpeed ? accelerated : braked, MAX_SPEED * this.drive.speedFraction);
    const speedRatio = this.#speed / MAX_SPEED;

    // Load: friction and windage, acceleration torque, and the cut itself.
    const change = this.#speed - previousSpeed;
    const accelerationLoad = change > 1 ? ACCELERATING_LOAD : change < -1 && this.drive.energised ? BRAKING_LOAD : 0;
    const fullCut = command ? command.engagement * command.operation.cutLoadPercent * (this.#cuttingLoadFactor / 100) : 0;
    const cutLoad = fullCut * (1 + this.#engagementWander.step(dt));
    const friction = this.#speed > 0 ? 3 + 5 * speedRatio ** 2 + 4 * bearingWear * speedRatio : 0;
    this.#load = this.drive.energised ? friction + accelerationLoad + Math.max(0, cutLoad) : 0;

    // Current of a vector-controlled motor: magnetising plus torque-producing parts; a hot motor draws a little more.
    const magnetising = this.drive.energised ? 2 + (MAGNETISING_CURRENT - 2) * Math.min(1, this.#speed / 1500) : 0;
    this.#current = Math.hypot(magnetising, (RATED_TORQUE_CURRENT * this.#load) / 100) * (1 + 0.03 * overheating);

    // The chiller holds the coolant near its setpoint; a failing chiller (motor-overheating) lets it climb.
    this.#coolantTemp = this.lag(this.#coolantTemp, CHILLER_SETPOINT + 0.05 * this.#load + 24 * overheating, 400, dt);
    const bearingTarget = this.#coolantTemp + 3 + 16 * speedRatio ** 1.3 + 30 * bearingWear * Math.min(1, this.#speed / 6000);
    this.#bearingTemp = this.lag(this.#bearingTemp, bearingTarget, 300, dt);

    const baseline = (0.15 + 1.0 * speedRatio ** 2 + 0.012 * Math.max(0, cutLoad)) * (1 + this.#vibrationWander.step(dt));
    this.#vibration = (this.#speed > 0 ? baseline : 0) + this.#bearingWear.step(dt, bearingWear, this.#speed / 12000, this.faultRandom);
  }

  protected measure(): Record<SpindleSignal, number> {
    return {
      speed: zeroAtRest(this.#speed, this.noise(2)),
      load: zeroAtRest(this.#load, this.noise(0.4)),
      motor_current: zeroAtRest(this.#current, this.#current * this.noise(0.01)),
      bearing_temp: this.#bearingTemp + this.noise(0.05),
      vibration: this.#vibration * (1 + this.noise(0.03)) + Math.abs(this.noise(0.02)),
      coolant_temp: this.#coolantTemp + this.noise(0.05),
    };
  }
}
