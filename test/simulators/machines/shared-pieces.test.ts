import { describe, expect, it } from 'vitest';
import { approach } from '../../../simulators/machines/first-order-lag.js';
import { MotorDrive } from '../../../simulators/machines/motor-drive.js';
import { ProtectiveTrips } from '../../../simulators/machines/protective-trips.js';
import { RollingFraction } from '../../../simulators/machines/rolling-fraction.js';
import { SeededRandom } from '../../../simulators/machines/seeded-random.js';
import { SlowWander } from '../../../simulators/machines/slow-wander.js';
import { mean, standardDeviation } from './stepping.js';

describe('seeded random', () => {
  it('repeats a stream for the same seed, machine and purpose, and differs otherwise', () => {
    const draw = (random: SeededRandom) => Array.from({ length: 5 }, () => random.uniform());
    const first = draw(SeededRandom.forStream(1, 'pump-01', 'process'));
    expect(draw(SeededRandom.forStream(1, 'pump-01', 'process'))).toEqual(first);
    expect(draw(SeededRandom.forStream(2, 'pump-01', 'process'))).not.toEqual(first);
    expect(draw(SeededRandom.forStream(1, 'pump-02', 'process'))).not.toEqual(first);
    expect(draw(SeededRandom.forStream(1, 'pump-01', 'faults'))).not.toEqual(first);
    expect(draw(SeededRandom.forStream(2 ** 40 + 1, 'pump-01', 'process'))).not.toEqual(first);
  });

  it('draws standard normal values', () => {
    const random = SeededRandom.forStream(5, 'x', 'y');
    const values = Array.from({ length: 20000 }, () => random.gaussian());
    expect(mean(values)).toBeCloseTo(0, 1);
    expect(standardDeviation(values)).toBeCloseTo(1, 1);
  });
});

describe('first-order lag and slow wander', () => {
  it('approaches the target by 63 % per time constant, whatever the step length', () => {
    expect(approach(0, 100, 10, 10)).toBeCloseTo(63.2, 1);
    let stepped = 0;
    for (let step = 0; step < 100; step++) stepped = approach(stepped, 100, 10, 0.1);
    expect(stepped).toBeCloseTo(63.2, 1);
    expect(approach(0, 100, 0, 1)).toBe(100);
  });

  it('wanders around zero by about sigma', () => {
    const wander = new SlowWander(SeededRandom.forStream(1, 'x', 'y'), 2, 5);
    const values = Array.from({ length: 50000 }, () => wander.step(1));
    expect(Math.abs(mean(values))).toBeLessThan(0.3);
    expect(standardDeviation(values)).toBeGreaterThan(1.7);
    expect(standardDeviation(values)).toBeLessThan(2.3);
  });
});

describe('rolling fraction', () => {
  it('reports the held share of the counted time over the window, and forgets older time', () => {
    const duty = new RollingFraction(10);
    expect(duty.fraction).toBe(0);
    for (let step = 0; step < 40; step++) duty.record(0.1, true, step < 10);
    expect(duty.fraction).toBeCloseTo(0.25, 5);
    duty.record(3, false, false);
    expect(duty.fraction).toBeCloseTo(0.25, 5);
    duty.record(20, true, false);
    expect(duty.fraction).toBeCloseTo(0, 9);
    duty.record(25, true, true);
    expect(duty.fraction).toBeCloseTo(1, 9);
  });
});

describe('motor drive', () => {
  it('ramps through starting and stopping, and coasts after a trip', () => {
    const drive = new MotorDrive({ startSeconds: 4, stopSeconds: 2, coastSeconds: 3 });
    drive.stop();
    expect(drive.state).toBe('stopping');
    drive.step(1);
    expect(drive.speedFraction).toBeCloseTo(0.5);
    drive.step(1.5);
    expect(drive.state).toBe('stopped');
    expect(drive.energised).toBe(false);
    drive.start();
    drive.step(2);
    expect(drive.state).toBe('starting');
    expect(drive.speedFraction).toBeCloseTo(0.5);
    drive.step(2);
    expect(drive.state).toBe('running');
    drive.trip();
    drive.step(1);
    expect(drive.state).toBe('tripped');
    expect(drive.speedFraction).toBeCloseTo(Math.exp(-1), 5);
    drive.start();
    expect(drive.state).toBe('tripped');
    drive.reset();
    expect(drive.state).toBe('stopped');
    drive.step(10);
    expect(drive.speedFraction).toBe(0);
  });
});

describe('protective trips', () => {
  it('trips only after the delay, ignores running-only rules while starting, and holds reset until the margin is regained', () => {
    let temperature = 100;
    let flow = 0;
    const trips = new ProtectiveTrips([
      { code: 101, cause: 'hot', quantity: 'temp', unit: '°C', comparison: 'above', limit: 140, resetMargin: 20, delaySeconds: 5, runningOnly: false, value: () => temperature },
      { code: 202, cause: 'dry', quantity: 'flow', unit: 'm³/h', comparison: 'below', limit: 20, resetMargin: 0, delaySeconds: 5, runningOnly: true, value: () => flow },
    ]);
    expect(trips.step(10, 'starting')).toBe(0);
    flow = 100;
    temperature = 150;
    expect(trips.step(4, 'running')).toBe(0);
    temperature = 130;
    expect(trips.step(2, 'running')).toBe(0);
    temperature = 150;
    expect(trips.step(4, 'running')).toBe(0);
    expect(trips.step(1, 'running')).toBe(101);
    temperature = 125;
    expect(trips.persistingCause(101)).toBe('temp is 125.0 °C and must fall below 120 °C first');
    temperature = 119;
    expect(trips.persistingCause(101)).toBeUndefined();
    expect(trips.persistingCause(202)).toBeUndefined();
  });
});
