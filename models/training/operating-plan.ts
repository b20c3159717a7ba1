import type { FaultRequest, SimulatedMachine } from '../../simulators/machine.js';
import { SeededRandom } from '../../simulators/machines/seeded-random.js';

/** Something done to a machine at a simulated second: a load setpoint, a command, a fault. */
export type PlanAction =
  | { readonly load: number }
  | { readonly command: 'start' | 'stop' | 'reset' }
  | { readonly inject: FaultRequest }
  | { readonly clear: true };

export interface PlannedEvent {
  /** Simulated seconds from the start. */
  readonly at: number;
  readonly action: PlanAction;
}

export interface NormalOperationOptions {
  readonly seed: number;
  readonly machineId: string;
  readonly hours: number;
  /** Load setpoints are drawn from this range (percent of rated duty). */
  readonly loadRange: readonly [number, number];
  /** Minutes between setpoint changes, drawn from this range. */
  readonly loadChangeMinutes: readonly [number, number];
  /** Stops per day on average (shift breaks, product changes); 0 for none. */
  readonly stopsPerDay: number;
  /** Length of a stop, drawn from this range (minutes). */
  readonly stopMinutes: readonly [number, number];
}

/**
 * Healthy operation as a plant runs it: the operator's load setpoint moves within a range every so
 * often, and the machine is stopped now and then for minutes to hours. Reproducible per seed.
 */
export function normalOperation(options: NormalOperationOptions): PlannedEvent[] {
  const random = SeededRandom.forStream(options.seed, options.machineId, 'operating-plan');
  const end = options.hours * 3600;
  const events: PlannedEvent[] = [];
  for (let at = random.between(...options.loadChangeMinutes) * 60; at < end; at += random.between(...options.loadChangeMinutes) * 60) {
    events.push({ at: Math.round(at), action: { load: Math.round(random.between(...options.loadRange)) } });
  }
  if (options.stopsPerDay > 0) {
    const meanGap = 86_400 / options.stopsPerDay;
    for (let at = random.between(0.3, 1) * meanGap; at < end; at += random.between(0.5, 1.5) * meanGap) {
      const length = random.between(...options.stopMinutes) * 60;
      events.push({ at: Math.round(at), action: { command: 'stop' } }, { at: Math.round(at + length), action: { command: 'start' } });
    }
  }
  return events.sort((a, b) => a.at - b.at);
}

/** Applies the events due up to simulated second `now` (each once); returns the refusals (e.g. a start while tripped). */
export class PlanRunner {
  private next = 0;

  constructor(
    private readonly machine: SimulatedMachine,
    private readonly events: readonly PlannedEvent[],
  ) {}

  advanceTo(now: number): string[] {
    const refused: string[] = [];
    while (this.next < this.events.length && (this.events[this.next] as PlannedEvent).at <= now) {
      const { action } = this.events[this.next++] as PlannedEvent;
      try {
        if ('load' in action) this.machine.setLoad(action.load);
        else if ('command' in action) this.machine.command(action.command);
        else if ('inject' in action) this.machine.inject(action.inject);
        else this.machine.clearFaults();
      } catch (error) {
        refused.push((error as Error).message);
      }
    }
    return refused;
  }
}
