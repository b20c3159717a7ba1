import type { ActiveFault, FaultKind, FaultRequest, OperatingState, Reading, SignalSpec } from '../machine.js';
import type { RecordedMachine, RecordedRow } from '../recorded-machine.js';
import type { Recording } from './skab-csv.js';

export interface ReplayMachineOptions {
  readonly id: string;
  readonly kind: string;
  /** Recorded seconds per simulated second (default 1: the recording's own pace). */
  readonly speed?: number;
  /** Start again from the first row after the last (default false: stop at the end). */
  readonly loop?: boolean;
}

const REPLAY_FAULTS: readonly FaultKind[] = ['sensor-dropout', 'comm-loss'];

/**
 * A recording played back as a machine: its readings are the row due at the current replay time, and
 * every row is also handed to front-ends that publish rows (RecordedMachine). Empty or non-numeric
 * cells read as a failed sensor. Commands pause (stop) and resume (start) the replay; injected
 * sensor-dropout and comm-loss overlay the recording.
 */
export class ReplayMachine implements RecordedMachine {
  readonly id: string;
  readonly kind: string;
  readonly signals: readonly SignalSpec[];
  readonly supportedFaults = REPLAY_FAULTS;
  readonly faultCode = 0;
  readonly #recording: Recording;
  readonly #speed: number;
  readonly #loop: boolean;
  /** Length of one pass including one row interval, so a loop does not repeat a time stamp. */
  readonly #passSeconds: number;
  #state: OperatingState = 'running';
  #faults: ActiveFault[] = [];
  #elapsed = 0;
  /** Recording seconds since the replay began, across loops. */
  #position = 0;
  /** Index (across loops: pass × rows + row) of the next row to come due. */
  #next = 0;
  #current = 0;
  #lastStepRows: RecordedRow[] = [];

  constructor(recording: Recording, options: ReplayMachineOptions) {
    const speed = options.speed ?? 1;
    if (!(Number.isFinite(speed) && speed > 0)) throw new Error(`replay speed of ${recording.file} must be a positive factor, got ${speed}`);
    this.id = options.id;
    this.kind = options.kind;
    this.signals = recording.signals;
    this.#recording = recording;
    this.#speed = speed;
    this.#loop = options.loop ?? false;
    const rows = recording.rows;
    const last = rows[rows.length - 1]?.offsetSeconds ?? 0;
    this.#passSeconds = last + (rows.length > 1 ? last / (rows.length - 1) : 1);
  }

  get state(): OperatingState {
    return this.#state;
  }

  get activeFaults(): readonly ActiveFault[] {
    return this.#faults;
  }

  /** True once a non-looping replay has passed its last row. */
  get finished(): boolean {
    return !this.#loop && this.#next >= this.#recording.rows.length;
  }

  step(dtSeconds: number): void {
    this.#elapsed += dtSeconds;
    this.#lastStepRows = [];
    if (this.#state !== 'running') return;
    this.#position += dtSeconds * this.#speed;
    const rows = this.#recording.rows;
    for (;;) {
      if (this.finished) {
        this.#state = 'stopped';
        return;
      }
      const pass = Math.floor(this.#next / rows.length);
      const index = this.#next % rows.length;
      const dueAt = pass * this.#passSeconds + (rows[index]?.offsetSeconds ?? 0);
      if (dueAt > this.#position) return;
      this.#current = index;
      this.#next += 1;
      this.#lastStepRows.push({ ageSeconds: (this.#position - dueAt) / this.#speed, readings: this.readings() });
    }
  }

  rowsOfLastStep(): readonly RecordedRow[] {
    return this.#lastStepRows;
  }

  readings(): Reading[] {
    const values = this.#recording.rows[this.#current]?.values ?? [];
    const commLoss = this.#faults.some((fault) => fault.fault === 'comm-loss');
    const dropped = new Set(this.#faults.filter((fault) => fault.fault === 'sensor-dropout').map((fault) => fault.signal));
    return this.signals.map((spec, index) => {
      const value = values[index] ?? Number.NaN;
      const status = commLoss ? 'no-communication' : dropped.has(spec.id) || Number.isNaN(value) ? 'sensor-failure' : 'good';
      return { signal: spec.id, value, status };
    });
  }

  inject(request: FaultRequest): void {
    if (!REPLAY_FAULTS.includes(request.fault)) {
      throw new Error(`${this.id} replays a recording (${this.#recording.file}); it can only overlay ${REPLAY_FAULTS.join(', ')}, not ${request.fault}`);
    }
    if (request.fault === 'sensor-dropout' && !this.signals.some((spec) => spec.id === request.signal)) {
      throw new Error(`${this.id} has no signal '${request.signal ?? ''}'; its signals: ${this.signals.map((spec) => spec.id).join(', ')}`);
    }
    this.#faults = [...this.#faults.filter((fault) => !(fault.fault === request.fault && fault.signal === request.signal)), { ...request, since: this.#elapsed }];
  }

  clearFaults(fault?: FaultKind): void {
    this.#faults = fault ? this.#faults.filter((active) => active.fault !== fault) : [];
  }

  /** stop pauses the replay, start resumes it (from the beginning once a replay has finished), reset does nothing. */
  command(command: 'start' | 'stop' | 'reset'): void {
    if (command === 'stop') this.#state = 'stopped';
    if (command === 'start') {
      if (this.finished) {
        this.#next = 0;
        this.#position = 0;
      }
      this.#state = 'running';
    }
  }

  setLoad(): void {
    throw new Error(`${this.id} replays a recording (${this.#recording.file}); it has no load setpoint`);
  }
}
