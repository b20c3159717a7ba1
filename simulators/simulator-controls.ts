import type { Logger } from 'pino';
import { FAULT_KINDS, type FaultKind, type PlacedMachine, type SignalSpec } from './machine.js';

/** Why a control request was refused; the OPC UA front-end maps each to a status code. */
export type ControlErrorKind = 'unknown-machine' | 'invalid-argument' | 'out-of-range' | 'not-supported';

export class ControlError extends Error {
  constructor(
    readonly kind: ControlErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'ControlError';
  }
}

export const MACHINE_COMMANDS = ['start', 'stop', 'reset'] as const;
export type MachineCommand = (typeof MACHINE_COMMANDS)[number];

export interface MachineInfo {
  readonly id: string;
  readonly kind: string;
  readonly site: string;
  readonly line: string;
  readonly transport: 'opcua' | 'mqtt';
  readonly supportedFaults: readonly FaultKind[];
  readonly signals: readonly SignalSpec[];
  readonly state: string;
  readonly faultCode: number;
  readonly activeFaults: readonly string[];
}

export interface InjectRequest {
  readonly machine: string;
  readonly fault: string;
  readonly severity: number;
  readonly rampSeconds: number;
  /** Needed by the sensor-* faults; "" or absent otherwise. */
  readonly signal?: string;
}

/**
 * The simulator's control panel: fault injection, operator commands and load setpoints, checked and
 * explained. Every front-end (the OPC UA methods, the scenario runner) goes through here, so a bad
 * request gets the same human-readable refusal whatever its origin. Each call returns a sentence
 * saying what was done, or throws a ControlError saying what was wrong and what would be accepted.
 */
export class SimulatorControls {
  readonly #machines: readonly PlacedMachine[];
  readonly #logger: Logger;

  constructor(machines: readonly PlacedMachine[], logger: Logger) {
    this.#machines = machines;
    this.#logger = logger;
  }

  listMachines(): MachineInfo[] {
    return this.#machines.map(({ site, line, transport, machine }) => ({
      id: machine.id,
      kind: machine.kind,
      site,
      line,
      transport,
      supportedFaults: machine.supportedFaults,
      signals: machine.signals,
      state: machine.state,
      faultCode: machine.faultCode,
      activeFaults: machine.activeFaults.map((active) => (active.signal ? `${active.fault}(${active.signal})` : active.fault)),
    }));
  }

  inject(request: InjectRequest): string {
    const { machine } = this.#find(request.machine);
    const fault = parseFault(request.fault, `${machine.id} supports: ${machine.supportedFaults.join(', ')}`);
    if (!(Number.isFinite(request.severity) && request.severity >= 0 && request.severity <= 1)) {
      throw new ControlError('out-of-range', `severity must be between 0 and 1 (1 = fully developed fault), got ${request.severity}`);
    }
    if (!(Number.isFinite(request.rampSeconds) && request.rampSeconds >= 0)) {
      throw new ControlError('out-of-range', `ramp must be zero or a positive number of simulated seconds, got ${request.rampSeconds}`);
    }
    const signal = request.signal === '' ? undefined : request.signal;
    if (signal !== undefined && !machine.signals.some((spec) => spec.id === signal)) {
      throw new ControlError('invalid-argument', `${machine.id} has no signal '${signal}'; its signals: ${signalIds(machine.signals)}`);
    }
    if (fault.startsWith('sensor-') && signal === undefined) {
      throw new ControlError('invalid-argument', `${fault} needs the signal whose sensor misbehaves; ${machine.id} signals: ${signalIds(machine.signals)}`);
    }
    if (!fault.startsWith('sensor-') && signal !== undefined) {
      throw new ControlError('invalid-argument', `${fault} affects the whole machine and takes no signal (got '${signal}'); only sensor-* faults take one`);
    }
    this.#apply(machine.id, () =>
      machine.inject({ fault, severity: request.severity, rampSeconds: request.rampSeconds, ...(signal !== undefined ? { signal } : {}) }),
    );
    const what = `${fault}${signal !== undefined ? ` on ${signal}` : ''}`;
    return this.#done(`injected ${what} into ${machine.id}: severity ${request.severity}, full after ${request.rampSeconds} s`);
  }

  /** fault "" or "all" clears every fault of the machine. */
  clearFaults(machineId: string, fault: string): string {
    const { machine } = this.#find(machineId);
    if (fault === '' || fault === 'all') {
      const count = machine.activeFaults.length;
      this.#apply(machine.id, () => machine.clearFaults());
      return this.#done(`cleared ${count} active fault(s) of ${machine.id}${machine.state === 'tripped' ? ' (still tripped: send reset)' : ''}`);
    }
    const kind = parseFault(fault, 'or "all"');
    const wasActive = machine.activeFaults.some((active) => active.fault === kind);
    this.#apply(machine.id, () => machine.clearFaults(kind));
    return this.#done(wasActive ? `cleared ${kind} of ${machine.id}` : `${machine.id} had no active ${kind}; nothing to clear`);
  }

  command(machineId: string, command: string): string {
    const { machine } = this.#find(machineId);
    if (!(MACHINE_COMMANDS as readonly string[]).includes(command)) {
      throw new ControlError('invalid-argument', `unknown command '${command}'; commands: ${MACHINE_COMMANDS.join(', ')}`);
    }
    this.#apply(machine.id, () => machine.command(command as MachineCommand));
    return this.#done(`${command} sent to ${machine.id}; state now ${machine.state}`);
  }

  setLoad(machineId: string, percent: number): string {
    const { machine } = this.#find(machineId);
    if (!(Number.isFinite(percent) && percent >= 0)) {
      throw new ControlError('out-of-range', `load must be a percentage of rated duty, 0 or more (the machine sets the upper limit), got ${percent}`);
    }
    this.#apply(machine.id, () => machine.setLoad(percent));
    return this.#done(`load of ${machine.id} set to ${percent} %`);
  }

  #find(machineId: string): PlacedMachine {
    const placed = this.#machines.find((candidate) => candidate.machine.id === machineId);
    if (!placed) {
      const known = this.#machines.map((candidate) => candidate.machine.id).join(', ');
      throw new ControlError('unknown-machine', `no simulated machine '${machineId}'; machines: ${known}`);
    }
    return placed;
  }

  /** Runs a machine operation; a machine's own refusal (it names what it supports) becomes a ControlError. */
  #apply(machineId: string, operation: () => void): void {
    try {
      operation();
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.#logger.info({ machine: machineId, reason }, 'simulator control request refused by the machine');
      throw new ControlError('not-supported', reason);
    }
  }

  #done(message: string): string {
    this.#logger.info(message);
    return message;
  }
}

function parseFault(name: string, supported: string): FaultKind {
  if ((FAULT_KINDS as readonly string[]).includes(name)) return name as FaultKind;
  throw new ControlError('invalid-argument', `unknown fault '${name}'; faults: ${FAULT_KINDS.join(', ')} (${supported})`);
}

function signalIds(signals: readonly SignalSpec[]): string {
  return signals.map((spec) => spec.id).join(', ');
}
