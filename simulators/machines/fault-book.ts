import { FAULT_KINDS, type ActiveFault, type FaultKind, type FaultRequest, type SignalSpec } from '../machine.js';

const SENSOR_FAULTS = ['sensor-stuck', 'sensor-drift', 'sensor-spike', 'sensor-dropout'] as const satisfies readonly FaultKind[];
export type SensorFaultKind = (typeof SENSOR_FAULTS)[number];

/** Faults every machine can have, whatever its kind. */
export const COMMON_FAULTS: readonly FaultKind[] = [...SENSOR_FAULTS, 'comm-loss'];

/** Sensor faults that make sense on an on/off signal; a boolean cannot drift or spike. */
const BOOLEAN_SENSOR_FAULTS: readonly FaultKind[] = ['sensor-stuck', 'sensor-dropout'];

export function isSensorFault(kind: FaultKind): kind is SensorFaultKind {
  return (SENSOR_FAULTS as readonly FaultKind[]).includes(kind);
}

/** The severity a fault has reached at `now`: it grows linearly from 0 at onset to full over the ramp. */
export function effectiveSeverity(fault: ActiveFault, now: number): number {
  if (fault.rampSeconds <= 0) return fault.severity;
  return fault.severity * Math.min(1, Math.max(0, (now - fault.since) / fault.rampSeconds));
}

export interface FaultOwner {
  readonly id: string;
  readonly kind: string;
  readonly signals: readonly SignalSpec[];
  readonly supportedFaults: readonly FaultKind[];
}

/**
 * The faults active on one machine: checks each request against what the machine supports, and keeps
 * at most one fault per kind (per kind and signal for sensor faults); a repeated request replaces the
 * earlier one. The list is replaced, never mutated, so a caller holding it sees a stable snapshot.
 */
export class FaultBook {
  readonly #owner: FaultOwner;
  #active: readonly ActiveFault[] = [];

  constructor(owner: FaultOwner) {
    this.#owner = owner;
  }

  get active(): readonly ActiveFault[] {
    return this.#active;
  }

  /** The active fault of a machine-wide kind, if any. */
  find(kind: FaultKind): ActiveFault | undefined {
    return this.#active.find((fault) => fault.fault === kind);
  }

  add(request: FaultRequest, now: number): ActiveFault {
    this.#check(request);
    const fault: ActiveFault = {
      fault: request.fault,
      severity: request.severity,
      rampSeconds: request.rampSeconds,
      ...(request.signal !== undefined ? { signal: request.signal } : {}),
      since: now,
    };
    this.#active = [...this.#active.filter((other) => !(other.fault === fault.fault && other.signal === fault.signal)), fault];
    return fault;
  }

  remove(kind?: FaultKind): void {
    if (kind === undefined) {
      this.#active = [];
      return;
    }
    if (!(FAULT_KINDS as readonly string[]).includes(kind)) {
      throw new Error(`${this.#describe()}: cannot clear unknown fault '${String(kind)}'; faults: ${FAULT_KINDS.join(', ')}`);
    }
    this.#active = this.#active.filter((fault) => fault.fault !== kind);
  }

  #check(request: FaultRequest): void {
    const { fault, severity, rampSeconds, signal } = request;
    const owner = this.#owner;
    if (!owner.supportedFaults.includes(fault)) {
      throw new Error(`${this.#describe()} cannot develop '${String(fault)}'; it supports: ${owner.supportedFaults.join(', ')}`);
    }
    if (!(typeof severity === 'number' && severity >= 0 && severity <= 1)) {
      throw new Error(`${this.#describe()}: severity of '${fault}' must be a number from 0 to 1 (1 = fully developed), got ${severity}`);
    }
    if (!(typeof rampSeconds === 'number' && Number.isFinite(rampSeconds) && rampSeconds >= 0)) {
      throw new Error(`${this.#describe()}: rampSeconds of '${fault}' must be 0 or a positive number of simulated seconds, got ${rampSeconds}`);
    }
    if (!isSensorFault(fault)) {
      if (signal !== undefined) {
        throw new Error(`${this.#describe()}: '${fault}' affects the whole machine and takes no signal (got '${signal}'); only sensor-* faults name a signal`);
      }
      return;
    }
    const signalIds = owner.signals.map((spec) => spec.id).join(', ');
    if (signal === undefined) {
      throw new Error(`${this.#describe()}: '${fault}' needs the signal whose sensor misbehaves; signals: ${signalIds}`);
    }
    const spec = owner.signals.find((candidate) => candidate.id === signal);
    if (!spec) {
      throw new Error(`${this.#describe()} has no signal '${signal}' for '${fault}'; signals: ${signalIds}`);
    }
    if (spec.kind === 'boolean' && !BOOLEAN_SENSOR_FAULTS.includes(fault)) {
      throw new Error(`${this.#describe()}: '${signal}' is an on/off signal and cannot have '${fault}'; it can have: ${BOOLEAN_SENSOR_FAULTS.join(', ')}`);
    }
  }

  #describe(): string {
    return `${this.#owner.id} (${this.#owner.kind})`;
  }
}
