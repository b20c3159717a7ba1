import { BearingWearVibration } from './bearing-wear-vibration.js';
import { InductionMotor } from './induction-motor.js';
import type { MachineOptions } from './machine-base.js';
import { MotorDrivenMachine, type MotorDrivenDefinition } from './motor-driven-machine.js';
import { ProtectiveTrips, type TripSetting } from './protective-trips.js';
import {
  cavitationHeadFactor,
  cavitationIntensity,
  flowRatio,
  headToBar,
  hydraulicPowerKw,
  npshAvailable,
  npshRequired,
  operatingFlow,
  pumpHead,
  RATED_FLOW,
  RATED_PUMP_SPEED,
  shaftPowerKw,
  SUCTION_HEADER_PRESSURE,
  SUCTION_LINE_RESISTANCE,
  systemResistance,
  valveOpeningFor,
  WATER_DENSITY,
} from './pump-hydraulics.js';
import { analogSignal } from './signal-specs.js';
import { SlowWander } from './slow-wander.js';
import { zeroAtRest } from './zero-at-rest.js';

const SIGNALS = [
  analogSignal('speed', 'Speed', 'rpm', [0, 3600]),
  analogSignal('motor_current', 'Motor current', 'A', [0, 150]),
  analogSignal('motor_voltage', 'Motor voltage', 'V', [0, 500]),
  analogSignal('motor_temp', 'Motor winding temperature', '°C', [0, 200]),
  analogSignal('vibration_de', 'Vibration, drive end', 'mm/s', [0, 30]),
  analogSignal('vibration_nde', 'Vibration, non-drive end', 'mm/s', [0, 30]),
  analogSignal('bearing_temp_de', 'Bearing temperature, drive end', '°C', [0, 150]),
  analogSignal('bearing_temp_nde', 'Bearing temperature, non-drive end', '°C', [0, 150]),
  analogSignal('suction_pressure', 'Suction pressure', 'bar', [-1, 6]),
  analogSignal('discharge_pressure', 'Discharge pressure', 'bar', [0, 16]),
  analogSignal('flow', 'Flow', 'm³/h', [0, 250]),
  analogSignal('fluid_temp', 'Fluid temperature', '°C', [0, 100]),
] as const;
type PumpSignal = (typeof SIGNALS)[number]['id'];

const DEFINITION: MotorDrivenDefinition<PumpSignal> = {
  kind: 'centrifugal-pump',
  signals: SIGNALS,
  physicalFaults: ['bearing-wear', 'cavitation', 'blockage', 'motor-overheating'],
  // Soft starter: 5 s ramp up, 4 s soft stop; after a trip the water column stops the impeller in ~6 s.
  driveTiming: { startSeconds: 5, stopSeconds: 4, coastSeconds: 6 },
};

/** The PLC trip table of pump-01. */
export const PUMP_TRIPS = {
  motorOverTemperature: { code: 101, cause: 'motor over-temperature', quantity: 'motor_temp', unit: '°C', comparison: 'above', limit: 140, resetMargin: 20, delaySeconds: 5, runningOnly: false },
  motorOvercurrent: { code: 102, cause: 'motor overcurrent', quantity: 'motor_current', unit: 'A', comparison: 'above', limit: 95, resetMargin: 0, delaySeconds: 5, runningOnly: true },
  highVibration: { code: 103, cause: 'high vibration', quantity: 'vibration_de or vibration_nde', unit: 'mm/s', comparison: 'above', limit: 7.1, resetMargin: 0, delaySeconds: 5, runningOnly: false },
  bearingOverTemperature: { code: 104, cause: 'bearing over-temperature', quantity: 'bearing_temp_de or bearing_temp_nde', unit: '°C', comparison: 'above', limit: 90, resetMargin: 10, delaySeconds: 10, runningOnly: false },
  lowSuctionPressure: { code: 201, cause: 'low suction pressure', quantity: 'suction_pressure', unit: 'bar', comparison: 'below', limit: -0.5, resetMargin: 0, delaySeconds: 10, runningOnly: true },
  lowFlow: { code: 202, cause: 'dead-head / low flow', quantity: 'flow', unit: 'm³/h', comparison: 'below', limit: 20, resetMargin: 0, delaySeconds: 15, runningOnly: true },
} as const satisfies Record<string, TripSetting>;

