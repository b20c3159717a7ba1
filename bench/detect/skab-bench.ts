import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { GridRow } from '../../edge/detect/asset-resampler.js';
import { DetectionEngine } from '../../edge/detect/detection-engine.js';
import { loadDetectionModel, type DetectionModel } from '../../edge/detect/detection-model.js';
import type { Finding } from '../../edge/detect/finding.js';
import { fitMachine, MACHINE_FIT_DEFAULTS } from '../../edge/detect/machine-calibration.js';
import { machineModelArtifacts, recordEvaluation, writeModelArtifacts } from '../../edge/detect/model-artifacts.js';
import type { ModelCard } from '../../edge/detect/model-card.js';
import type { ElementType } from '../../edge/detect/onnx/nearest-reference-graph.js';
import { rowAssemblerFor } from '../../edge/detect/row-assembler.js';
import type { SkabFile } from './dataset-discovery.js';
import { findingsByRow, modelIdFor, recordingSamples } from './recording-samples.js';
import { readSkabCsv, type SkabRecording } from './skab-csv.js';
import { countSkabFile, skabScore, sumCounts, SKAB_TRAIN_ROWS, type ConfusionCounts, type SkabScore } from './skab-scoring.js';

export interface SkabBenchOptions {
  /** Predictions go to <outDir>/<relative path of the input>; fitted models to <outDir>/models/skab/. */
  readonly outDir: string;
  /** The models' grid period; 0 scores the recording's own rows (no resampling). */
  readonly periodMs: number;
  readonly margin?: number;
  readonly elementType?: ElementType;
  readonly onProgress?: (done: number, total: number) => void;
}

export interface SkabFileResult {
  readonly relative: string;
  readonly rows: number;
  readonly counts: ConfusionCounts;
  /** Lines of the file that could not be read (kept aside by the reader). */
  readonly rejected: number;
  /** Rows with no finding at or before them (not scored), predicted 0. */
  readonly undecided: number;
  readonly outputFile: string;
}

export interface SkabBenchResult extends SkabScore {
  readonly files: readonly SkabFileResult[];
  readonly rowsScored: number;
  readonly seconds: number;
}

/** The SKAB layout's sensors have no units in the file. */
function describe(file: SkabFile, recording: SkabRecording, grid: ModelCard['grid'], elementType: ElementType) {
  return {
    id: modelIdFor(file.relative),
    assetKind: 'skab-testbed',
    description: `SKAB benchmark: fitted on the first ${SKAB_TRAIN_ROWS} rows of ${file.relative}`,
    inputs: recording.signals.map((signal) => ({ signal, unit: '' })),
    grid,
    training: { data: `${file.relative}, rows 1..${SKAB_TRAIN_ROWS}` },
    elementType,
  };
}

/** The rows the model's grid makes of the fit part, keeping those where every input is good. */
function fitRows(recording: SkabRecording, grid: ModelCard['grid']): Float64Array[] {
  const assembler = rowAssemblerFor(grid, recording.signals);
  const rows: GridRow[] = [];
  for (const sample of recordingSamples('fit', recording.signals, recording.rows.slice(0, SKAB_TRAIN_ROWS))) {
    assembler.push(sample);
    assembler.drain((row) => rows.push(row));
  }
  return rows.filter((row) => row.valid.every((flag) => flag === 1)).map((row) => row.values);
}

async function writePredictions(recording: SkabRecording, predictions: readonly number[], outputFile: string): Promise<void> {
  const lines = (await readFile(recording.file, 'utf8')).replace(/^\uFEFF/, '').split(/\r?\n/);
  const labelColumns = new Set(recording.header.flatMap((field, index) => (['anomaly', 'changepoint'].includes(field.toLowerCase()) ? [index] : [])));
  const keep = (fields: readonly string[]) => fields.filter((_, index) => !labelColumns.has(index));
  const out = [[...keep(recording.header), 'anomaly'].join(';')];
  recording.rows.forEach((row, index) => {
    const fields = (lines[row.line - 1] ?? '').split(';').map((field) => field.trim());
    out.push([...keep(fields), String(predictions[index])].join(';'));
  });
  await mkdir(path.dirname(outputFile), { recursive: true });
  await writeFile(outputFile, `${out.join('\n')}\n`);
}

