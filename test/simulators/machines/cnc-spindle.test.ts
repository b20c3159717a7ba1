import { describe, expect, it } from 'vitest';
import { CncSpindle, SPINDLE_TRIPS } from '../../../simulators/machines/cnc-spindle.js';
import { DEMO_PROGRAM } from '../../../simulators/machines/machining-program.js';
import { mean, run, runSideBySide, runUntil, value } from './stepping.js';

const spindle = (seed = 1) => new CncSpindle({ id: 'spindle-01', seed });

interface Snapshot {
  speed: number;
  load: number;
  current: number;
  vibration: number;
}

function watch(machine: CncSpindle, seconds: number, dt = 0.1): Snapshot[] {
  const snapshots: Snapshot[] = [];
  for (let step = 0; step < Math.round(seconds / dt); step++) {
    machine.step(dt);
    snapshots.push({
      speed: value(machine, 'speed'),
      load: value(machine, 'load'),
      current: value(machine, 'motor_current'),
      vibration: value(machine, 'vibration'),
    });
  }
  return snapshots;
}

describe('cnc spindle machining cycle', () => {
  it('repeats its program: each tool speed is held in turn, with the spindle at rest for tool changes', () => {
    const snapshots = watch(spindle(), 500);
    for (const operation of DEMO_PROGRAM) {
      const atSpeed = snapshots.filter((snapshot) => Math.abs(snapshot.speed - operation.speedRpm) < 30);
      expect(atSpeed.length, operation.tool).toBeGreaterThan(operation.cutSeconds * 10);
    }
    expect(snapshots.filter((snapshot) => snapshot.speed === 0).length).toBeGreaterThan(200);
  });

  it('moves speed, load and current together: cutting loads the spindle and draws current', () => {
    const snapshots = watch(spindle(), 500);
    const cutting = snapshots.filter((snapshot) => snapshot.speed > 1000 && snapshot.load > 40);
    const idling = snapshots.filter((snapshot) => snapshot.speed > 1000 && snapshot.load < 15);
    const atRest = snapshots.filter((snapshot) => snapshot.speed === 0);
    expect(cutting.length).toBeGreaterThan(300);
    expect(idling.length).toBeGreaterThan(50);
    expect(mean(cutting.map((snapshot) => snapshot.current))).toBeGreaterThan(mean(idling.map((snapshot) => snapshot.current)) + 6);
    expect(mean(idling.map((snapshot) => snapshot.current))).toBeGreaterThan(mean(atRest.map((snapshot) => snapshot.current)) + 4);
    expect(mean(atRest.map((snapshot) => snapshot.vibration))).toBeLessThan(0.1);
  });

  it('scales the cutting load with the load factor and trips on overload (102) when pushed far beyond rating', () => {
    const light = spindle();
    const normal = spindle();
    light.setLoad(50);
    const lightLoads = watch(light, 300).map((snapshot) => snapshot.load);
    const normalLoads = watch(normal, 300).map((snapshot) => snapshot.load);
    expect(mean(lightLoads)).toBeLessThan(mean(normalLoads) - 8);
    const overloaded = spindle();
    overloaded.setLoad(150);
    expect(runUntil(overloaded, () => overloaded.state === 'tripped', 900)).toBeDefined();
    expect(overloaded.faultCode).toBe(SPINDLE_TRIPS.motorOvercurrent.code);
  });

  it('stops and starts again from the first tool', () => {
    const machine = spindle();
    machine.command('stop');
    run(machine, 5);
    expect(machine.state).toBe('stopped');
    expect(value(machine, 'speed')).toBe(0);
    expect(value(machine, 'motor_current')).toBe(0);
    machine.command('start');
    expect(machine.state).toBe('starting');
    run(machine, 8);
    expect(machine.state).toBe('running');
    expect(value(machine, 'speed')).toBeCloseTo(DEMO_PROGRAM[0]?.speedRpm ?? 0, -2);
  });
});

describe('cnc spindle faults', () => {
  it('bearing-wear raises vibration while spinning and the bearing temperature later', () => {
    const faulty = spindle();
    const healthy = spindle();
    faulty.inject({ fault: 'bearing-wear', severity: 0.7, rampSeconds: 30 });
    const worn = watch(faulty, 400, 0.5);
    const sound = watch(healthy, 400, 0.5);
    const spinning = (snapshots: Snapshot[]) => mean(snapshots.slice(100).filter((snapshot) => snapshot.speed > 5000).map((snapshot) => snapshot.vibration));
    expect(spinning(worn)).toBeGreaterThan(spinning(sound) + 1.5);
    runSideBySide([faulty, healthy], 900);
    expect(value(faulty, 'bearing_temp')).toBeGreaterThan(value(healthy, 'bearing_temp') + 8);
  });

  it('motor-overheating (chiller failure) lets the coolant and bearing climb until the coolant trip (401)', () => {
    const faulty = spindle();
    const healthy = spindle();
    faulty.inject({ fault: 'motor-overheating', severity: 1, rampSeconds: 60 });
    runSideBySide([faulty, healthy], 300);
    expect(value(faulty, 'coolant_temp')).toBeGreaterThan(value(healthy, 'coolant_temp') + 5);
    expect(value(faulty, 'bearing_temp')).toBeGreaterThan(value(healthy, 'bearing_temp') + 2);
    expect(runUntil(faulty, () => faulty.state === 'tripped', 1800)).toBeDefined();
    expect(faulty.faultCode).toBe(SPINDLE_TRIPS.coolantOverTemperature.code);
  });
});