const SYNCHRONOUS_SPEED = 3000;
const RATED_SLIP = 0.01;
const SUPPLY_VOLTAGE = 400;
/** Soft-starter current limit while running up, × rated current. */
const START_CURRENT_LIMIT = 1.8;
/** Winding rise at rated losses with the fan running, and the winding's thermal time constant. */
const WINDING_RISE_AT_RATED_LOSSES = 80;
const WINDING_TAU_SECONDS = 450;
const BEARING_TAU_SECONDS = 900;
const FLUID_CASING_TAU_SECONDS = 120;
const LOOP_TAU_SECONDS = 900;
/** The control valve follows a changed demand over a minute or two. */
const DEMAND_TAU_SECONDS = 90;
/** Plant demand hops to a new level around the operator's setpoint every few minutes. */
const DEMAND_HOP_SECONDS: readonly [number, number] = [180, 480];
const DEMAND_HOP_PERCENT = 10;
const WATER_HEAT_CAPACITY = 4.18;

/**
 * pump-01: a cooling-water centrifugal pump, 45 kW 400 V 2-pole motor on a soft starter. See
 * simulators/MACHINES.md for its physics, fault signatures and trip table.
 */
export class CentrifugalPump extends MotorDrivenMachine<PumpSignal> {
  protected readonly protection = new ProtectiveTrips([
    { ...PUMP_TRIPS.motorOverTemperature, value: () => this.#windingTemp },
    { ...PUMP_TRIPS.motorOvercurrent, value: () => this.#current },
    { ...PUMP_TRIPS.highVibration, value: () => Math.max(this.#vibrationDe, this.#vibrationNde) },
    { ...PUMP_TRIPS.bearingOverTemperature, value: () => Math.max(this.#bearingTempDe, this.#bearingTempNde) },
    { ...PUMP_TRIPS.lowSuctionPressure, value: () => this.#suctionPressure },
    { ...PUMP_TRIPS.lowFlow, value: () => this.#flow },
  ]);

  readonly #motor = new InductionMotor({ shaftKw: 45, voltage: SUPPLY_VOLTAGE, efficiency: 0.94, powerFactor: 0.89, noLoadCurrentFraction: 0.3 });
  readonly #bearingWear = new BearingWearVibration({ steadyMmS: 6.5, impactMmS: 4 });
  readonly #ambientWander = new SlowWander(this.random, 1.0, 3600);
  readonly #supplyWander = new SlowWander(this.random, 0.005, 600);
  readonly #vibrationWander = new SlowWander(this.random, 0.05, 30);
  /** The head of a cavitating impeller fluctuates within fractions of a second. */
  readonly #cavitationTurbulence = new SlowWander(this.faultRandom, 1, 0.3);
  /** Broadband vibration of collapsing bubbles comes and goes within a second or so. */
  readonly #cavitationRumble = new SlowWander(this.faultRandom, 0.4, 1);

  #demandSetpoint = 80;
  #demandOffset = 0;
  #secondsToDemandHop = 0;
  #demand = 80;
  #valveOpening = valveOpeningFor(128);
  #speedRpm = RATED_PUMP_SPEED;
  #shaftKw = 20;
  #flow = 128;
  #head = 45;
  #cavitation = 0;
  #cavitationHeadFactor = 1;
  #suctionPressure = SUCTION_HEADER_PRESSURE;
  #dischargePressure = 6;
  #terminalVoltage = SUPPLY_VOLTAGE;
  #current = 45;
  #lossesKw = 1.7;
  #windingTemp = 70;
  #bearingTempDe = 50;
  #bearingTempNde = 45;
  #loopTemp = 30;
  #fluidTemp = 30;
  #vibrationDe = 1.5;
  #vibrationNde = 1.2;

  constructor(options: MachineOptions) {
    super(DEFINITION, options);
    this.warmUp(120);
  }

  protected applyLoad(percent: number): void {
    this.#demandSetpoint = percent;
  }

  protected advanceProcess(dt: number): void {
    const bearingWear = this.severity('bearing-wear');
    const cavitationFault = this.severity('cavitation');
    const blockage = this.severity('blockage');
    const overheating = this.severity('motor-overheating');
    const ambient = 25 + this.#ambientWander.step(dt);
    const supplyVoltage = SUPPLY_VOLTAGE * (1 + this.#supplyWander.step(dt));
    const speedFraction = this.drive.speedFraction;

    this.#advanceDemand(dt);
    this.#valveOpening = this.lag(this.#valveOpening, valveOpeningFor((this.#demand / 100) * RATED_FLOW), 20, dt);

    // Hydraulics: operating point of the (possibly cavitating) pump curve on the system curve.
    this.#speedRpm = SYNCHRONOUS_SPEED * speedFraction * (1 - RATED_SLIP * (this.#shaftKw / this.#motor.rating.shaftKw));
    const speedRatio = this.#speedRpm / RATED_PUMP_SPEED;
    const turbulence = this.#cavitationTurbulence.step(dt);
    const headFactor = this.#cavitationHeadFactor * (1 + 0.06 * this.#cavitation * turbulence);
    const resistance = systemResistance(this.#valveOpening, blockage);
    this.#flow = this.lag(this.#flow, operatingFlow(speedRatio, headFactor, resistance), 0.8, dt);
    this.#head = pumpHead(this.#flow, speedRatio, headFactor);

    // Suction: a falling tank level and a clogging inlet strainer (the cavitation fault) lower it.
    const headerPressure = SUCTION_HEADER_PRESSURE - 1.6 * cavitationFault;
    const suctionResistance = SUCTION_LINE_RESISTANCE * (1 + 4 * cavitationFault ** 2);
    this.#suctionPressure = headerPressure - suctionResistance * this.#flow ** 2;
    const available = npshAvailable(this.#suctionPressure, this.#fluidTemp);
    const required = npshRequired(this.#flow, speedRatio);
    this.#cavitation = this.lag(this.#cavitation, cavitationIntensity(available, required), 0.5, dt);
    this.#cavitationHeadFactor = this.lag(this.#cavitationHeadFactor, cavitationHeadFactor(available, required), 0.5, dt);
    this.#dischargePressure = this.#suctionPressure + headToBar(this.#head);

    // Motor: shaft power from the pump, current from the motor's efficiency and power factor.
    this.#shaftKw = shaftPowerKw(this.#flow, this.#head, speedRatio) * (1 + 0.03 * bearingWear);
    this.#advanceMotor(supplyVoltage, overheating);

    // Temperatures: first-order lags toward steady states set by losses, speed and load.
    const cooling = 0.35 + 0.65 * speedFraction;
    const thermalResistance = (1 + 3 * overheating) / cooling;
    const windingTarget = ambient + (WINDING_RISE_AT_RATED_LOSSES * thermalResistance * this.#lossesKw) / this.#motor.ratedLossesKw;
    this.#windingTemp = this.lag(this.#windingTemp, windingTarget, WINDING_TAU_SECONDS * thermalResistance, dt);
    const windingRise = this.#windingTemp - ambient;
    // Friction heat ∝ speed²; part of the winding's heat flows along the shaft; a worn bearing runs hot while turning.
    const deTarget = ambient + 20 * speedRatio ** 2 + 0.25 * windingRise + 40 * bearingWear ** 2 * speedRatio;
    const ndeTarget = ambient + 16 * speedRatio ** 2 + 0.2 * windingRise + 6 * bearingWear ** 2 * speedRatio;
    this.#bearingTempDe = this.lag(this.#bearingTempDe, deTarget, BEARING_TAU_SECONDS, dt);
    this.#bearingTempNde = this.lag(this.#bearingTempNde, ndeTarget, BEARING_TAU_SECONDS, dt);
    this.#advanceFluidTemperature(dt, ambient);

    // Vibration: a speed² baseline, higher away from the best-efficiency point, plus the faults.
    const offDesign = flowRatio(this.#flow, speedRatio) - 1;
    const baseline = (speedRatio ** 2 * (1.3 + 1.0 * offDesign ** 2) + 0.15 * speedRatio) * (1 + this.#vibrationWander.step(dt));
    const cavitationNoise = this.#cavitation * 5 * speedRatio * Math.max(0.2, 1 + this.#cavitationRumble.step(dt));
    const wear = this.#bearingWear.step(dt, bearingWear, speedFraction, this.faultRandom);
    this.#vibrationDe = baseline + cavitationNoise + wear;
    this.#vibrationNde = 0.8 * baseline + 0.6 * cavitationNoise + 0.25 * wear;
  }

  protected measure(): Record<PumpSignal, number> {
    const flowNoise = this.noise(0.004 + 0.04 * this.#cavitation);
    return {
      speed: zeroAtRest(this.#speedRpm, this.noise(0.6)),
      motor_current: zeroAtRest(this.#current, this.#current * this.noise(0.008)),
      motor_voltage: zeroAtRest(this.#terminalVoltage, this.noise(0.4)),
      motor_temp: this.#windingTemp + this.noise(0.05),
      vibration_de: this.#vibrationDe * (1 + this.noise(0.03)) + Math.abs(this.noise(0.02)),
      vibration_nde: this.#vibrationNde * (1 + this.noise(0.03)) + Math.abs(this.noise(0.02)),
      bearing_temp_de: this.#bearingTempDe + this.noise(0.05),
      bearing_temp_nde: this.#bearingTempNde + this.noise(0.05),
      suction_pressure: this.#suctionPressure + this.noise(0.01),
      discharge_pressure: this.#dischargePressure + this.noise(0.01),
      flow: zeroAtRest(this.#flow, this.#flow * flowNoise + this.noise(0.2)),
      fluid_temp: this.#fluidTemp + this.noise(0.05),
    };
  }

  #advanceDemand(dt: number): void {
    this.#secondsToDemandHop -= dt;
    if (this.#secondsToDemandHop <= 0) {
      this.#secondsToDemandHop = this.random.between(...DEMAND_HOP_SECONDS);
      this.#demandOffset = this.random.between(-DEMAND_HOP_PERCENT, DEMAND_HOP_PERCENT);
    }
    const target = Math.max(0, this.#demandSetpoint + this.#demandOffset);
    this.#demand = this.lag(this.#demand, target, DEMAND_TAU_SECONDS, dt);
  }

  #advanceMotor(supplyVoltage: number, overheating: number): void {
    if (!this.drive.energised) {
      this.#terminalVoltage = 0;
      this.#current = 0;
      this.#lossesKw = 0;
      return;
    }
    const speedFraction = this.drive.speedFraction;
    const softRamping = this.drive.state !== 'running';
    this.#terminalVoltage = supplyVoltage * (softRamping ? 0.4 + 0.6 * speedFraction : 1);
    const point = this.#motor.operate(this.#shaftKw, supplyVoltage);
    // A hot winding has more resistance and slip: a little more current.
    const hotWinding = 1 + 0.0005 * Math.max(0, this.#windingTemp - 75) + 0.01 * overheating;
    let current = point.current * hotWinding;
    if (this.drive.state === 'starting') {
      current = Math.max(current, START_CURRENT_LIMIT * this.#motor.ratedCurrent * (1 - speedFraction ** 4));
    }
    this.#current = current;
    this.#lossesKw = point.lossesKw * (current / point.current) ** 2;
  }

  /** Loop water warms with demand; at very low flow the pump's own losses heat the water in the casing. */
  #advanceFluidTemperature(dt: number, ambient: number): void {
    this.#loopTemp = this.lag(this.#loopTemp, 27 + 5 * (this.#demand / 100), LOOP_TAU_SECONDS, dt);
    if (!this.drive.energised || this.#flow <= 0) {
      this.#fluidTemp = this.lag(this.#fluidTemp, ambient, 1800, dt);
      return;
    }
    const pumpLossesKw = Math.max(0, this.#shaftKw - hydraulicPowerKw(this.#flow, this.#head));
    // Near shut-off most of the water recirculates inside the impeller; little fresh water reaches the sensor.
    const throughFlow = Math.max(0.5, this.#flow ** 2 / RATED_FLOW);
    const casingRise = pumpLossesKw / ((WATER_DENSITY * WATER_HEAT_CAPACITY * throughFlow) / 3600);
    this.#fluidTemp = this.lag(this.#fluidTemp, this.#loopTemp + casingRise, FLUID_CASING_TAU_SECONDS, dt);
  }
}
