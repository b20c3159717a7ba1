/**
 * npm run bench:detect-live — how the box's detection behaves on the simulated plant.
 *
 * The demo plant's physics run in process on simulated time (createDemoPlant; readings become Samples at
 * the demo's rates, models/training/simulated-telemetry.ts) into the box's own detection path: the rule
 * layer, LiveDetection with the shipped models and the demo configuration, and the alert engine on a
 * clock that follows the data (bench/detect/simulated-box.ts). No servers: a simulated day takes a
 * minute or so.
 *
 * 1. Faults: for each injectable fault on each machine kind, a fresh plant runs WARM_UP healthy, the fault
 *    is injected at the stated severity and ramp, and the run goes on for WINDOW. Reported: the time to
 *    the first alert on that machine and which it is, the time to its first model alert and the model's
 *    top contributors, whether the fault's own signals are among them, and for sensor faults whether a
 *    rule told the instrument apart (rate, stuck or quality alert on that signal).
 * 2. Normal operation: the whole plant for DAYS simulated days, each machine's load setpoint moving and
 *    the machines stopped about three times a day; false alerts per asset-day, model and rules apart. The
 *    meter, which has no shipped model, is calibrated at first start on its first METER_MINUTES (a day by
 *    default, as `millwright calibrate meter-01 --from -1d` would after the first day).
 *
 *   npx tsx bench/detect/live-behaviour.ts [--days N] [--meter-minutes N] [--faults-only | --normal-only] [--seed N]
 */
import path from 'node:path';
import type { AlertEvent } from '../../edge/alerts/alert.js';
import type { MillwrightConfig } from '../../edge/config/config-schema.js';
import { loadConfigFile } from '../../edge/config/load-config.js';
import type { ModelAlertDetails } from '../../edge/detect/live/finding-alerts.js';
import { DEMO_CONFIG_FILE, SHIPPED_MODELS_FOLDER } from '../../edge/package-paths.js';
import type { FaultKind, PlacedMachine } from '../../simulators/machine.js';
import { createDemoPlant } from '../../simulators/machines/demo-plant.js';
import { KIND_PROFILES } from '../../models/training/kind-profiles.js';
import { runMachines } from '../../models/training/machine-run.js';
import { normalOperation, type PlannedEvent } from '../../models/training/operating-plan.js';
import { tempFolder } from '../../test/support/temp-folder.js';
import { SimulatedBox } from './simulated-box.js';

const START_MS = Date.UTC(2025, 0, 6, 6, 0, 0);
const WARM_UP_SECONDS = 20 * 60;
const WINDOW_SECONDS = 60 * 60;

interface FaultCase {
  readonly machine: string;
  readonly kind: string;
  readonly fault: FaultKind;
  readonly severity: number;
  readonly rampSeconds: number;
  readonly signal?: string;
  /** The signals that carry the fault (simulators/MACHINES.md). */
  readonly carriers: readonly string[];
}

/** One machine per kind, its faults with their signatures, and the signal its instrument faults are put on. */
const MACHINES: readonly { machine: string; kind: string; faults: Partial<Record<FaultKind, readonly string[]>>; sensor: string }[] = [
  {
    machine: 'pump-01',
    kind: 'centrifugal-pump',
    faults: {
      'bearing-wear': ['vibration_de', 'bearing_temp_de'],
      cavitation: ['suction_pressure', 'vibration_de', 'vibration_nde', 'discharge_pressure', 'flow'],
      blockage: ['flow', 'discharge_pressure', 'motor_current', 'fluid_temp', 'speed'],
      'motor-overheating': ['motor_temp', 'bearing_temp_de', 'bearing_temp_nde'],
    },
    sensor: 'bearing_temp_de',
  },
  {
    machine: 'compressor-01',
    kind: 'air-compressor',
    faults: { 'bearing-wear': ['vibration', 'oil_temp'], 'motor-overheating': ['oil_temp', 'discharge_temp'], 'air-leak': ['duty_cycle', 'discharge_pressure', 'motor_current'] },
    sensor: 'oil_temp',
  },
  { machine: 'spindle-01', kind: 'cnc-spindle', faults: { 'bearing-wear': ['vibration', 'bearing_temp'], 'motor-overheating': ['coolant_temp', 'bearing_temp'] }, sensor: 'bearing_temp' },
  { machine: 'conveyor-01', kind: 'conveyor-motor', faults: { 'bearing-wear': ['motor_vibration', 'motor_temp'], 'motor-overheating': ['motor_temp'] }, sensor: 'motor_temp' },
  { machine: 'meter-01', kind: 'energy-meter', faults: {}, sensor: 'voltage_l1' },
];

