import type { Reading, SimulatedMachine } from './machine.js';

/** One row of a recording that came due during the last step. */
export interface RecordedRow {
  /** Simulated seconds between the moment the row was due and the end of the step. */
  readonly ageSeconds: number;
  readonly readings: readonly Reading[];
}

/**
 * A machine whose readings come in discrete recorded rows (a replayed data set). Front-ends that send
 * every row, not samples of the current state, ask for the rows that came due during the last step.
 */
export interface RecordedMachine extends SimulatedMachine {
  rowsOfLastStep(): readonly RecordedRow[];
}

export function isRecordedMachine(machine: SimulatedMachine): machine is RecordedMachine {
  return typeof (machine as Partial<RecordedMachine>).rowsOfLastStep === 'function';
}
