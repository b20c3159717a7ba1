import { describe, expect, it } from 'vitest';
import { CentrifugalPump, PUMP_TRIPS } from '../../../simulators/machines/centrifugal-pump.js';
import { mean, record, recordSideBySide, run, runSideBySide, runUntil, standardDeviation, value } from './stepping.js';

const pump = (seed = 1) => new CentrifugalPump({ id: 'pump-01', seed });

/** Mean of each signal over `seconds`, for a faulty pump and its healthy twin stepped side by side. */
function compare(faulty: CentrifugalPump, healthy: CentrifugalPump, signals: readonly string[], seconds: number) {
  const sums = signals.map(() => [0, 0]);
  const steps = seconds * 2;
  for (let step = 0; step < steps; step++) {
    runSideBySide([faulty, healthy], 0.5);
    signals.forEach((signal, index) => {
      const sum = sums[index] ?? [0, 0];
      sum[0] = (sum[0] ?? 0) + value(faulty, signal) / steps;
      sum[1] = (sum[1] ?? 0) + value(healthy, signal) / steps;
    });
  }
  return Object.fromEntries(signals.map((signal, index) => [signal, { faulty: sums[index]?.[0] ?? 0, healthy: sums[index]?.[1] ?? 0 }]));
}

describe('centrifugal pump physics', () => {
  it('runs near its rated point at 80 % demand', () => {
    const machine = pump();
    expect(value(machine, 'speed')).toBeGreaterThan(2960);
    expect(value(machine, 'speed')).toBeLessThan(3000);
    expect(value(machine, 'flow')).toBeGreaterThan(105);
    expect(value(machine, 'flow')).toBeLessThan(150);
    expect(value(machine, 'discharge_pressure') - value(machine, 'suction_pressure')).toBeGreaterThan(4.2);
    expect(value(machine, 'motor_current')).toBeGreaterThan(35);
    expect(value(machine, 'motor_current')).toBeLessThan(60);
    expect(value(machine, 'motor_voltage')).toBeGreaterThan(390);
  });

  it('follows the affinity laws: a lower demand closes the valve, lowers flow and current and raises discharge pressure', () => {
    const throttled = pump();
    const reference = pump();
    throttled.setLoad(40);
    runSideBySide([throttled, reference], 600);
    expect(value(throttled, 'flow')).toBeLessThan(0.7 * value(reference, 'flow'));
    expect(value(throttled, 'motor_current')).toBeLessThan(value(reference, 'motor_current') - 2);
    expect(value(throttled, 'discharge_pressure')).toBeGreaterThan(value(reference, 'discharge_pressure') + 0.2);
  });

  it('ramps down when stopped: speed, flow and current reach zero and the temperatures cool', () => {
    const machine = pump();
    const hotWinding = value(machine, 'motor_temp');
    machine.command('stop');
    run(machine, 1);
    expect(machine.state).toBe('stopping');
    run(machine, 10);
    expect(machine.state).toBe('stopped');
    expect(value(machine, 'speed')).toBe(0);
    expect(value(machine, 'flow')).toBeLessThan(0.5);
    expect(value(machine, 'motor_current')).toBe(0);
    expect(value(machine, 'motor_voltage')).toBe(0);
    run(machine, 1800);
    expect(value(machine, 'motor_temp')).toBeLessThan(hotWinding - 15);
    expect(value(machine, 'vibration_de')).toBeLessThan(0.2);
  });

  it('starts over a few seconds with a high starting current, then runs', () => {
    const machine = pump();
    machine.command('stop');
    run(machine, 60);
    machine.command('start');
    const currents = record(machine, 'motor_current', 3, 0.1);
    expect(machine.state).toBe('starting');
    expect(Math.max(...currents)).toBeGreaterThan(110);
    expect(Math.max(...currents)).toBeLessThanOrEqual(150);
    run(machine, 10);
    expect(machine.state).toBe('running');
    expect(value(machine, 'motor_current')).toBeLessThan(60);
    expect(value(machine, 'flow')).toBeGreaterThan(100);
  });
});

