import { describe, expect, it } from 'vitest';
import type { FaultKind } from '../../../simulators/machine.js';
import { AirCompressor } from '../../../simulators/machines/air-compressor.js';
import { CentrifugalPump } from '../../../simulators/machines/centrifugal-pump.js';
import { EnergyMeter } from '../../../simulators/machines/energy-meter.js';
import { run } from './stepping.js';

const pump = () => new CentrifugalPump({ id: 'pump-01', seed: 1 });

describe('fault injection requests', () => {
  it('names the machine, the request and what is supported when a fault does not apply', () => {
    expect(() => pump().inject({ fault: 'air-leak', severity: 1, rampSeconds: 0 })).toThrow(
      "pump-01 (centrifugal-pump) cannot develop 'air-leak'; it supports: bearing-wear, cavitation, blockage, motor-overheating, sensor-stuck, sensor-drift, sensor-spike, sensor-dropout, comm-loss",
    );
    expect(() => new EnergyMeter({ id: 'meter-01', seed: 1 }).inject({ fault: 'bearing-wear', severity: 1, rampSeconds: 0 })).toThrow(
      /meter-01 \(energy-meter\) cannot develop 'bearing-wear'; it supports: sensor-stuck/,
    );
    expect(() => pump().inject({ fault: 'melting' as FaultKind, severity: 1, rampSeconds: 0 })).toThrow(/cannot develop 'melting'/);
  });

  it('names the signals when a sensor fault has none or an unknown one', () => {
    expect(() => pump().inject({ fault: 'sensor-drift', severity: 1, rampSeconds: 0 })).toThrow(
      /pump-01 \(centrifugal-pump\): 'sensor-drift' needs the signal whose sensor misbehaves; signals: speed, motor_current, .*fluid_temp/,
    );
    expect(() => pump().inject({ fault: 'sensor-stuck', severity: 1, rampSeconds: 0, signal: 'oil_temp' })).toThrow(
      /pump-01 \(centrifugal-pump\) has no signal 'oil_temp' for 'sensor-stuck'; signals: speed, /,
    );
  });

  it('refuses a signal on a machine-wide fault, and drift or spikes on an on/off signal', () => {
    expect(() => pump().inject({ fault: 'bearing-wear', severity: 1, rampSeconds: 0, signal: 'vibration_de' })).toThrow(
      /'bearing-wear' affects the whole machine and takes no signal \(got 'vibration_de'\)/,
    );
    const compressor = new AirCompressor({ id: 'compressor-01', seed: 1 });
    expect(() => compressor.inject({ fault: 'sensor-drift', severity: 1, rampSeconds: 0, signal: 'loaded' })).toThrow(
      /compressor-01 \(air-compressor\): 'loaded' is an on\/off signal and cannot have 'sensor-drift'; it can have: sensor-stuck, sensor-dropout/,
    );
  });

  it('refuses severities outside 0..1 and negative or non-finite ramps', () => {
    for (const severity of [-0.1, 1.5, Number.NaN]) {
      expect(() => pump().inject({ fault: 'blockage', severity, rampSeconds: 0 })).toThrow(/severity of 'blockage' must be a number from 0 to 1/);
    }
    for (const rampSeconds of [-1, Number.POSITIVE_INFINITY]) {
      expect(() => pump().inject({ fault: 'blockage', severity: 1, rampSeconds })).toThrow(/rampSeconds of 'blockage' must be 0 or a positive number/);
    }
  });

  it('lists active faults with their onset, replaces a repeated fault and clears by kind or all', () => {
    const machine = pump();
    run(machine, 10);
    machine.inject({ fault: 'bearing-wear', severity: 0.3, rampSeconds: 60 });
    machine.inject({ fault: 'sensor-drift', severity: 1, rampSeconds: 0, signal: 'flow' });
    machine.inject({ fault: 'sensor-drift', severity: 1, rampSeconds: 0, signal: 'speed' });
    const snapshot = machine.activeFaults;
    run(machine, 5);
    machine.inject({ fault: 'bearing-wear', severity: 0.9, rampSeconds: 0 });
    expect(snapshot).toHaveLength(3);
    expect(machine.activeFaults).toEqual([
      { fault: 'sensor-drift', severity: 1, rampSeconds: 0, signal: 'flow', since: 10 },
      { fault: 'sensor-drift', severity: 1, rampSeconds: 0, signal: 'speed', since: 10 },
      { fault: 'bearing-wear', severity: 0.9, rampSeconds: 0, since: 15 },
    ]);
    machine.clearFaults('sensor-drift');
    expect(machine.activeFaults.map((fault) => fault.fault)).toEqual(['bearing-wear']);
    machine.clearFaults();
    expect(machine.activeFaults).toEqual([]);
    expect(() => machine.clearFaults('rust' as FaultKind)).toThrow(/pump-01 \(centrifugal-pump\): cannot clear unknown fault 'rust'/);
  });

  it('refuses unknown commands, load setpoints outside 0..150 % and bad step lengths', () => {
    const machine = pump();
    expect(() => machine.command('explode' as 'start')).toThrow(/pump-01: unknown command 'explode'; commands: start, stop, reset/);
    expect(() => machine.setLoad(160)).toThrow(/pump-01 \(centrifugal-pump\): load must be from 0 to 150 % of rated duty, got 160/);
    expect(() => machine.setLoad(Number.NaN)).toThrow(/load must be/);
    expect(() => machine.step(-1)).toThrow(/pump-01: step\(\) needs a finite, non-negative number of simulated seconds, got -1/);
  });
});
