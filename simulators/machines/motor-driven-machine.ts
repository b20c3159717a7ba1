import type { OperatingState } from '../machine.js';
import { MachineBase, type MachineDefinition, type MachineOptions } from './machine-base.js';
import { MotorDrive, type DriveTiming } from './motor-drive.js';
import type { ProtectiveTrips } from './protective-trips.js';

export interface MotorDrivenDefinition<S extends string> extends MachineDefinition<S> {
  readonly driveTiming: DriveTiming;
}

/**
 * A machine driven by a motor under a PLC: operator commands, the run sequence, and protective trips
 * that stop the machine with a fault code. Injected faults never set the code; only the trip logic
 * does, once a fault has pushed a protected quantity past its limit for the trip delay.
 */
export abstract class MotorDrivenMachine<S extends string> extends MachineBase<S> {
  protected readonly drive: MotorDrive;
  protected abstract readonly protection: ProtectiveTrips;
  #faultCode = 0;

  constructor(definition: MotorDrivenDefinition<S>, options: MachineOptions) {
    super(definition, options);
    this.drive = new MotorDrive(definition.driveTiming);
  }

  get state(): OperatingState {
    return this.drive.state;
  }

  get faultCode(): number {
    return this.#faultCode;
  }

  command(command: 'start' | 'stop' | 'reset'): void {
    switch (command) {
      case 'start':
        if (this.drive.state === 'tripped') {
          throw new Error(`${this.id} is tripped (${this.#describeTrip()}); send 'reset' before 'start'`);
        }
        if (this.drive.state === 'stopped' || this.drive.state === 'stopping') {
          this.drive.start();
          this.onStart();
        }
        return;
      case 'stop':
        this.drive.stop();
        return;
      case 'reset': {
        if (this.drive.state !== 'tripped') return;
        const cause = this.protection.persistingCause(this.#faultCode);
        if (cause !== undefined) throw new Error(`${this.id} cannot be reset from ${this.#describeTrip()}: ${cause}`);
        this.#faultCode = 0;
        this.drive.reset();
        return;
      }
      default:
        throw new Error(`${this.id}: unknown command '${String(command)}'; commands: start, stop, reset`);
    }
  }

  /** Called when a start command begins a run (not when the machine is already starting or running). */
  protected onStart(): void {}

  /** Advances the process physics by dt ≤ 0.5 s, the drive having already moved. */
  protected abstract advanceProcess(dtSeconds: number): void;

  protected advance(dtSeconds: number): void {
    this.drive.step(dtSeconds);
    this.advanceProcess(dtSeconds);
    if (this.drive.state === 'tripped') return;
    const code = this.protection.step(dtSeconds, this.drive.state);
    if (code !== 0) {
      this.#faultCode = code;
      this.drive.trip();
    }
  }

  #describeTrip(): string {
    const rule = this.protection.rules.find((candidate) => candidate.code === this.#faultCode);
    return `trip ${this.#faultCode}${rule ? `: ${rule.cause}` : ''}`;
  }
}
