import { describe, expect, it } from 'vitest';
import { CONVEYOR_TRIPS, ConveyorMotor } from '../../../simulators/machines/conveyor-motor.js';
import { createDemoPlant } from '../../../simulators/machines/demo-plant.js';
import { EnergyMeter } from '../../../simulators/machines/energy-meter.js';
import { mean, run, runSideBySide, runUntil, value } from './stepping.js';

const conveyor = (loadPercent = 60, seed = 1) => new ConveyorMotor({ id: 'conveyor-01', seed, loadPercent });

describe('conveyor motor', () => {
  it('draws more power and runs warmer with more product on the belt', () => {
    const light = conveyor(20);
    const heavy = conveyor(100);
    const lightPower: number[] = [];
    const heavyPower: number[] = [];
    for (let second = 0; second < 600; second++) {
      runSideBySide([light, heavy], 1);
      lightPower.push(light.activePowerKw);
      heavyPower.push(heavy.activePowerKw);
    }
    expect(mean(heavyPower)).toBeGreaterThan(mean(lightPower) + 1);
    expect(mean(heavyPower)).toBeLessThan(5);
    expect(value(heavy, 'motor_temp')).toBeGreaterThan(value(light, 'motor_temp') + 3);
    expect(value(heavy, 'motor_temp')).toBeGreaterThan(35);
    expect(value(heavy, 'motor_temp')).toBeLessThan(75);
  });

  it('stops: no vibration, no power, and the motor cools', () => {
    const machine = conveyor();
    const warm = value(machine, 'motor_temp');
    machine.command('stop');
    run(machine, 10);
    expect(machine.state).toBe('stopped');
    expect(machine.activePowerKw).toBe(0);
    expect(value(machine, 'motor_vibration')).toBeLessThan(0.1);
    run(machine, 1800);
    expect(value(machine, 'motor_temp')).toBeLessThan(warm - 10);
  });

  it('bearing-wear raises vibration; motor-overheating raises the housing temperature through its lag', () => {
    const worn = conveyor();
    const hot = conveyor();
    const healthy = conveyor();
    worn.inject({ fault: 'bearing-wear', severity: 0.8, rampSeconds: 30 });
    hot.inject({ fault: 'motor-overheating', severity: 0.6, rampSeconds: 30 });
    runSideBySide([worn, hot, healthy], 120);
    expect(value(worn, 'motor_vibration')).toBeGreaterThan(value(healthy, 'motor_vibration') + 1.5);
    expect(value(hot, 'motor_temp') - value(healthy, 'motor_temp')).toBeLessThan(5);
    runSideBySide([worn, hot, healthy], 1800);
    expect(value(hot, 'motor_temp')).toBeGreaterThan(value(healthy, 'motor_temp') + 15);
    expect(hot.state).toBe('running');
  });

  it('is stopped by its thermistor relay (101) when the cooling is fully blocked', () => {
    const machine = conveyor(100);
    machine.inject({ fault: 'motor-overheating', severity: 1, rampSeconds: 0 });
    expect(runUntil(machine, () => machine.state === 'tripped', 4 * 3600, 2)).toBeDefined();
    expect(machine.faultCode).toBe(CONVEYOR_TRIPS.motorOverTemperature.code);
    expect(value(machine, 'motor_temp')).toBeGreaterThan(90);
    expect(value(machine, 'motor_temp')).toBeLessThanOrEqual(150);
  });
});

describe('energy meter', () => {
  it('measures the base load plus the conveyors, at about 230 V, 50 Hz and a lagging power factor', () => {
    const running = createDemoPlant(1);
    const stopped = createDemoPlant(1);
    const machine = (plant: typeof running, id: string) => {
      const found = plant.find((placed) => placed.machine.id === id)?.machine;
      if (!found) throw new Error(`demo plant has no ${id}`);
      return found;
    };
    for (const id of ['conveyor-01', 'conveyor-02']) machine(stopped, id).command('stop');
    for (let second = 0; second < 60; second++) for (const plant of [running, stopped]) for (const { machine } of plant) machine.step(1);
    const conveyorsKw = ['conveyor-01', 'conveyor-02'].reduce((sum, id) => sum + (machine(running, id) as ConveyorMotor).activePowerKw, 0);
    const meter = machine(running, 'meter-01');
    expect(conveyorsKw).toBeGreaterThan(3);
    expect(conveyorsKw).toBeLessThan(8);
    expect(value(meter, 'power') - value(machine(stopped, 'meter-01'), 'power')).toBeCloseTo(conveyorsKw, 0);
    for (const signal of ['voltage_l1', 'voltage_l2', 'voltage_l3']) {
      expect(value(meter, signal)).toBeGreaterThan(220);
      expect(value(meter, signal)).toBeLessThan(240);
    }
    expect(value(meter, 'voltage_l1')).not.toBe(value(meter, 'voltage_l2'));
    expect(value(meter, 'power_factor')).toBeGreaterThan(0.8);
    expect(value(meter, 'power_factor')).toBeLessThan(1);
    expect(Math.abs(value(meter, 'frequency') - 50)).toBeLessThan(0.15);
  });

  it('integrates power into the energy register', () => {
    const meter = new EnergyMeter({ id: 'meter-01', seed: 1, initialEnergyKwh: 1000 });
    const start = value(meter, 'energy');
    const powers: number[] = [];
    for (let second = 0; second < 3600; second++) {
      run(meter, 1, 1);
      powers.push(value(meter, 'power'));
    }
    expect(value(meter, 'energy') - start).toBeCloseTo(mean(powers), 0);
  });

  it('follows its base load setpoint', () => {
    const normal = new EnergyMeter({ id: 'meter-01', seed: 1 });
    const reduced = new EnergyMeter({ id: 'meter-01', seed: 1 });
    reduced.setLoad(25);
    runSideBySide([normal, reduced], 60);
    expect(value(reduced, 'power')).toBeLessThan(value(normal, 'power') - 20);
  });

  it('cannot be started or stopped, only measures; reset is accepted and does nothing', () => {
    const meter = new EnergyMeter({ id: 'meter-01', seed: 1 });
    expect(() => meter.command('stop')).toThrow(/meter-01 \(energy-meter\) cannot 'stop': it only measures/);
    expect(() => meter.command('start')).toThrow(/meter-01/);
    meter.command('reset');
    expect(meter.state).toBe('running');
    expect(meter.faultCode).toBe(0);
    expect(meter.supportedFaults).toEqual(['sensor-stuck', 'sensor-drift', 'sensor-spike', 'sensor-dropout', 'comm-loss']);
  });
});
