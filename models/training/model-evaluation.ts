import { DetectionEngine } from '../../edge/detect/detection-engine.js';
import type { DetectionModel } from '../../edge/detect/detection-model.js';
import type { Finding } from '../../edge/detect/finding.js';
import type { FaultKind } from '../../simulators/machine.js';
import type { KindProfile } from './kind-profiles.js';
import { runMachines } from './machine-run.js';
import { normalOperation, type PlannedEvent } from './operating-plan.js';

export interface FaultCase {
  readonly fault: FaultKind;
  readonly severity: number;
  readonly rampSeconds: number;
}

/** A fault case on one machine, after a healthy warm-up of an hour. */
export interface FaultOutcome extends FaultCase {
  /** Simulated seconds from the injection to the first anomalous finding; null when there was none within the window. */
  readonly secondsToAnomalous: number | null;
  /** Input signals by their contribution at that finding, largest first. */
  readonly topContributors: readonly string[];
}

export interface NormalOutcome {
  readonly hours: number;
  /** Stretches of anomalous findings (each would be one model alert). */
  readonly episodes: number;
  readonly anomalousRows: number;
  readonly rowsScored: number;
  /** Highest score / threshold, rows settling after a start left out. */
  readonly maxSeverity: number;
}

const WARM_UP_SECONDS = 3600;
const FAULT_WINDOW_SECONDS = 3600;
const START_MS = Date.UTC(2025, 0, 6);

/** Scores a machine's run with the model as the live path attaches a kind model, collecting findings. */
async function scoreRun(model: DetectionModel, profile: KindProfile, seed: number, plan: readonly PlannedEvent[], seconds: number): Promise<Finding[]> {
  const findings: Finding[] = [];
  const engine = new DetectionEngine({ onFinding: (finding) => findings.push(finding) });
  const machine = profile.build(`evaluation-${profile.kind}`, seed);
  engine.attach(model, machine.id, { running: profile.running, referenceFromPresent: true });
  await runMachines({
    plant: [{ site: 'evaluation', line: 'evaluation', transport: machine.kind === 'conveyor-motor' ? 'mqtt' : 'opcua', machine }],
    plans: { [machine.id]: plan },
    seconds,
    startMs: START_MS,
    onSamples: (samples) => engine.push(samples),
    settle: () => engine.idle(),
  });
  return findings;
}

/** Healthy operation with load changes and stops, on a machine and seed the model never saw. */
export async function evaluateNormal(model: DetectionModel, profile: KindProfile, seed: number, hours: number): Promise<NormalOutcome> {
  const plan = normalOperation({ seed, machineId: `evaluation-${profile.kind}`, hours, loadRange: profile.loadRange, loadChangeMinutes: [20, 90], stopsPerDay: 3, stopMinutes: [5, 180] });
  const findings = await scoreRun(model, profile, seed, plan, hours * 3600);
  let episodes = 0;
  let previous = false;
  for (const finding of findings) {
    if (finding.anomalous && !previous) episodes += 1;
    previous = finding.anomalous;
  }
  return {
    hours,
    episodes,
    anomalousRows: findings.filter((finding) => finding.anomalous).length,
    rowsScored: findings.length,
    maxSeverity: findings.reduce((most, finding) => (finding.settling ? most : Math.max(most, finding.score / finding.threshold)), 0),
  };
}

/** One fault injected after an hour of healthy running, watched for an hour. */
export async function evaluateFault(model: DetectionModel, profile: KindProfile, seed: number, fault: FaultCase): Promise<FaultOutcome> {
  const plan: PlannedEvent[] = [{ at: WARM_UP_SECONDS, action: { inject: { fault: fault.fault, severity: fault.severity, rampSeconds: fault.rampSeconds } } }];
  const findings = await scoreRun(model, profile, seed, plan, WARM_UP_SECONDS + FAULT_WINDOW_SECONDS);
  const injectedAt = START_MS + WARM_UP_SECONDS * 1000;
  const first = findings.find((finding) => finding.anomalous && finding.ts >= injectedAt);
  return {
    ...fault,
    secondsToAnomalous: first ? (first.ts - injectedAt) / 1000 : null,
    topContributors: first ? Object.entries(first.contributions).sort((a, b) => b[1] - a[1]).map(([signal]) => signal) : [],
  };
}
