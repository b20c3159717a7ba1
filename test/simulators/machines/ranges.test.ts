import { describe, expect, it } from 'vitest';
import type { SimulatedMachine } from '../../../simulators/machine.js';
import { isSensorFault } from '../../../simulators/machines/fault-book.js';
import { createDemoPlant } from '../../../simulators/machines/demo-plant.js';

/** Problems seen in the readings: out of range, not finite, or pinned at the top of the range. */
function check(machine: SimulatedMachine, spiked: string, problems: Set<string>): void {
  machine.readings().forEach((item, index) => {
    const spec = machine.signals[index];
    if (!spec || item.status !== 'good') return;
    const [low, high] = spec.range;
    if (!Number.isFinite(item.value)) problems.add(`${machine.id}.${item.signal} not finite`);
    if (item.value < low || item.value > high) problems.add(`${machine.id}.${item.signal} = ${item.value} outside ${low}..${high}`);
    const mayReachTop = spec.kind === 'boolean' || spec.id === 'duty_cycle' || spec.id === spiked;
    if (!mayReachTop && item.value >= high) problems.add(`${machine.id}.${item.signal} pinned at its upper limit ${high}`);
  });
}

function tryToRestart(machine: SimulatedMachine): void {
  if (machine.kind === 'energy-meter') return;
  try {
    machine.command('reset');
    machine.command('start');
  } catch {
    // The trip's cause has not gone yet (still hot): try again later.
  }
}

describe('long run with faults', () => {
  it('keeps every good reading finite and inside its range, without pinning at the top, through faults, trips and load changes', () => {
    const plant = createDemoPlant(11);
    const problems = new Set<string>();
    const spikedSignals = new Map<string, string>();
    for (const { machine } of plant) {
      for (const fault of machine.supportedFaults.filter((kind) => !isSensorFault(kind) && kind !== 'comm-loss')) {
        machine.inject({ fault, severity: 1, rampSeconds: 900 });
      }
      const spiked = machine.signals.find((spec) => spec.kind === 'analog')?.id ?? '';
      spikedSignals.set(machine.id, spiked);
      machine.inject({ fault: 'sensor-spike', severity: 1, rampSeconds: 0, signal: spiked });
      machine.inject({ fault: 'sensor-dropout', severity: 0.3, rampSeconds: 0, signal: machine.signals.at(-1)?.id ?? '' });
    }
    const dt = 0.5;
    const stepAll = (seconds: number, each?: (machine: SimulatedMachine, second: number) => void) => {
      for (let step = 0; step < seconds / dt; step++) {
        for (const { machine } of plant) {
          machine.step(dt);
          check(machine, spikedSignals.get(machine.id) ?? '', problems);
          if (each && step % 120 === 0) each(machine, step * dt);
        }
      }
    };
    stepAll(2 * 3600);
    const trips = plant.map(({ machine }) => machine.faultCode).filter((code) => code !== 0);
    expect(trips.length).toBeGreaterThanOrEqual(4);
    for (const { machine } of plant) {
      machine.clearFaults();
      machine.setLoad(150);
    }
    stepAll(2 * 3600, (machine, second) => {
      tryToRestart(machine);
      if (second > 3600) machine.setLoad(0);
    });
    expect([...problems]).toEqual([]);
    expect(plant.map(({ machine }) => machine.state)).toEqual(['running', 'running', 'running', 'running', 'running', 'running']);
  });
});
