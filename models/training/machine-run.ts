import type { Sample } from '../../gateway/sample.js';
import type { PlacedMachine } from '../../simulators/machine.js';
import { PlanRunner, type PlannedEvent } from './operating-plan.js';
import { SimulatedTelemetry } from './simulated-telemetry.js';

export interface MachineRunOptions {
  readonly plant: readonly PlacedMachine[];
  /** Events per machine id, in simulated seconds from the start. */
  readonly plans: Readonly<Record<string, readonly PlannedEvent[]>>;
  readonly seconds: number;
  readonly startMs: number;
  /** Demo speed the timestamps are compressed by (see SimulatedTelemetry). Default 1. */
  readonly speed?: number;
  /** Gets every tick's samples. */
  readonly onSamples: (samples: Sample[], now: number) => void;
  /** Awaited every `yieldEveryTicks` ticks and at the end: lets asynchronous scoring keep up. */
  readonly settle?: () => Promise<void>;
  /** Default 100. */
  readonly yieldEveryTicks?: number;
}

/** Runs machines on simulated time through their plans, handing the box's samples to `onSamples`. */
export async function runMachines(options: MachineRunOptions): Promise<{ refused: string[] }> {
  const telemetry = new SimulatedTelemetry(options.plant, { startMs: options.startMs, speed: options.speed ?? 1 });
  const runners = options.plant.map(({ machine }) => new PlanRunner(machine, options.plans[machine.id] ?? []));
  const refused: string[] = [];
  const yieldEvery = options.yieldEveryTicks ?? 100;
  for (let tick = 1; telemetry.simulatedSeconds < options.seconds; tick++) {
    for (const runner of runners) refused.push(...runner.advanceTo(telemetry.simulatedSeconds));
    options.onSamples(telemetry.tick(), telemetry.now);
    if (tick % yieldEvery === 0) await options.settle?.();
  }
  await options.settle?.();
  return { refused };
}
