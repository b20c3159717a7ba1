export interface MachiningOperation {
  readonly tool: string;
  readonly speedRpm: number;
  readonly cutSeconds: number;
  /** Spindle load while fully engaged at a cutting load factor of 100 % (% of rated torque). */
  readonly cutLoadPercent: number;
}

/** The part program spindle-01 repeats: one part, four tools. */
export const DEMO_PROGRAM: readonly MachiningOperation[] = [
  { tool: 'T1 face mill Ø63', speedRpm: 9000, cutSeconds: 24, cutLoadPercent: 70 },
  { tool: 'T7 end mill Ø16, roughing', speedRpm: 12000, cutSeconds: 36, cutLoadPercent: 62 },
  { tool: 'T12 drill Ø8.5', speedRpm: 6000, cutSeconds: 12, cutLoadPercent: 45 },
  { tool: 'T9 end mill Ø10, finishing', speedRpm: 16000, cutSeconds: 30, cutLoadPercent: 30 },
];

const TOOL_CHANGE_SECONDS = 6;
const APPROACH_SECONDS = 2;
const RETRACT_SECONDS = 2;
const PART_CHANGE_SECONDS = 20;
/** The tool enters and leaves the material over this time. */
const ENGAGE_SECONDS = 1;
/** The spindle counts as at speed within this fraction of the programmed speed. */
const AT_SPEED = 0.01;

export type MachiningPhase = 'tool-change' | 'spin-up' | 'approach' | 'cut' | 'retract' | 'spin-down' | 'part-change';

export interface MachiningCommand {
  readonly phase: MachiningPhase;
  readonly targetSpeedRpm: number;
  /** 0..1: how far the tool is in the material. */
  readonly engagement: number;
  readonly operation: MachiningOperation;
}

/**
 * The CNC's sequence for one part, repeated: for each tool, change tool (spindle at rest), spin up,
 * approach, cut, retract, spin down; then change the part. Phases that wait for the spindle (spin-up,
 * spin-down) end when its speed gets there, the others after a fixed time.
 */
export class MachiningProgram {
  readonly #operations: readonly MachiningOperation[];
  #index = 0;
  #operation: MachiningOperation;
  #phase: MachiningPhase = 'spin-up';
  #elapsed = 0;

  constructor(operations: readonly MachiningOperation[]) {
    const first = operations[0];
    if (!first) throw new Error('a machining program needs at least one operation');
    this.#operations = operations;
    this.#operation = first;
  }

  /** Back to the first tool, spinning up (after the machine was stopped mid-part). */
  restart(): void {
    this.#select(0);
    this.#enter('spin-up');
  }

  step(dtSeconds: number, spindleSpeedRpm: number): MachiningCommand {
    this.#elapsed += dtSeconds;
    const operation = this.#operation;
    switch (this.#phase) {
      case 'tool-change':
        if (this.#elapsed >= TOOL_CHANGE_SECONDS) this.#enter('spin-up');
        break;
      case 'spin-up':
        if (Math.abs(spindleSpeedRpm - operation.speedRpm) <= AT_SPEED * operation.speedRpm) this.#enter('approach');
        break;
      case 'approach':
        if (this.#elapsed >= APPROACH_SECONDS) this.#enter('cut');
        break;
      case 'cut':
        if (this.#elapsed >= operation.cutSeconds) this.#enter('retract');
        break;
      case 'retract':
        if (this.#elapsed >= RETRACT_SECONDS) this.#enter('spin-down');
        break;
      case 'spin-down':
        if (spindleSpeedRpm <= 0) {
          this.#select((this.#index + 1) % this.#operations.length);
          this.#enter(this.#index === 0 ? 'part-change' : 'tool-change');
        }
        break;
      case 'part-change':
        if (this.#elapsed >= PART_CHANGE_SECONDS) this.#enter('tool-change');
        break;
    }
    return this.#command();
  }

  #select(index: number): void {
    this.#index = index;
    this.#operation = this.#operations[index] ?? this.#operation;
  }

  #enter(phase: MachiningPhase): void {
    this.#phase = phase;
    this.#elapsed = 0;
  }

  #command(): MachiningCommand {
    const operation = this.#operation;
    const spinning = this.#phase === 'spin-up' || this.#phase === 'approach' || this.#phase === 'cut' || this.#phase === 'retract';
    const engagement =
      this.#phase === 'cut' ? Math.min(1, this.#elapsed / ENGAGE_SECONDS, (operation.cutSeconds - this.#elapsed) / ENGAGE_SECONDS) : 0;
    return { phase: this.#phase, targetSpeedRpm: spinning ? operation.speedRpm : 0, engagement: Math.max(0, engagement), operation };
  }
}
