/**
 * npm run models:train — trains the shipped models of the simulated machine kinds, reproducibly.
 *
 * For each kind (models/training/kind-profiles.ts): a machine of the kind is stepped in process on
 * simulated time for TRAIN_HOURS of healthy operation — its load setpoint moving within the kind's range,
 * stopped now and then — and its readings go through the box's own row assembly (FitRowCollector: the
 * card's 1 s grid, running rows only, settling after starts left out). Machine mode is fitted on those
 * rows (fitMachine, TypeScript, the same fit as calibration on the box), written as <kind>.onnx and its
 * card, loaded back through the card/model check, and evaluated on machines and seeds it never saw:
 * a day of healthy operation (load changes, stops) and each of the kind's faults. The figures go into
 * the card's `evaluation`. Everything is seeded; only the card's fittedAt changes between runs.
 *
 *   npx tsx models/train-models.ts [kind ...]
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FitRowCollector } from '../edge/detect/calibration/fit-row-collector.js';
import { loadDetectionModel } from '../edge/detect/detection-model.js';
import { fitMachine } from '../edge/detect/machine-calibration.js';
import { machineModelArtifacts, recordEvaluation, writeModelArtifacts } from '../edge/detect/model-artifacts.js';
import { KIND_PROFILES, type KindProfile } from './training/kind-profiles.js';
import { runMachines } from './training/machine-run.js';
import { evaluateFault, evaluateNormal, type FaultCase } from './training/model-evaluation.js';
import { normalOperation } from './training/operating-plan.js';

const MODELS_FOLDER = path.dirname(fileURLToPath(import.meta.url));
const TRAIN_SEED = 2024;
const TRAIN_HOURS = 12;
const EVALUATION_SEED = 7;
const EVALUATION_HOURS = 24;
/** The faults each model is evaluated on: sudden, at a severity a maintenance team wants to hear about. */
const FAULT_CASES: Readonly<Record<string, FaultCase>> = {
  'bearing-wear': { fault: 'bearing-wear', severity: 0.5, rampSeconds: 0 },
  cavitation: { fault: 'cavitation', severity: 0.8, rampSeconds: 0 },
  blockage: { fault: 'blockage', severity: 0.8, rampSeconds: 0 },
  'motor-overheating': { fault: 'motor-overheating', severity: 0.5, rampSeconds: 0 },
  'air-leak': { fault: 'air-leak', severity: 0.5, rampSeconds: 0 },
};

function gridOf(profile: KindProfile) {
  return { periodMs: 1000, maxHoldMs: profile.maxHoldMs, latenessMs: 1000 };
}

async function trainingRows(profile: KindProfile): Promise<{ collector: FitRowCollector; hours: number }> {
  const machine = profile.build(`training-${profile.kind}`, TRAIN_SEED);
  const collector = new FitRowCollector({ asset: machine.id, grid: gridOf(profile), signals: profile.inputs, running: profile.running, settleRows: profile.settleRows });
  const plan = normalOperation({ seed: TRAIN_SEED, machineId: machine.id, hours: TRAIN_HOURS, loadRange: profile.loadRange, loadChangeMinutes: [20, 90], stopsPerDay: 3, stopMinutes: [5, 180] });
  await runMachines({
    plant: [{ site: 'training', line: 'training', transport: 'opcua', machine }],
    plans: { [machine.id]: plan },
    seconds: TRAIN_HOURS * 3600,
    startMs: Date.UTC(2025, 0, 1),
    onSamples: (samples) => collector.push(samples),
  });
  return { collector, hours: TRAIN_HOURS };
}