describe('centrifugal pump faults', () => {
  it('bearing-wear raises drive-end vibration after its ramp, and the bearing temperature later', () => {
    const faulty = pump();
    const healthy = pump();
    faulty.inject({ fault: 'bearing-wear', severity: 0.8, rampSeconds: 60 });
    const early = compare(faulty, healthy, ['vibration_de', 'vibration_nde', 'bearing_temp_de', 'motor_current'], 120);
    expect(early.vibration_de?.faulty).toBeGreaterThan((early.vibration_de?.healthy ?? 0) + 2.5);
    expect((early.vibration_de?.faulty ?? 0) - (early.vibration_de?.healthy ?? 0)).toBeGreaterThan(
      2 * ((early.vibration_nde?.faulty ?? 0) - (early.vibration_nde?.healthy ?? 0)),
    );
    expect(early.bearing_temp_de?.faulty).toBeLessThan((early.bearing_temp_de?.healthy ?? 0) + 3);
    runSideBySide([faulty, healthy], 1500);
    expect(value(faulty, 'bearing_temp_de')).toBeGreaterThan(value(healthy, 'bearing_temp_de') + 10);
    expect(value(faulty, 'motor_current')).toBeGreaterThan(value(healthy, 'motor_current'));
    expect(faulty.state).toBe('running');
    expect(faulty.faultCode).toBe(0);
  });

  it('bearing-wear at high severity adds intermittent impacts to the vibration', () => {
    const faulty = pump();
    const healthy = pump();
    faulty.inject({ fault: 'bearing-wear', severity: 0.85, rampSeconds: 0 });
    const [worn = [], sound = []] = recordSideBySide([faulty, healthy], 'vibration_de', 60, 0.1);
    const excess = worn.map((item, index) => item - (sound[index] ?? 0));
    expect(Math.max(...excess) - mean(excess)).toBeGreaterThan(1);
  });

  it('cavitation lowers suction pressure, head and flow, makes them noisy and raises vibration', () => {
    const faulty = pump();
    const healthy = pump();
    faulty.inject({ fault: 'cavitation', severity: 0.9, rampSeconds: 0 });
    const [cavitating = [], steady = []] = recordSideBySide([faulty, healthy], 'flow', 60, 0.5);
    expect(faulty.state).toBe('running');
    expect(mean(cavitating)).toBeLessThan(0.97 * mean(steady));
    expect(standardDeviation(cavitating)).toBeGreaterThan(2 * standardDeviation(steady));
    const after = compare(faulty, healthy, ['suction_pressure', 'discharge_pressure', 'vibration_de', 'vibration_nde'], 5);
    expect(after.suction_pressure?.faulty).toBeLessThan(-0.2);
    expect(after.discharge_pressure?.faulty).toBeLessThan((after.discharge_pressure?.healthy ?? 0) - 1);
    expect(after.vibration_de?.faulty).toBeGreaterThan((after.vibration_de?.healthy ?? 0) + 1.5);
    expect(after.vibration_nde?.faulty).toBeGreaterThan((after.vibration_nde?.healthy ?? 0) + 1);
  });

  it('blockage lowers flow and current, raises discharge pressure toward shut-off and warms the water', () => {
    const faulty = pump();
    const healthy = pump();
    faulty.inject({ fault: 'blockage', severity: 0.95, rampSeconds: 30 });
    const after = compare(faulty, healthy, ['flow', 'motor_current', 'discharge_pressure', 'fluid_temp'], 600);
    expect(after.flow?.faulty).toBeLessThan(0.5 * (after.flow?.healthy ?? 0));
    expect(after.flow?.faulty).toBeGreaterThan(PUMP_TRIPS.lowFlow.limit);
    expect(after.motor_current?.faulty).toBeLessThan((after.motor_current?.healthy ?? 0) - 3);
    expect(after.discharge_pressure?.faulty).toBeGreaterThan((after.discharge_pressure?.healthy ?? 0) + 0.3);
    expect(value(faulty, 'fluid_temp')).toBeGreaterThan(value(healthy, 'fluid_temp') + 0.3);
    expect(faulty.faultCode).toBe(0);
  });

  it('motor-overheating makes the winding climb through its thermal lag', () => {
    const faulty = pump();
    const healthy = pump();
    faulty.inject({ fault: 'motor-overheating', severity: 0.5, rampSeconds: 60 });
    runSideBySide([faulty, healthy], 60);
    const early = value(faulty, 'motor_temp') - value(healthy, 'motor_temp');
    runSideBySide([faulty, healthy], 900);
    const later = value(faulty, 'motor_temp') - value(healthy, 'motor_temp');
    expect(early).toBeLessThan(5);
    expect(later).toBeGreaterThan(20);
    expect(value(faulty, 'motor_current')).toBeGreaterThan(value(healthy, 'motor_current'));
  });
});