/** Severity of each machine fault: what a maintenance team wants to hear about, short of a trip. */
const MACHINE_FAULT_SEVERITY: Partial<Record<FaultKind, number>> = { 'bearing-wear': 0.5, cavitation: 0.8, blockage: 0.8, 'motor-overheating': 0.5, 'air-leak': 0.5 };
const RAMPS = [0, 600];
const SENSOR_FAULTS: readonly FaultKind[] = ['sensor-stuck', 'sensor-drift', 'sensor-spike', 'sensor-dropout'];

function faultCases(): FaultCase[] {
  const cases: FaultCase[] = [];
  for (const { machine, kind, faults, sensor } of MACHINES) {
    for (const [fault, carriers] of Object.entries(faults) as [FaultKind, readonly string[]][]) {
      for (const rampSeconds of RAMPS) cases.push({ machine, kind, fault, severity: MACHINE_FAULT_SEVERITY[fault] ?? 0.8, rampSeconds, carriers });
    }
    for (const fault of SENSOR_FAULTS) cases.push({ machine, kind, fault, severity: fault === 'sensor-drift' ? 0.5 : 1, rampSeconds: 0, signal: sensor, carriers: [sensor] });
    cases.push({ machine, kind, fault: 'comm-loss', severity: 1, rampSeconds: 0, carriers: [] });
  }
  // A severe air leak and blockage: past what a load change looks like.
  cases.push({ machine: 'compressor-01', kind: 'air-compressor', fault: 'air-leak', severity: 1, rampSeconds: 0, carriers: ['duty_cycle', 'discharge_pressure', 'motor_current'] });
  cases.push({ machine: 'pump-01', kind: 'centrifugal-pump', fault: 'blockage', severity: 0.95, rampSeconds: 600, carriers: ['flow', 'discharge_pressure', 'motor_current', 'fluid_temp', 'speed'] });
  return cases;
}

interface CaseOutcome {
  readonly first: AlertEvent | undefined;
  readonly firstModel: AlertEvent | undefined;
  readonly instrumentRule: AlertEvent | undefined;
  readonly injectedAt: number;
}

async function withBox<T>(config: MillwrightConfig, folder: string, work: (box: SimulatedBox) => Promise<T>): Promise<T> {
  const box = await SimulatedBox.create({ config, shippedFolder: SHIPPED_MODELS_FOLDER, dataDir: folder, startMs: START_MS });
  try {
    return await work(box);
  } finally {
    await box.close();
  }
}

async function runCase(config: MillwrightConfig, folder: string, faultCase: FaultCase, seed: number): Promise<CaseOutcome> {
  return withBox(config, folder, async (box) => {
    const plant = createDemoPlant(seed);
    const inject: PlannedEvent = {
      at: WARM_UP_SECONDS,
      action: { inject: { fault: faultCase.fault, severity: faultCase.severity, rampSeconds: faultCase.rampSeconds, ...(faultCase.signal ? { signal: faultCase.signal } : {}) } },
    };
    await runMachines({
      plant,
      plans: { [faultCase.machine]: [inject] },
      seconds: WARM_UP_SECONDS + WINDOW_SECONDS,
      startMs: START_MS,
      onSamples: (samples, now) => box.push(samples, now),
      settle: () => box.idle(),
    });
    const injectedAt = START_MS + WARM_UP_SECONDS * 1000;
    const onAsset = box.events.filter((event) => annunciates(event) && event.asset === faultCase.machine && event.ts >= injectedAt);
    return {
      injectedAt,
      first: onAsset[0],
      firstModel: onAsset.find((event) => event.alert?.kind === 'model'),
      instrumentRule: onAsset.find((event) => ['rate', 'stuck', 'quality'].includes(event.alert?.kind ?? '') && event.conditionId?.endsWith(`/${faultCase.signal ?? 'communication'}`)),
    };
  });
}

