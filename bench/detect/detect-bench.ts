import { stat } from 'node:fs/promises';
import path from 'node:path';
import { formatNabReport, formatSkabReport } from './bench-report.js';
import { findBenchmarkData } from './dataset-discovery.js';
import { NAB_DETECTOR, runNabBench, type NabBenchResult } from './nab-bench.js';
import { calibrateMargin } from './margin-calibration.js';
import { ProgressLine } from './progress-line.js';
import { runSkabBench, type SkabBenchResult } from './skab-bench.js';

export interface DetectBenchOptions {
  /** Searched for SKAB-layout files and NAB folders. */
  readonly data: string;
  readonly out: string;
  /** Grid period for the SKAB models; 0 scores the recordings' own rows. */
  readonly skabPeriodMs: number;
  /** Threshold margin of the machine-mode fit. */
  readonly margin: number;
  /** Derive the margin instead from the unlabelled SKAB-layout recordings found (normal operation). */
  readonly calibrateMargin?: boolean;
  /** Where the report goes, line by line (stdout for the CLI). */
  readonly print: (text: string) => void;
  readonly progress?: ProgressLine;
}

export interface DetectBenchResult {
  readonly skab?: SkabBenchResult;
  readonly nab?: NabBenchResult;
}

/**
 * `millwright bench detect`: every SKAB-layout file and NAB folder under `data`, through the same
 * DetectionEngine as the live path; prints the tables and writes the per-row outputs under `out`.
 */
export async function runDetectBench(options: DetectBenchOptions): Promise<DetectBenchResult> {
  const data = path.resolve(options.data);
  const isFolder = await stat(data).then(
    (entry) => entry.isDirectory(),
    () => false,
  );
  if (!isFolder) throw new Error(`--data ${options.data}: no such folder; point it at a folder holding SKAB-layout CSV files or NAB folders (data/ and labels/combined_windows.json)`);
  const found = await findBenchmarkData(data);
  const labelled = found.skab.filter((file) => file.labelled);
  if (labelled.length === 0 && found.nab.length === 0) {
    throw new Error(`--data ${options.data}: found no SKAB-layout file with labels (";"-separated, datetime and anomaly columns) and no NAB folder (data/ beside labels/combined_windows.json)`);
  }
  const out = path.resolve(options.out);
  const progress = options.progress;
  const result: { skab?: SkabBenchResult; nab?: NabBenchResult } = {};
  if (labelled.length > 0) {
    const normal = found.skab.filter((file) => !file.labelled);
    let margin = options.margin;
    let marginSource = `the research's margin ${margin}, calibrated once the same way on SKAB's anomaly-free recording`;
    if (options.calibrateMargin) {
      if (normal.length === 0) throw new Error(`--calibrate-margin: no SKAB-layout file without labels (a recording of normal operation) under ${options.data}`);
      const calibration = await calibrateMargin(normal, { onProgress: (done, total) => progress?.update('margin', done, total) });
      progress?.clear();
      margin = calibration.margin;
      marginSource = `margin ${margin.toFixed(3)} calibrated label-free on ${calibration.pieces} pieces of ${normal.map((file) => file.relative).join(', ')} (false alarms there ${calibration.far.toFixed(1)} %; ${calibration.seconds.toFixed(1)} s)`;
    }
    const skab = await runSkabBench(found.skab, {
      outDir: out,
      periodMs: options.skabPeriodMs,
      margin,
      onProgress: (done, total) => progress?.update('SKAB', done, total),
    });
    progress?.clear();
    const grid = options.skabPeriodMs === 0 ? 'rows as recorded (no grid)' : `${options.skabPeriodMs} ms grid`;
    options.print(formatSkabReport(skab, NAB_DETECTOR, `machine mode, ${grid}, ONNX float32; ${marginSource}`));
    if (normal.length > 0 && !options.calibrateMargin) options.print(`  ${normal.length} SKAB file(s) without labels (normal operation) not used; --calibrate-margin derives the margin from them.`);
    options.print(`  predictions: ${out}/<file>.csv (the file's rows, labels replaced by the predicted anomaly column); models: ${path.join(out, 'models', 'skab')}\n`);
    result.skab = skab;
  }
  if (found.nab.length > 0) {
    const nab = await runNabBench(found.nab, { outDir: out, onProgress: (done, total) => progress?.update('NAB ', done, total) });
    progress?.clear();
    options.print(formatNabReport(nab, NAB_DETECTOR));
    options.print(`  results in NAB's layout: ${out}/<NAB folder>/${NAB_DETECTOR}/<category>/${NAB_DETECTOR}_<file>.csv; models: ${path.join(out, 'models', 'nab')}\n`);
    result.nab = nab;
  }
  return result;
}
