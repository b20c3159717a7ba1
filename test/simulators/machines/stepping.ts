import type { SimulatedMachine } from '../../../simulators/machine.js';

/** Steps a machine for `seconds` of simulated time in steps of `dt`. */
export function run(machine: SimulatedMachine, seconds: number, dt = 0.5): void {
  const steps = Math.round(seconds / dt);
  for (let step = 0; step < steps; step++) machine.step(dt);
}

/** The current reading of one signal (throws if the machine has no such signal). */
export function reading(machine: SimulatedMachine, signal: string): { value: number; status: string } {
  const found = machine.readings().find((candidate) => candidate.signal === signal);
  if (!found) throw new Error(`${machine.id} has no signal ${signal}`);
  return found;
}

export function value(machine: SimulatedMachine, signal: string): number {
  return reading(machine, signal).value;
}

/** Steps for `seconds` and returns every value of `signal` seen, one per step. */
export function record(machine: SimulatedMachine, signal: string, seconds: number, dt = 0.5): number[] {
  const values: number[] = [];
  const steps = Math.round(seconds / dt);
  for (let step = 0; step < steps; step++) {
    machine.step(dt);
    values.push(value(machine, signal));
  }
  return values;
}

/** Steps several machines side by side (a faulty machine and its healthy twin) and records a signal of each. */
export function recordSideBySide(machines: readonly SimulatedMachine[], signal: string, seconds: number, dt = 0.5): number[][] {
  const series = machines.map(() => [] as number[]);
  const steps = Math.round(seconds / dt);
  for (let step = 0; step < steps; step++) {
    machines.forEach((machine, index) => {
      machine.step(dt);
      series[index]?.push(value(machine, signal));
    });
  }
  return series;
}

export function runSideBySide(machines: readonly SimulatedMachine[], seconds: number, dt = 0.5): void {
  const steps = Math.round(seconds / dt);
  for (let step = 0; step < steps; step++) for (const machine of machines) machine.step(dt);
}

export function mean(values: readonly number[]): number {
  return values.reduce((sum, item) => sum + item, 0) / values.length;
}

export function standardDeviation(values: readonly number[]): number {
  const average = mean(values);
  return Math.sqrt(mean(values.map((item) => (item - average) ** 2)));
}

/** Steps until `predicate` holds, at most `limitSeconds`; returns the simulated seconds it took, or undefined. */
export function runUntil(machine: SimulatedMachine, predicate: () => boolean, limitSeconds: number, dt = 0.5): number | undefined {
  for (let elapsed = 0; elapsed < limitSeconds; elapsed += dt) {
    if (predicate()) return elapsed;
    machine.step(dt);
  }
  return predicate() ? limitSeconds : undefined;
}
