import { SeededRandom } from '../../simulators/machines/seeded-random.js';

/** Eight signals of a running centrifugal pump, with levels and units as a PLC would report them. */
export const PUMP_SIGNALS: readonly { readonly signal: string; readonly unit: string; readonly level: number; readonly load: number; readonly noise: number }[] = [
  { signal: 'flow', unit: 'm³/h', level: 120, load: 12, noise: 0.8 },
  { signal: 'discharge_pressure', unit: 'bar', level: 4.2, load: 0.3, noise: 0.03 },
  { signal: 'motor_current', unit: 'A', level: 35, load: 3, noise: 0.25 },
  { signal: 'speed', unit: 'rpm', level: 2970, load: 4, noise: 1.5 },
  { signal: 'bearing_temperature', unit: '°C', level: 55, load: 1.5, noise: 0.1 },
  { signal: 'motor_temperature', unit: '°C', level: 65, load: 2, noise: 0.1 },
  { signal: 'vibration', unit: 'mm/s', level: 2.1, load: 0.15, noise: 0.08 },
  { signal: 'supply_voltage', unit: 'V', level: 400, load: -1, noise: 1 },
];

/**
 * Rows of a pump in normal operation: a slowly wandering load (AR(1), φ 0.995) moves the signals
 * together, each with its own measurement noise. Reproducible per seed and asset.
 */
export class SyntheticPump {
  private readonly random: SeededRandom;
  private load = 0;

  constructor(seed: number, asset: string) {
    this.random = SeededRandom.forStream(seed, asset, 'synthetic-pump');
  }

  next(): Float64Array {
    this.load = 0.995 * this.load + 0.1 * this.random.gaussian();
    return Float64Array.from(PUMP_SIGNALS, (signal) => signal.level + signal.load * this.load + signal.noise * this.random.gaussian());
  }
}
