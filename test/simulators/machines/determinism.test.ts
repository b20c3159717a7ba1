import { describe, expect, it } from 'vitest';
import type { PlacedMachine } from '../../../simulators/machine.js';
import { CentrifugalPump } from '../../../simulators/machines/centrifugal-pump.js';
import { createDemoPlant } from '../../../simulators/machines/demo-plant.js';

function trace(plant: readonly PlacedMachine[], steps: number): number[][] {
  const rows: number[][] = [];
  for (let step = 0; step < steps; step++) {
    for (const { machine } of plant) machine.step(0.1);
    rows.push(plant.flatMap(({ machine }) => machine.readings().map((reading) => reading.value)));
  }
  return rows;
}

describe('demo plant determinism', () => {
  it('gives identical readings for the same seed and step sequence', () => {
    const first = createDemoPlant(7);
    const second = createDemoPlant(7);
    for (const plant of [first, second]) {
      plant[0]?.machine.inject({ fault: 'bearing-wear', severity: 0.9, rampSeconds: 5 });
      plant[3]?.machine.inject({ fault: 'sensor-spike', severity: 1, rampSeconds: 0, signal: 'motor_temp' });
    }
    expect(trace(second, 600)).toEqual(trace(first, 600));
  });

  it('does not change when readings are taken more or less often', () => {
    const watched = createDemoPlant(4);
    const unwatched = createDemoPlant(4);
    const lastWatched = trace(watched, 300).at(-1);
    for (let step = 0; step < 300; step++) for (const { machine } of unwatched) machine.step(0.1);
    expect(unwatched.flatMap(({ machine }) => machine.readings().map((reading) => reading.value))).toEqual(lastWatched);
  });

  it('gives different readings for different seeds', () => {
    const [a] = trace(createDemoPlant(1), 1);
    const [b] = trace(createDemoPlant(2), 1);
    expect(a).toBeDefined();
    expect(a).not.toEqual(b);
  });

  it('gives each machine its own random streams, so other machines do not change its values', () => {
    const inPlant = createDemoPlant(3).find((placed) => placed.machine.id === 'pump-01')?.machine;
    const alone = new CentrifugalPump({ id: 'pump-01', seed: 3 });
    const renamed = new CentrifugalPump({ id: 'pump-02', seed: 3 });
    if (!inPlant) throw new Error('demo plant has no pump-01');
    for (let step = 0; step < 100; step++) for (const machine of [inPlant, alone, renamed]) machine.step(0.1);
    expect(alone.readings()).toEqual(inPlant.readings());
    expect(renamed.readings()).not.toEqual(inPlant.readings());
  });

  it('places the contract ids on their lines and transports', () => {
    const plant = createDemoPlant(1);
    expect(plant.map(({ site, line, transport, machine }) => [site, line, transport, machine.id, machine.kind])).toEqual([
      ['Millbrook', 'Utilities', 'opcua', 'pump-01', 'centrifugal-pump'],
      ['Millbrook', 'Utilities', 'opcua', 'compressor-01', 'air-compressor'],
      ['Millbrook', 'Machining', 'opcua', 'spindle-01', 'cnc-spindle'],
      ['Millbrook', 'Packaging', 'mqtt', 'conveyor-01', 'conveyor-motor'],
      ['Millbrook', 'Packaging', 'mqtt', 'conveyor-02', 'conveyor-motor'],
      ['Millbrook', 'Packaging', 'mqtt', 'meter-01', 'energy-meter'],
    ]);
  });

  it('starts every machine warm and running, with good readings inside their ranges', () => {
    for (const { machine } of createDemoPlant(1)) {
      expect(machine.state).toBe('running');
      expect(machine.faultCode).toBe(0);
      const readings = machine.readings();
      expect(readings.map((reading) => reading.signal)).toEqual(machine.signals.map((spec) => spec.id));
      readings.forEach((reading, index) => {
        const [low, high] = machine.signals[index]?.range ?? [Number.NaN, Number.NaN];
        expect(reading.status).toBe('good');
        expect(reading.value).toBeGreaterThanOrEqual(low);
        expect(reading.value).toBeLessThanOrEqual(high);
      });
    }
  });

  it('rejects a seed that is not an integer', () => {
    expect(() => createDemoPlant(1.5)).toThrow(/seed must be an integer/);
  });
});
