import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fitMachine } from '../machine-calibration.js';
import { machineModelArtifacts, type ModelArtifacts } from '../model-artifacts.js';
import type { CalibrationPlan } from './calibration-plan.js';
import type { FitRowCollector } from './fit-row-collector.js';

/** Too few usable rows for a fit: says how many there are, how many are needed, and where the others went. */
export class NotEnoughDataError extends Error {
  constructor(
    readonly plan: CalibrationPlan,
    readonly kept: number,
    collector: FitRowCollector,
    where: string,
  ) {
    const counts = collector.counts();
    const period = plan.grid.periodMs > 0 ? plan.grid.periodMs : 1000;
    const left = [
      counts.notRunning > 0 ? `${counts.notRunning} while it was not running` : '',
      counts.settling > 0 ? `${counts.settling} settling after a start` : '',
      counts.missingInput > 0 ? `${counts.missingInput} with an input missing or bad` : '',
    ].filter(Boolean);
    super(
      `not enough data to calibrate ${plan.asset} ${where}: ${kept} usable row(s) (${describeSpan(kept * period)} of running operation with every input good: ${plan.inputs.map((i) => i.signal).join(', ')}); ` +
        `at least ${plan.minimumRows} are needed (${describeSpan(plan.minimumRows * period)}), 30 minutes or more recommended` +
        (left.length > 0 ? `. Of ${counts.formed} row(s) formed, left out: ${left.join(', ')}` : '') +
        '. Let the machine run longer, or widen --from/--to.',
    );
    this.name = 'NotEnoughDataError';
  }
}

/** Fits the asset's own machine-mode model on the collected rows; throws NotEnoughDataError below the plan's minimum. */
export function fitCalibration(plan: CalibrationPlan, collector: FitRowCollector, data: string, where: string): ModelArtifacts {
  const rows = collector.rows;
  if (rows.length < plan.minimumRows) throw new NotEnoughDataError(plan, rows.length, collector, where);
  const fit = fitMachine(rows, plan.settings, collector.segmentStarts);
  return machineModelArtifacts(
    fit,
    {
      id: plan.modelId,
      assetKind: plan.kind,
      asset: plan.asset,
      ...(plan.priority === undefined ? {} : { priority: plan.priority }),
      description: `${plan.asset}'s own normal behaviour, calibrated on the box${plan.template ? ` following ${plan.template}` : ''}`,
      inputs: plan.inputs,
      grid: plan.grid,
      training: { data, from: new Date(collector.firstTs), to: new Date(collector.lastTs) },
      ...(plan.settleRows === undefined ? {} : { settleRows: plan.settleRows }),
      ...(plan.settleCalmRows === undefined ? {} : { settleCalmRows: plan.settleCalmRows }),
    },
    plan.persistence,
  );
}

/**
 * Writes `<id>.onnx` then its card `<id>.json`, each under a temporary name renamed into place, so a
 * box watching the folder never reads half a file and sees the card (which completes the pair) last.
 */
export async function writeModelAtomically(folder: string, artifacts: ModelArtifacts): Promise<{ cardFile: string; modelFile: string }> {
  await mkdir(folder, { recursive: true });
  const modelFile = path.join(folder, `${artifacts.card.id}.onnx`);
  const cardFile = path.join(folder, `${artifacts.card.id}.json`);
  const suffix = `.${process.pid}.tmp`;
  await writeFile(modelFile + suffix, artifacts.onnx);
  await rename(modelFile + suffix, modelFile);
  await writeFile(cardFile + suffix, `${JSON.stringify(artifacts.card, null, 2)}\n`);
  await rename(cardFile + suffix, cardFile);
  return { cardFile, modelFile };
}

export function describeSpan(ms: number): string {
  const minutes = ms / 60_000;
  if (minutes < 1) return `${Math.round(ms / 1000)} s`;
  if (minutes < 120) return `${Math.round(minutes * 10) / 10} min`;
  return `${Math.round((minutes / 60) * 10) / 10} h`;
}
