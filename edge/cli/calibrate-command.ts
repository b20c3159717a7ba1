import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { AssetConfig } from '../config/config-schema.js';
import { loadConfigFile } from '../config/load-config.js';
import { describeSpan, writeModelAtomically } from '../detect/calibration/asset-calibration.js';
import { planCalibration, type CalibrationTarget } from '../detect/calibration/calibration-plan.js';
import { calibrateFromHistory } from '../detect/calibration/history-calibration.js';
import { readModelCard } from '../detect/detection-model.js';
import type { ModelCard } from '../detect/model-card.js';
import { SHIPPED_MODELS_FOLDER } from '../package-paths.js';
import { AssetHistory, assetHistorySchema } from '../store/asset-history.js';
import { BOX_DATABASE_FILE, openBoxDatabase } from '../store/box-database.js';
import { ProgressBar } from './progress-bar.js';
import { parseTimeArgument } from './time-argument.js';

export interface CalibrateOptions {
  readonly from?: string;
  readonly to?: string;
  readonly config?: string;
  readonly data: string;
  /** Where progress and the result go; defaults to the process's streams. */
  readonly out?: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
}

export interface CalibrateResult {
  readonly cardFile: string;
  readonly modelFile: string;
  readonly card: ModelCard;
}

/**
 * `millwright calibrate <asset> [--from T --to T] [--config FILE | --data DIR]`: fits the asset's own
 * model from its stored history (running rows with every input good, the same rows the live path
 * scores) and writes `<asset>-calibrated.onnx` and its card into `<dataDir>/models/`, where a running
 * box picks it up. Inputs, grid and fit settings follow the asset's present model (its own earlier
 * one, else the model of its kind). Throws with the reason (too little data: how much there is and how
 * much is needed; an unknown asset: the known ones).
 */
export async function runCalibrate(asset: string, options: CalibrateOptions): Promise<CalibrateResult> {
  const out = options.out ?? process.stdout;
  const now = Date.now();
  const from = options.from === undefined ? undefined : parseTimeArgument(options.from, now, '--from');
  const to = options.to === undefined ? now : parseTimeArgument(options.to, now, '--to');
  if (from !== undefined && from >= to) throw new Error(`--from (${new Date(from).toISOString()}) must be before --to (${new Date(to).toISOString()})`);

  const config = options.config === undefined ? undefined : await loadConfigFile(options.config);
  const dataDir = config?.dataDir ?? path.resolve(options.data);
  const databaseFile = path.join(dataDir, BOX_DATABASE_FILE);
  if (!existsSync(databaseFile)) {
    throw new Error(`no box database at ${databaseFile}: calibration reads the history a running box stores there; give the box's data folder (--data DIR) or its configuration (--config FILE)`);
  }
  const database = openBoxDatabase({ dataDir, schemas: [assetHistorySchema], fallbackToMemory: false });
  try {
    const history = new AssetHistory(database);
    const target = calibrationTarget(asset, config?.assets, history);
    const cards = await readCards([...(config?.detection.shippedModels === false ? [] : [SHIPPED_MODELS_FOLDER]), path.join(dataDir, 'models')]);
    const plan = planCalibration(target, cards, config?.detection.calibrationInputs[target.kind]);
    const span = history.span(asset);
    if (!span) throw new Error(`the history in ${databaseFile} holds no data of ${asset} yet: let the box run with the machine running, then calibrate`);
    const start = from ?? span.from;
    out.write(
      `calibrate ${asset} (${target.kind}): ${plan.inputs.map((input) => input.signal).join(', ')}` +
        `${plan.template ? `, following model ${plan.template}` : ''}; history ${new Date(start).toISOString()} .. ${new Date(to).toISOString()}\n`,
    );
    const progress = new ProgressBar(out, `reading ${asset}'s history`);
    let artifacts;
    try {
      artifacts = calibrateFromHistory({ history, plan, from: start, to, onProgress: (done, total) => progress.update(done, total, `${describeSpan(done)} of ${describeSpan(total)}`) });
    } finally {
      progress.clear();
    }
    const files = await writeModelAtomically(path.join(dataDir, 'models'), artifacts);
    const { card } = artifacts;
    out.write(
      `fitted on ${card.training.rows} rows (${card.training.from} .. ${card.training.to}); threshold ${card.threshold.toPrecision(4)}\n` +
        `wrote ${files.modelFile} and ${files.cardFile}; a running box with this data folder attaches it to ${asset} within a second\n`,
    );
    return { ...files, card };
  } finally {
    database.close();
  }
}

/** The asset as the configuration describes it, else as the box recorded it in the history. */
function calibrationTarget(asset: string, assets: Readonly<Record<string, AssetConfig>> | undefined, history: AssetHistory): CalibrationTarget {
  if (assets) {
    const config = Object.hasOwn(assets, asset) ? assets[asset] : undefined;
    if (!config) throw new Error(`the configuration has no asset "${asset}" (assets: ${Object.keys(assets).join(', ')})`);
    return { asset, kind: config.kind, ...(config.running ? { running: config.running } : {}), signals: config.signals, ...(config.trip ? { tripSignal: config.trip.signal } : {}) };
  }
  const stored = history.assetDescription(asset);
  if (!stored) {
    const known = history.assets();
    throw new Error(`the history knows no asset "${asset}" (${known.length > 0 ? `assets: ${known.join(', ')}` : 'it is empty'}); give the configuration with --config FILE`);
  }
  return { asset, kind: stored.kind, ...(stored.running ? { running: stored.running } : {}) };
}

/** The cards of every model in the folders; files that do not read as cards are skipped (the box reports them). */
async function readCards(folders: readonly string[]): Promise<ModelCard[]> {
  const cards: ModelCard[] = [];
  for (const folder of folders) {
    let names: string[];
    try {
      names = await readdir(folder);
    } catch {
      continue;
    }
    for (const name of names.filter((candidate) => candidate.endsWith('.json')).sort()) {
      try {
        cards.push(await readModelCard(path.join(folder, name)));
      } catch {
        // not a model card, or a broken one: not a template
      }
    }
  }
  return cards;
}