describe('centrifugal pump protection', () => {
  it('trips on dead-head (202), coasts down, and restarts after a reset once the valve is open again', () => {
    const machine = pump();
    machine.inject({ fault: 'blockage', severity: 1, rampSeconds: 10 });
    const tripAfter = runUntil(machine, () => machine.state === 'tripped', 120);
    expect(tripAfter).toBeDefined();
    expect(tripAfter).toBeGreaterThan(PUMP_TRIPS.lowFlow.delaySeconds);
    expect(machine.faultCode).toBe(202);
    expect(value(machine, 'speed')).toBeGreaterThan(0);
    run(machine, 30);
    expect(value(machine, 'speed')).toBe(0);
    expect(machine.state).toBe('tripped');
    expect(() => machine.command('start')).toThrow(/pump-01 is tripped \(trip 202: dead-head \/ low flow\); send 'reset'/);
    machine.clearFaults('blockage');
    expect(machine.state).toBe('tripped');
    machine.command('reset');
    expect(machine.state).toBe('stopped');
    expect(machine.faultCode).toBe(0);
    machine.command('start');
    run(machine, 30);
    expect(machine.state).toBe('running');
    expect(value(machine, 'flow')).toBeGreaterThan(100);
  });

  it('does not trip on a brief excursion shorter than the trip delay', () => {
    const machine = pump();
    machine.inject({ fault: 'blockage', severity: 1, rampSeconds: 0 });
    run(machine, 10);
    machine.clearFaults();
    run(machine, 30);
    expect(machine.state).toBe('running');
    expect(machine.faultCode).toBe(0);
  });

  it('trips on motor over-temperature (101) and refuses a reset until the cooling is restored and the winding has cooled', () => {
    const machine = pump();
    machine.inject({ fault: 'motor-overheating', severity: 1, rampSeconds: 0 });
    expect(runUntil(machine, () => machine.state === 'tripped', 3600, 1)).toBeDefined();
    expect(machine.faultCode).toBe(101);
    expect(value(machine, 'motor_temp')).toBeGreaterThan(PUMP_TRIPS.motorOverTemperature.limit - 1);
    expect(() => machine.command('reset')).toThrow(/pump-01 cannot be reset from trip 101: motor over-temperature: motor_temp is \d+\.\d °C and must fall below 120 °C/);
    machine.clearFaults('motor-overheating');
    run(machine, 600, 1);
    machine.command('reset');
    expect(machine.faultCode).toBe(0);
  });

  it('trips on low suction pressure (201) when cavitation is fully developed', () => {
    const machine = pump();
    machine.inject({ fault: 'cavitation', severity: 1, rampSeconds: 120 });
    expect(runUntil(machine, () => machine.state === 'tripped', 600)).toBeGreaterThan(60);
    expect(machine.faultCode).toBe(201);
  });
});
