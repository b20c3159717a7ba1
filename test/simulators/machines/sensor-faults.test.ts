import { describe, expect, it } from 'vitest';
import { AirCompressor } from '../../../simulators/machines/air-compressor.js';
import { CentrifugalPump } from '../../../simulators/machines/centrifugal-pump.js';
import { ConveyorMotor } from '../../../simulators/machines/conveyor-motor.js';
import { reading, record, recordSideBySide, run, value } from './stepping.js';

const pump = () => new CentrifugalPump({ id: 'pump-01', seed: 1 });

describe('sensor faults', () => {
  it('sensor-stuck freezes the reading at its value at onset while the process moves on', () => {
    const machine = pump();
    const atOnset = value(machine, 'flow');
    machine.inject({ fault: 'sensor-stuck', severity: 1, rampSeconds: 0, signal: 'flow' });
    machine.setLoad(40);
    const stuck = record(machine, 'flow', 600);
    expect(new Set(stuck)).toEqual(new Set([atOnset]));
    expect(reading(machine, 'flow').status).toBe('good');
    expect(value(machine, 'motor_current')).not.toBe(record(machine, 'motor_current', 1)[0]);
    machine.clearFaults('sensor-stuck');
    run(machine, 1);
    expect(value(machine, 'flow')).toBeLessThan(0.8 * atOnset);
  });

  it('sensor-drift adds a bias that grows with time and severity', () => {
    const drifting = pump();
    const slowDrift = pump();
    const healthy = pump();
    drifting.inject({ fault: 'sensor-drift', severity: 1, rampSeconds: 0, signal: 'bearing_temp_de' });
    slowDrift.inject({ fault: 'sensor-drift', severity: 0.5, rampSeconds: 0, signal: 'bearing_temp_de' });
    const [fast = [], slow = [], truth = []] = recordSideBySide([drifting, slowDrift, healthy], 'bearing_temp_de', 600);
    const bias = (series: number[], index: number) => (series[index] ?? 0) - (truth[index] ?? 0);
    // 2 % of the 150 °C span per minute at severity 1: 3 °C/min, so 15 °C after 5 min and 30 °C after 10.
    expect(bias(fast, 1199)).toBeCloseTo(30, 0);
    expect(bias(fast, 599)).toBeCloseTo(15, 0);
    expect(bias(slow, 1199)).toBeCloseTo(15, 0);
    expect(value(drifting, 'motor_temp')).toBe(value(healthy, 'motor_temp'));
  });

  it('sensor-spike produces short random excursions of a size that grows with severity', () => {
    const spiking = pump();
    const mild = pump();
    const healthy = pump();
    spiking.inject({ fault: 'sensor-spike', severity: 1, rampSeconds: 0, signal: 'discharge_pressure' });
    mild.inject({ fault: 'sensor-spike', severity: 0.2, rampSeconds: 0, signal: 'discharge_pressure' });
    const [strong = [], weak = [], truth = []] = recordSideBySide([spiking, mild, healthy], 'discharge_pressure', 300, 0.1);
    const deviations = (series: number[]) => series.map((item, index) => Math.abs(item - (truth[index] ?? 0)));
    const strongSpikes = deviations(strong).filter((deviation) => deviation > 1);
    expect(strongSpikes.length).toBeGreaterThan(20);
    expect(strongSpikes.length).toBeLessThan(600);
    expect(Math.max(...deviations(weak))).toBeLessThan(1);
    expect(Math.max(...deviations(weak))).toBeGreaterThan(0.2);
  });

  it('sensor-dropout fails only the named channel: status sensor-failure, no value', () => {
    const machine = pump();
    machine.inject({ fault: 'sensor-dropout', severity: 1, rampSeconds: 0, signal: 'vibration_nde' });
    for (const readings of [machine.readings(), (run(machine, 10), machine.readings())]) {
      for (const item of readings) {
        if (item.signal === 'vibration_nde') {
          expect(item.status).toBe('sensor-failure');
          expect(item.value).toBeNaN();
        } else {
          expect(item.status).toBe('good');
          expect(Number.isFinite(item.value)).toBe(true);
        }
      }
    }
    machine.clearFaults();
    expect(reading(machine, 'vibration_nde').status).toBe('good');
  });

  it('sensor-dropout below full severity fails the channel intermittently, for about that share of the time', () => {
    const machine = pump();
    machine.inject({ fault: 'sensor-dropout', severity: 0.4, rampSeconds: 0, signal: 'flow' });
    let failed = 0;
    const steps = 36000;
    for (let step = 0; step < steps; step++) {
      machine.step(0.1);
      if (reading(machine, 'flow').status === 'sensor-failure') failed += 1;
    }
    expect(failed / steps).toBeGreaterThan(0.25);
    expect(failed / steps).toBeLessThan(0.55);
  });

  it('comm-loss marks every reading no-communication while the physics runs on', () => {
    const machine = new ConveyorMotor({ id: 'conveyor-01', seed: 1 });
    const healthy = new ConveyorMotor({ id: 'conveyor-01', seed: 1 });
    machine.inject({ fault: 'comm-loss', severity: 1, rampSeconds: 0 });
    expect(machine.readings().every((item) => item.status === 'no-communication' && Number.isNaN(item.value))).toBe(true);
    for (let step = 0; step < 100; step++) for (const twin of [machine, healthy]) twin.step(0.5);
    expect(machine.readings().every((item) => item.status === 'no-communication')).toBe(true);
    machine.clearFaults('comm-loss');
    expect(machine.readings()).toEqual(healthy.readings());
  });

  it('sensor faults never change the physics, so protection still acts on the true values', () => {
    const machine = pump();
    const healthy = pump();
    machine.inject({ fault: 'sensor-drift', severity: 1, rampSeconds: 0, signal: 'motor_temp' });
    // 4 °C/min: the reading passes the 140 °C trip limit after about 18 min and pins at 200 °C after 33.
    for (let step = 0; step < 2400; step++) for (const twin of [machine, healthy]) twin.step(1);
    expect(value(machine, 'motor_temp')).toBe(200);
    expect(machine.state).toBe('running');
    expect(value(machine, 'flow')).toBe(value(healthy, 'flow'));
  });

  it('a boolean signal can be stuck or drop out, and reads 0 or 1', () => {
    const machine = new AirCompressor({ id: 'compressor-01', seed: 1 });
    const atOnset = value(machine, 'loaded');
    machine.inject({ fault: 'sensor-stuck', severity: 1, rampSeconds: 0, signal: 'loaded' });
    expect(new Set(record(machine, 'loaded', 300))).toEqual(new Set([atOnset]));
    expect([0, 1]).toContain(atOnset);
  });
});