/**
 * SKAB's outlier-detection protocol through the DetectionEngine: per labelled file, fit machine mode on
 * its first 400 rows, write the model and its card, load them back (with the card/model checks of any
 * model), and feed every row of the file as Samples with the row's time; each row is decided by the
 * findings at or before it. Labels are used only to count.
 */
export async function runSkabBench(files: readonly SkabFile[], options: SkabBenchOptions): Promise<SkabBenchResult> {
  const started = performance.now();
  const elementType = options.elementType ?? 'float32';
  const grid = { periodMs: options.periodMs, maxHoldMs: 2.5 * options.periodMs, latenessMs: options.periodMs };
  const labelled = files.filter((file) => file.labelled);
  const findings = new Map<string, Finding[]>();
  let done = 0;
  let total = 0;
  const engine = new DetectionEngine({
    onFinding: (finding) => {
      findings.get(finding.asset)?.push(finding);
      options.onProgress?.(++done, total);
    },
  });
  const models: DetectionModel[] = [];
  const recordings: SkabRecording[] = [];
  const cardFiles: string[] = [];
  try {
    for (const file of labelled) {
      const recording = await readSkabCsv(file.file);
      const fit = fitMachine(fitRows(recording, grid), { margin: options.margin ?? MACHINE_FIT_DEFAULTS.margin });
      const artifacts = machineModelArtifacts(fit, describe(file, recording, grid, elementType));
      const { cardFile } = await writeModelArtifacts(path.join(options.outDir, 'models', 'skab'), artifacts);
      const model = await loadDetectionModel(cardFile);
      models.push(model);
      recordings.push(recording);
      cardFiles.push(cardFile);
      findings.set(file.relative, []);
      engine.attach(model, file.relative);
      total += recording.rows.length;
    }
    recordings.forEach((recording, index) => engine.push(recordingSamples((labelled[index] as SkabFile).relative, recording.signals, recording.rows)));
    await engine.idle();

    const results: SkabFileResult[] = [];
    for (const [index, file] of labelled.entries()) {
      const recording = recordings[index] as SkabRecording;
      const decided = findingsByRow(recording.rows, findings.get(file.relative) ?? [], options.periodMs > 0);
      const predictions = decided.map((finding) => (finding?.anomalous ? 1 : 0));
      const labels = recording.rows.map((row) => row.anomaly ?? 0);
      const outputFile = path.join(options.outDir, ...file.relative.split('/'));
      await writePredictions(recording, predictions, outputFile);
      const counts = countSkabFile(labels, predictions, { file: file.relative });
      const { far, mar } = skabScore(counts);
      await recordEvaluation(cardFiles[index] as string, {
        data: `${file.relative}, rows ${SKAB_TRAIN_ROWS + 1}..${recording.rows.length} (SKAB test part), one decision per row`,
        figures: { ...counts, far: Number.isFinite(far) ? far : 0, mar: Number.isFinite(mar) ? mar : 0 },
        notes: 'SKAB outlier-detection protocol; FAR and MAR in percent (0 where there is nothing to count)',
      });
      results.push({
        relative: file.relative,
        rows: recording.rows.length,
        counts,
        rejected: recording.rejected.length,
        undecided: decided.filter((finding) => finding === undefined).length,
        outputFile,
      });
    }
    const score = skabScore(sumCounts(results.map((result) => result.counts)));
    return { ...score, files: results, rowsScored: engine.stats().rowsScored, seconds: (performance.now() - started) / 1000 };
  } finally {
    await Promise.all(models.map((model) => model.release()));
  }
}
