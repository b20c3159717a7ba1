import type { RunningCondition } from '../../edge/detect/detection-engine.js';
import type { MachineFitSettings } from '../../edge/detect/machine-calibration.js';
import type { FaultKind, SimulatedMachine } from '../../simulators/machine.js';
import { AirCompressor } from '../../simulators/machines/air-compressor.js';
import { CentrifugalPump } from '../../simulators/machines/centrifugal-pump.js';
import { CncSpindle } from '../../simulators/machines/cnc-spindle.js';
import { ConveyorMotor } from '../../simulators/machines/conveyor-motor.js';

/**
 * How a shipped model of a machine kind is made: the machine, its inputs, its running condition (as the
 * demo configuration has it), the range its load moves in during normal operation, and the fit settings.
 *
 * Settings common to every kind, and why:
 * - longRunInflation off: it inflates each input's variance by its AR(1) long-run factor, a safety margin
 *   for fits on a few hundred rows (SKAB's 400). These fits have hours of rows, and with it a slow signal
 *   (a winding temperature, φ ≈ 0.995) counts 400 times less: motor overheating went unseen.
 * - settleRows / settleCalmRows: after a start, temperatures take up to an hour and a half to come back
 *   to their running level (bearings τ 15 min, from ambient after a long stop). Settling ends as soon as
 *   two minutes of rows score under half the threshold; a machine not back by 90 min after the start runs
 *   at another level (its load changed while it stood) and its present level becomes the reference. A
 *   fault present at a start is left to the rules.
 * - raiseAfter 3: three rows (3 s) over the threshold, so a single disturbed row does not raise.
 * - the compressor's reference drifts slower (τ 600 rows instead of 200): its vibration and current
 *   swing with every load/unload cycle, and a bearing wearing over ten minutes hid in that swing while
 *   the reference followed it.
 */
export interface KindProfile {
  readonly kind: string;
  readonly description: string;
  /** A machine of the kind, as the demo plant builds it. */
  build(id: string, seed: number): SimulatedMachine;
  /** The model inputs: the machine's analog process signals (supply voltage and on/off states left out unless they explain load). */
  readonly inputs: readonly string[];
  readonly running: RunningCondition;
  /**
   * How long a reading is held onto later grid rows. The PLC's OPC UA subscription reports a value only
   * when it changes, so a quantity at rest (a spindle at 0 rpm through a 20 s part change) stays valid
   * for 30 s; the wireless sensors send every reading, 2.5 s covers one lost.
   */
  readonly maxHoldMs: number;
  readonly loadRange: readonly [number, number];
  readonly fit: Partial<MachineFitSettings>;
  readonly settleRows: number;
  readonly settleCalmRows: number;
  readonly raiseAfter: number;
  /** The kind's own faults (sensor faults and comm-loss apply to every kind). */
  readonly faults: readonly FaultKind[];
}

const COMMON = {
  fit: { longRunInflation: false },
  settleRows: 5400,
  settleCalmRows: 120,
  raiseAfter: 3,
} as const;

const STATE_RUNNING: RunningCondition = { signal: 'state', equals: 2 };

export const KIND_PROFILES: readonly KindProfile[] = [
  {
    kind: 'centrifugal-pump',
    description: 'a cooling-water centrifugal pump: hydraulics (flow, pressures), motor, bearings and vibration together',
    build: (id, seed) => new CentrifugalPump({ id, seed }),
    inputs: ['speed', 'motor_current', 'motor_temp', 'vibration_de', 'vibration_nde', 'bearing_temp_de', 'bearing_temp_nde', 'suction_pressure', 'discharge_pressure', 'flow', 'fluid_temp'],
    running: STATE_RUNNING,
    maxHoldMs: 30_000,
    loadRange: [65, 95],
    ...COMMON,
    faults: ['bearing-wear', 'cavitation', 'blockage', 'motor-overheating'],
  },
  {
    kind: 'air-compressor',
    description: 'an oil-injected screw compressor on load/unload control: pressure cycle, temperatures, current, vibration and duty cycle together',
    build: (id, seed) => new AirCompressor({ id, seed }),
    inputs: ['discharge_pressure', 'discharge_temp', 'oil_temp', 'motor_current', 'vibration', 'duty_cycle'],
    running: STATE_RUNNING,
    maxHoldMs: 30_000,
    loadRange: [45, 75],
    ...COMMON,
    fit: { ...COMMON.fit, referenceTau: 600 },
    faults: ['bearing-wear', 'motor-overheating', 'air-leak'],
  },
  {
    kind: 'cnc-spindle',
    description: 'a machining-centre motor spindle running its part program: speed, load, current, bearing and coolant temperatures, vibration together',
    build: (id, seed) => new CncSpindle({ id, seed }),
    inputs: ['speed', 'load', 'motor_current', 'bearing_temp', 'vibration', 'coolant_temp'],
    running: STATE_RUNNING,
    maxHoldMs: 30_000,
    loadRange: [85, 115],
    ...COMMON,
    faults: ['bearing-wear', 'motor-overheating'],
  },
  {
    kind: 'conveyor-motor',
    description: 'a conveyor drive motor seen by a wireless vibration/temperature sensor',
    build: (id, seed) => new ConveyorMotor({ id, seed, loadPercent: 55 }),
    inputs: ['motor_vibration', 'motor_temp'],
    running: { signal: 'motor_vibration', above: 0.3 },
    maxHoldMs: 2500,
    loadRange: [35, 75],
    ...COMMON,
    faults: ['bearing-wear', 'motor-overheating'],
  },
];
