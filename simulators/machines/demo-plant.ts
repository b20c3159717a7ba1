import type { PlacedMachine } from '../machine.js';
import { AirCompressor } from './air-compressor.js';
import { CentrifugalPump } from './centrifugal-pump.js';
import { CncSpindle } from './cnc-spindle.js';
import { ConveyorMotor } from './conveyor-motor.js';
import { EnergyMeter } from './energy-meter.js';

export const DEMO_SITE = 'Millbrook';

/**
 * The Millbrook demo plant: the PLC-served machines (OPC UA) and the packaging line's wireless
 * sensors and incomer meter (MQTT). Every machine starts warm and running at steady state. The meter
 * measures the two conveyors plus the line's base load, so it comes after them: step the machines in
 * the order returned and the meter sees the conveyors' power of the same tick.
 */
export function createDemoPlant(seed: number): PlacedMachine[] {
  const conveyor1 = new ConveyorMotor({ id: 'conveyor-01', seed, loadPercent: 65 });
  const conveyor2 = new ConveyorMotor({ id: 'conveyor-02', seed, loadPercent: 45 });
  return [
    { site: DEMO_SITE, line: 'Utilities', transport: 'opcua', machine: new CentrifugalPump({ id: 'pump-01', seed }) },
    { site: DEMO_SITE, line: 'Utilities', transport: 'opcua', machine: new AirCompressor({ id: 'compressor-01', seed }) },
    { site: DEMO_SITE, line: 'Machining', transport: 'opcua', machine: new CncSpindle({ id: 'spindle-01', seed }) },
    { site: DEMO_SITE, line: 'Packaging', transport: 'mqtt', machine: conveyor1 },
    { site: DEMO_SITE, line: 'Packaging', transport: 'mqtt', machine: conveyor2 },
    { site: DEMO_SITE, line: 'Packaging', transport: 'mqtt', machine: new EnergyMeter({ id: 'meter-01', seed, feeders: [conveyor1, conveyor2] }) },
  ];
}