async function train(profile: KindProfile): Promise<void> {
  const started = performance.now();
  const { collector, hours } = await trainingRows(profile);
  const fit = fitMachine(collector.rows, profile.fit, collector.segmentStarts);
  const units = new Map(profile.build('units', 1).signals.map((spec) => [spec.id, spec.unit]));
  const counts = collector.counts();
  const artifacts = machineModelArtifacts(
    fit,
    {
      id: profile.kind,
      assetKind: profile.kind,
      description: `Shipped model of ${profile.description}; trained on the simulated machine (models/train-models.ts)`,
      inputs: profile.inputs.map((signal) => ({ signal, unit: units.get(signal) ?? '' })),
      grid: gridOf(profile),
      training: {
        data:
          `${hours} simulated hours of healthy operation of a simulated ${profile.kind} (simulators/machines, seed ${TRAIN_SEED}): load setpoint moving within ${profile.loadRange[0]}–${profile.loadRange[1]} % every 20–90 min, ` +
          `about 3 stops a day of 5–180 min; readings as the demo's gateway delivers them, on the model's 1 s grid: ${counts.kept} running rows kept of ${counts.formed} ` +
          `(${counts.notRunning} stopped, ${counts.settling} settling after a start, ${counts.missingInput} with an input missing)`,
        seed: TRAIN_SEED,
      },
      settleRows: profile.settleRows,
      settleCalmRows: profile.settleCalmRows,
    },
    { raiseAfter: profile.raiseAfter },
  );
  const { cardFile } = await writeModelArtifacts(MODELS_FOLDER, artifacts);
  const model = await loadDetectionModel(cardFile);
  try {
    const normal = await evaluateNormal(model, profile, EVALUATION_SEED, EVALUATION_HOURS);
    const faults = [];
    for (const fault of profile.faults) {
      for (const rampSeconds of [0, 600]) faults.push(await evaluateFault(model, profile, EVALUATION_SEED, { ...(FAULT_CASES[fault] as FaultCase), rampSeconds }));
    }
    const figures: Record<string, number> = {
      normalHours: normal.hours,
      normalAlerts: normal.episodes,
      normalAnomalousRows: normal.anomalousRows,
      normalMaxSeverity: round(normal.maxSeverity),
    };
    for (const outcome of faults) {
      figures[`${outcome.fault}.severity`] = outcome.severity;
      figures[`${outcome.fault}.${outcome.rampSeconds > 0 ? `ramp${outcome.rampSeconds}s.` : ''}secondsToAlert`] = outcome.secondsToAnomalous ?? -1;
    }
    await recordEvaluation(cardFile, {
      data: `held-out simulated operation (seed ${EVALUATION_SEED}, another machine id): ${EVALUATION_HOURS} h healthy with load changes and stops; each fault injected after 1 h of healthy running, at once and with a 10 min ramp, watched for 1 h`,
      figures,
      notes:
        `threshold ${fit.threshold.toFixed(2)} (T², quantile ${fit.settings.quantile} × margin ${fit.settings.margin}); secondsToAlert -1: not within the hour. ` +
        `Top contributors at the first anomalous row: ${faults.filter((f) => f.rampSeconds === 0).map((f) => `${f.fault}: ${f.topContributors.slice(0, 2).join(', ') || '-'}`).join('; ')}. ` +
        'The live behaviour with rules and alerts is measured by npm run bench:detect-live.',
    });
    console.log(
      `${profile.kind}: ${counts.kept} fit rows, threshold ${fit.threshold.toFixed(2)}; normal ${normal.hours} h: ${normal.episodes} alert(s), max ${normal.maxSeverity.toFixed(2)} × threshold; ` +
        faults.map((f) => `${f.fault} ${f.severity}${f.rampSeconds > 0 ? ' ramped' : ''}: ${f.secondsToAnomalous === null ? 'not seen' : `${f.secondsToAnomalous} s (${f.topContributors.slice(0, 2).join(', ')})`}`).join('; ') +
        ` [${((performance.now() - started) / 1000).toFixed(1)} s]`,
    );
  } finally {
    await model.release();
  }
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

const wanted = process.argv.slice(2);
const unknown = wanted.filter((kind) => !KIND_PROFILES.some((profile) => profile.kind === kind));
if (unknown.length > 0) {
  console.error(`unknown kind(s): ${unknown.join(', ')}; known: ${KIND_PROFILES.map((profile) => profile.kind).join(', ')}`);
  process.exit(1);
}
for (const profile of KIND_PROFILES.filter((candidate) => wanted.length === 0 || wanted.includes(candidate.kind))) await train(profile);
