import { describe, expect, it } from 'vitest';
import { AirCompressor, COMPRESSOR_TRIPS, LOAD_PRESSURE, UNLOAD_PRESSURE } from '../../../simulators/machines/air-compressor.js';
import { mean, run, runSideBySide, runUntil, value } from './stepping.js';

const compressor = (seed = 1) => new AirCompressor({ id: 'compressor-01', seed });

interface Sampled {
  pressure: number[];
  loadedCurrent: number[];
  unloadedCurrent: number[];
  loadedSeconds: number;
  unloadedDecay: number[];
}

/** Samples a compressor every second: pressures, currents by load state, and the pressure fall rate while unloaded. */
function sample(machine: AirCompressor, seconds: number): Sampled {
  const result: Sampled = { pressure: [], loadedCurrent: [], unloadedCurrent: [], loadedSeconds: 0, unloadedDecay: [] };
  let previous = value(machine, 'discharge_pressure');
  for (let second = 0; second < seconds; second++) {
    run(machine, 1);
    const pressure = value(machine, 'discharge_pressure');
    const loaded = value(machine, 'loaded') === 1;
    result.pressure.push(pressure);
    (loaded ? result.loadedCurrent : result.unloadedCurrent).push(value(machine, 'motor_current'));
    if (loaded) result.loadedSeconds += 1;
    else result.unloadedDecay.push(previous - pressure);
    previous = pressure;
  }
  return result;
}

describe('air compressor physics', () => {
  it('cycles between its load and unload pressures, near 100 % current loaded and 30–40 % unloaded', () => {
    const machine = compressor();
    const sampled = sample(machine, 1200);
    expect(Math.min(...sampled.pressure)).toBeGreaterThan(LOAD_PRESSURE - 0.2);
    expect(Math.max(...sampled.pressure)).toBeLessThan(UNLOAD_PRESSURE + 0.3);
    expect(Math.min(...sampled.pressure)).toBeLessThan(LOAD_PRESSURE + 0.1);
    expect(Math.max(...sampled.pressure)).toBeGreaterThan(UNLOAD_PRESSURE - 0.1);
    const ratedCurrent = 97;
    expect(mean(sampled.loadedCurrent) / ratedCurrent).toBeGreaterThan(0.85);
    expect(mean(sampled.loadedCurrent) / ratedCurrent).toBeLessThan(1.05);
    expect(mean(sampled.unloadedCurrent) / ratedCurrent).toBeGreaterThan(0.3);
    expect(mean(sampled.unloadedCurrent) / ratedCurrent).toBeLessThan(0.42);
  });

  it('reports the loaded share of the last 10 minutes as duty cycle, following the air demand', () => {
    const light = compressor();
    const heavy = compressor();
    light.setLoad(30);
    heavy.setLoad(85);
    runSideBySide([light, heavy], 900);
    expect(value(light, 'duty_cycle')).toBeGreaterThan(15);
    expect(value(light, 'duty_cycle')).toBeLessThan(45);
    expect(value(heavy, 'duty_cycle')).toBeGreaterThan(70);
    const measured = sample(heavy, 600);
    expect(value(heavy, 'duty_cycle')).toBeCloseTo((100 * measured.loadedSeconds) / 600, -1);
  });

  it('runs hotter at a higher duty, with discharge above oil temperature', () => {
    const light = compressor();
    const heavy = compressor();
    light.setLoad(30);
    heavy.setLoad(85);
    runSideBySide([light, heavy], 1800);
    expect(value(heavy, 'oil_temp')).toBeGreaterThan(value(light, 'oil_temp') + 3);
    expect(value(heavy, 'discharge_temp')).toBeGreaterThan(value(heavy, 'oil_temp'));
  });

  it('stops unloaded, loses pressure to the demand and cools; restarts with a high star-delta current', () => {
    const machine = compressor();
    machine.command('stop');
    run(machine, 20);
    expect(machine.state).toBe('stopped');
    expect(value(machine, 'motor_current')).toBe(0);
    expect(value(machine, 'loaded')).toBe(0);
    run(machine, 1800);
    expect(value(machine, 'discharge_pressure')).toBeLessThan(1);
    expect(value(machine, 'oil_temp')).toBeLessThan(60);
    machine.command('start');
    run(machine, 1);
    expect(machine.state).toBe('starting');
    expect(value(machine, 'motor_current')).toBeGreaterThan(150);
    run(machine, 120);
    expect(machine.state).toBe('running');
    expect(value(machine, 'loaded')).toBe(1);
    expect(value(machine, 'duty_cycle')).toBeGreaterThan(90);
  });
});

describe('air compressor faults', () => {
  it('air-leak lengthens the loaded periods, raises the duty cycle and speeds the unloaded pressure decay', () => {
    const faulty = compressor();
    const healthy = compressor();
    faulty.inject({ fault: 'air-leak', severity: 0.6, rampSeconds: 60 });
    runSideBySide([faulty, healthy], 900);
    expect(value(faulty, 'duty_cycle')).toBeGreaterThan(value(healthy, 'duty_cycle') + 10);
    const leaking = sample(faulty, 900);
    const tight = sample(healthy, 900);
    expect(mean(leaking.unloadedDecay)).toBeGreaterThan(1.2 * mean(tight.unloadedDecay));
    expect(faulty.faultCode).toBe(0);
  });

  it('bearing-wear raises vibration by a clear margin', () => {
    const faulty = compressor();
    const healthy = compressor();
    faulty.inject({ fault: 'bearing-wear', severity: 0.7, rampSeconds: 30 });
    runSideBySide([faulty, healthy], 120);
    const wornVibration: number[] = [];
    const soundVibration: number[] = [];
    for (let second = 0; second < 120; second++) {
      runSideBySide([faulty, healthy], 1);
      wornVibration.push(value(faulty, 'vibration'));
      soundVibration.push(value(healthy, 'vibration'));
    }
    expect(mean(wornVibration)).toBeGreaterThan(mean(soundVibration) + 2);
    expect(faulty.state).toBe('running');
  });

  it('motor-overheating (cooling fan failure) heats oil and discharge until the high discharge temperature trip (301)', () => {
    const faulty = compressor();
    const healthy = compressor();
    faulty.inject({ fault: 'motor-overheating', severity: 1, rampSeconds: 60 });
    runSideBySide([faulty, healthy], 240);
    expect(value(faulty, 'oil_temp')).toBeGreaterThan(value(healthy, 'oil_temp') + 8);
    expect(runUntil(faulty, () => faulty.state === 'tripped', 1800)).toBeDefined();
    expect(faulty.faultCode).toBe(COMPRESSOR_TRIPS.highDischargeTemperature.code);
    expect(() => faulty.command('reset')).toThrow(/discharge_temp is .* and must fall below 100 °C/);
    faulty.clearFaults();
    run(faulty, 1800);
    faulty.command('reset');
    faulty.command('start');
    run(faulty, 30);
    expect(faulty.state).toBe('running');
  });
});