/** An alert going active: a new one, or one that had returned to normal coming back. */
function annunciates(event: AlertEvent): boolean {
  return event.type === 'activated' || event.type === 'reactivated';
}

function topContributors(event: AlertEvent | undefined, count = 3): string[] {
  const details = event?.alert?.details as ModelAlertDetails | null | undefined;
  return (details?.contributions ?? []).filter((c) => c.contribution >= 0.05).slice(0, count).map((c) => `${c.signal} ${Math.round(c.contribution * 100)} %`);
}

function seconds(event: AlertEvent | undefined, from: number): string {
  if (!event) return '—';
  const s = (event.ts - from) / 1000;
  return s < 120 ? `${s.toFixed(0)} s` : `${(s / 60).toFixed(1)} min`;
}

function which(event: AlertEvent | undefined): string {
  if (!event?.alert) return 'none';
  const parts = event.alert.conditionId.split('/');
  return event.alert.kind === 'model' ? 'model' : `${parts[1]} ${parts.slice(2).join('/')}`;
}

async function faultTable(config: MillwrightConfig, root: string, seed: number): Promise<void> {
  console.log(`\n### Faults (seed ${seed}; ${WARM_UP_SECONDS / 60} min healthy, then the fault; watched ${WINDOW_SECONDS / 60} min)\n`);
  console.log('| machine | fault | severity, ramp | first alert | which | model alert | top contributors | fault signals on top | instrument told apart |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  let index = 0;
  for (const faultCase of faultCases()) {
    const outcome = await runCase(config, path.join(root, `case-${index++}`), faultCase, seed);
    const top = topContributors(outcome.firstModel);
    const topSignals = top.map((entry) => entry.split(' ')[0] as string);
    const carried = outcome.firstModel ? (faultCase.carriers.length === 0 ? 'n/a' : topSignals.slice(0, 2).some((signal) => faultCase.carriers.includes(signal)) ? 'yes' : 'no') : '—';
    const sensor = faultCase.fault.startsWith('sensor-') || faultCase.fault === 'comm-loss';
    const toldApart = sensor ? (outcome.instrumentRule ? `yes: ${which(outcome.instrumentRule)} after ${seconds(outcome.instrumentRule, outcome.injectedAt)}` : 'no') : '';
    const faultName = faultCase.signal ? `${faultCase.fault} (${faultCase.signal})` : faultCase.fault;
    const ramp = faultCase.rampSeconds > 0 ? `ramp ${faultCase.rampSeconds / 60} min` : 'at once';
    console.log(
      `| ${faultCase.machine} | ${faultName} | ${faultCase.severity}, ${ramp} | ${seconds(outcome.first, outcome.injectedAt)} | ${which(outcome.first)} | ${seconds(outcome.firstModel, outcome.injectedAt)} | ${top.join(', ') || '—'} | ${carried} | ${toldApart} |`,
    );
  }
}

function normalPlans(plant: readonly PlacedMachine[], seed: number, days: number): Record<string, PlannedEvent[]> {
  const plans: Record<string, PlannedEvent[]> = {};
  for (const { machine } of plant) {
    const profile = KIND_PROFILES.find((candidate) => candidate.kind === machine.kind);
    plans[machine.id] = normalOperation({
      seed,
      machineId: machine.id,
      hours: days * 24,
      loadRange: profile?.loadRange ?? [60, 90],
      loadChangeMinutes: [20, 90],
      stopsPerDay: profile ? 3 : 0,
      stopMinutes: [5, 180],
    });
  }
  return plans;
}

async function normalTable(demoConfig: MillwrightConfig, root: string, seed: number, days: number, meterMinutes: number): Promise<void> {
  const started = performance.now();
  // The meter has no shipped model: here it learns one from its first running minutes (calibrateOnFirstStart).
  const config = { ...demoConfig, detection: { ...demoConfig.detection, calibrateOnFirstStart: { kinds: ['energy-meter'], minutes: meterMinutes } } };
  const end = START_MS + days * 86_400_000;
  const plant = createDemoPlant(seed);
  const plans = normalPlans(plant, seed, days);
  const { events, models } = await withBox(config, path.join(root, 'normal'), async (box) => {
    await runMachines({ plant, plans, seconds: days * 86_400, startMs: START_MS, onSamples: (samples, now) => box.push(samples, now), settle: () => box.idle() });
    return { events: box.events.filter(annunciates), models: box.detection.models() };
  });
  console.log(`\n### Normal operation: ${days} simulated days (seed ${seed}; load setpoints moving every 20–90 min, ~3 stops a day of 5–180 min; ${((performance.now() - started) / 1000).toFixed(0)} s)\n`);
  console.log(`meter-01 is calibrated at first start on its first ${meterMinutes} min; its model alerts are counted from then on.\n`);
  console.log('| asset | model | load changes, stops | model alerts | per asset-day | rule alerts | per asset-day | rule alerts by condition |');
  console.log('|---|---|---|---|---|---|---|---|');
  let modelTotal = 0;
  let ruleTotal = 0;
  for (const { machine } of plant) {
    const mine = events.filter((event) => event.asset === machine.id);
    const model = mine.filter((event) => event.alert?.kind === 'model');
    const rules = mine.filter((event) => event.alert?.kind !== 'model');
    modelTotal += model.length;
    ruleTotal += rules.length;
    const byCondition = new Map<string, number>();
    for (const event of rules) byCondition.set(event.conditionId ?? '?', (byCondition.get(event.conditionId ?? '?') ?? 0) + 1);
    const plan = plans[machine.id] ?? [];
    const bound = models.find((entry) => entry.asset === machine.id && entry.state === 'active');
    // A model calibrated during the run scores from the end of its fit stretch.
    const modelDays = bound?.to ? (end - Date.parse(bound.to)) / 86_400_000 : days;
    console.log(
      `| ${machine.id} | ${bound?.id ?? 'none'}${bound?.to ? ` (from ${((Date.parse(bound.to) - START_MS) / 3600_000).toFixed(1)} h)` : ''} | ${plan.filter((e) => 'load' in e.action).length}, ${plan.filter((e) => 'command' in e.action && e.action.command === 'stop').length} | ${model.length} | ${bound && modelDays > 0 ? (model.length / modelDays).toFixed(2) : '—'} | ${rules.length} | ${(rules.length / days).toFixed(2)} | ${[...byCondition].map(([id, n]) => `${id.split('/').slice(1).join('/')} ×${n}`).join(', ') || '—'} |`,
    );
  }
  const assetDays = plant.length * days;
  const shipped = events.filter((event) => event.alert?.kind === 'model' && !event.alert.conditionId.endsWith('-calibrated')).length;
  console.log(
    `\nShipped models (${plant.length - 1} assets): ${shipped} model alerts, ${(shipped / ((plant.length - 1) * days)).toFixed(3)} per asset-day. ` +
      `All ${plant.length} assets: model alerts ${modelTotal}, rule alerts ${ruleTotal} (${(ruleTotal / assetDays).toFixed(3)} per asset-day).`,
  );
  for (const entry of models.filter((model) => model.state !== 'active')) console.log(`model ${entry.id} (${entry.asset ?? '-'}): ${entry.state}${entry.error ? `: ${entry.error}` : ''}`);
}

function option(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

const days = Number(option('--days') ?? 3);
const meterMinutes = Number(option('--meter-minutes') ?? 1440);
const seed = Number(option('--seed') ?? 1);
const config = await loadConfigFile(DEMO_CONFIG_FILE);
const folder = tempFolder('bench-live');
try {
  if (!process.argv.includes('--normal-only')) await faultTable(config, folder.path, seed);
  if (!process.argv.includes('--faults-only')) await normalTable(config, folder.path, seed, days, meterMinutes);
} finally {
  folder.remove();
}
