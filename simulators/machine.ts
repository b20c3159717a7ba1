/**
 * The contract between a simulated machine's physics and the protocol front-ends (OPC UA server,
 * MQTT publisher) that expose it. Machines know nothing of protocols; front-ends know nothing of physics.
 */

export interface SignalSpec {
  /** Stable id, snake_case, used as the OPC UA browse name and in node ids `<machine>.<signal>`. */
  readonly id: string;
  readonly displayName: string;
  /** Unit symbol as an engineer writes it: "A", "V", "rpm", "mm/s", "°C", "bar", "m³/h", "%", "kW", "kWh". */
  readonly unit: string;
  /** Engineering range [low, high] of the instrument (OPC UA EURange). */
  readonly range: readonly [number, number];
  /** 'analog' values are doubles; 'boolean' values are 0/1 and exposed as OPC UA Boolean. */
  readonly kind: 'analog' | 'boolean';
}

/**
 * What a reading's transport should say about it. 'good' carries a value; 'sensor-failure' is a failed
 * or disconnected sensor (OPC UA BadSensorFailure); 'no-communication' is a lost link to the
 * device (OPC UA BadNoCommunication; an MQTT sensor stops publishing).
 */
export type ReadingStatus = 'good' | 'sensor-failure' | 'no-communication';

export interface Reading {
  readonly signal: string;
  readonly value: number;
  readonly status: ReadingStatus;
}

export type OperatingState = 'stopped' | 'starting' | 'running' | 'stopping' | 'tripped';

export const FAULT_KINDS = [
  'bearing-wear',
  'cavitation',
  'blockage',
  'motor-overheating',
  'air-leak',
  'sensor-stuck',
  'sensor-drift',
  'sensor-spike',
  'sensor-dropout',
  'comm-loss',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultRequest {
  readonly fault: FaultKind;
  /** 0..1: how bad the fault becomes once fully developed. */
  readonly severity: number;
  /** Simulated seconds from onset to full severity (0 = at once). */
  readonly rampSeconds: number;
  /** For sensor-* faults: the signal whose sensor misbehaves. */
  readonly signal?: string;
}

export interface ActiveFault extends FaultRequest {
  /** Simulated time (s) at which the fault was injected. */
  readonly since: number;
}

export interface SimulatedMachine {
  readonly id: string;
  /** Machine kind, e.g. 'centrifugal-pump', 'air-compressor', 'cnc-spindle', 'conveyor-motor', 'energy-meter'. */
  readonly kind: string;
  readonly signals: readonly SignalSpec[];
  /** Faults this kind can develop (sensor-* and comm-loss are common to all). */
  readonly supportedFaults: readonly FaultKind[];

  /** Advance the physics by dt simulated seconds. Deterministic for a given seed and call sequence. */
  step(dtSeconds: number): void;
  /** Current readings of every signal, in `signals` order, with sensor faults applied. */
  readings(): Reading[];

  readonly state: OperatingState;
  /** PLC trip code: 0 while healthy; set by the simulated protective logic (see the simulators README). */
  readonly faultCode: number;
  readonly activeFaults: readonly ActiveFault[];

  /** Throws an Error naming the machine and the supported faults/signals when the request does not apply. */
  inject(request: FaultRequest): void;
  /** Removes one fault kind, or all when omitted; a tripped machine stays tripped until reset. */
  clearFaults(fault?: FaultKind): void;
  /** Operator commands: start, stop, reset a trip; load setpoint in percent of rated duty. */
  command(command: 'start' | 'stop' | 'reset'): void;
  setLoad(percent: number): void;
}

/** Where a machine sits in the plant and which protocol front-end exposes it. */
export interface PlacedMachine {
  readonly site: string;
  readonly line: string;
  readonly transport: 'opcua' | 'mqtt';
  readonly machine: SimulatedMachine;
}
