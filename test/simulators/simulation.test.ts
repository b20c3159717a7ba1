import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createDemoPlant } from '../../simulators/machines/demo-plant.js';
import { Simulation } from '../../simulators/simulation.js';
import { placeStub } from './stub-machine.js';

const logger = pino({ level: 'silent' });

afterEach(() => {
  vi.useRealTimers();
});

describe('simulation clock', () => {
  it('steps every machine by tick × speed and computes sim time without accumulating', () => {
    const pump = placeStub('pump-01', 'opcua');
    const simulation = new Simulation({ machines: [pump], tickMs: 100, speed: 3, logger });
    const ticks: number[] = [];
    simulation.onTick((tick) => ticks.push(tick.simTime));
    for (let step = 0; step < 1000; step++) simulation.step();
    expect(pump.machine.time).toBeCloseTo(300, 9);
    expect(simulation.simTime).toBe(1000 * simulation.dtSeconds);
    expect(ticks[9]).toBe(10 * simulation.dtSeconds);
  });

  it('ticks on a schedule of its own, not one timeout after another', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance', 'Date'] });
    const simulation = new Simulation({ machines: [placeStub('pump-01', 'opcua')], tickMs: 20, logger });
    simulation.start();
    vi.advanceTimersByTime(1000);
    expect(simulation.simTime).toBeCloseTo(1, 9);
    simulation.stop();
    vi.advanceTimersByTime(1000);
    expect(simulation.simTime).toBeCloseTo(1, 9);
    expect(simulation.running).toBe(false);
  });

  it('keeps running when a listener throws', () => {
    const simulation = new Simulation({ machines: [placeStub('pump-01', 'opcua')], logger });
    const seen: number[] = [];
    simulation.onTick(() => {
      throw new Error('front-end bug');
    });
    simulation.onTick((tick) => seen.push(tick.index));
    simulation.step();
    simulation.step();
    expect(seen).toEqual([1, 2]);
  });

  it('refuses duplicate machine ids and nonsense settings, saying what is wrong', () => {
    expect(() => new Simulation({ machines: [placeStub('pump-01', 'opcua'), placeStub('pump-01', 'mqtt')], logger })).toThrow(/two simulated machines share the id 'pump-01'/);
    expect(() => new Simulation({ machines: [], speed: 0, logger })).toThrow(/speed must be a positive factor/);
    expect(() => new Simulation({ machines: [], tickMs: -5, logger })).toThrow(/tickMs must be a positive number/);
  });
});

describe('determinism with the demo plant', () => {
  function run(seed: number, steps: number): number[] {
    const simulation = new Simulation({ machines: createDemoPlant(seed), tickMs: 100, speed: 5, logger });
    for (let step = 0; step < steps; step++) simulation.step();
    return simulation.machines.flatMap((placed) => placed.machine.readings().map((reading) => reading.value));
  }

  it('gives identical readings for the same seed and different ones for another seed', () => {
    const first = run(3, 200);
    expect(run(3, 200)).toEqual(first);
    expect(run(4, 200)).not.toEqual(first);
  });
});
