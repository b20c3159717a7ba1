import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DetectionEngine } from '../../edge/detect/detection-engine.js';
import { loadDetectionModel, type DetectionModel } from '../../edge/detect/detection-model.js';
import type { Finding } from '../../edge/detect/finding.js';
import { recordEvaluation, streamModelArtifacts, writeModelArtifacts } from '../../edge/detect/model-artifacts.js';
import type { ElementType } from '../../edge/detect/onnx/nearest-reference-graph.js';
import { fitStream } from '../../edge/detect/stream-calibration.js';
import type { NabRoot } from './dataset-discovery.js';
import { readNabDataCsv, readNabWindows, type NabSeries } from './nab-csv.js';
import { probationaryLength, scoreNabCorpus, windowRows, type NabProfileResult, type NabScoredFile, type WindowRows } from './nab-scoring.js';
import { findingsByRow, modelIdFor, recordingSamples } from './recording-samples.js';

/** The detector's name in NAB's results layout. */
export const NAB_DETECTOR = 'millwright';

export interface NabBenchOptions {
  /** Results go to <outDir>/<relative path of the NAB folder>/<detector>/<category>/<detector>_<file>.csv. */
  readonly outDir: string;
  readonly elementType?: ElementType;
  readonly onProgress?: (done: number, total: number) => void;
}

export interface NabFileRun {
  readonly root: string;
  readonly name: string;
  readonly rows: number;
  readonly probation: number;
  readonly scores: Float64Array;
  /** Undefined when the labels file has no entry for the file: it is written but not scored. */
  readonly windows: readonly WindowRows[] | undefined;
  readonly outputFile: string;
}

export interface NabBenchResult {
  readonly files: readonly NabFileRun[];
  /** NAB's three profiles over every scored file, thresholds chosen corpus-wide as NAB does. */
  readonly profiles: readonly NabProfileResult[];
  readonly unlabelled: readonly string[];
  readonly seconds: number;
}

const SIGNAL = 'value';

async function writeResults(series: NabSeries, scores: Float64Array, windows: readonly WindowRows[] | undefined, outputFile: string): Promise<void> {
  const inWindow = new Uint8Array(series.values.length);
  for (const window of windows ?? []) inWindow.fill(1, window.first, window.last + 1);
  const lines = ['timestamp,value,anomaly_score,label'];
  series.timestamps.forEach((timestamp, row) => lines.push(`${timestamp},${series.values[row]},${scores[row]},${inWindow[row]}`));
  await mkdir(path.dirname(outputFile), { recursive: true });
  await writeFile(outputFile, `${lines.join('\n')}\n`);
}

/**
 * NAB's protocol through the DetectionEngine: per data file, fit stream mode on its probationary
 * period only, write the model and card, load them back, and feed every row as a Sample with the row's
 * timestamp (rows by timestamp, no grid: NAB scores rows). The detector outputs 0 through the
 * probation; every later row is scored causally. Labels are read only to score and to fill the
 * results' label column.
 */
export async function runNabBench(roots: readonly NabRoot[], options: NabBenchOptions): Promise<NabBenchResult> {
  const started = performance.now();
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
  const pending: { root: NabRoot; name: string; asset: string; series: NabSeries; cardFile: string }[] = [];
  try {
    for (const root of roots) {
      for (const name of root.files) {
        const series = await readNabDataCsv(path.join(root.root, 'data', ...name.split('/')));
        const probation = probationaryLength(series.values.length);
        const fit = fitStream(series.values.slice(0, probation));
        const artifacts = streamModelArtifacts(fit, {
          id: modelIdFor(`${root.relative}/${name}`),
          assetKind: 'nab-stream',
          description: `NAB benchmark: fitted on the probationary period of ${name}`,
          inputs: [{ signal: SIGNAL, unit: '' }],
          grid: { periodMs: 0, maxHoldMs: 0, latenessMs: 0 },
          training: { data: `${name}, rows 1..${probation} (probationary period)` },
          elementType: options.elementType ?? 'float32',
        });
        const { cardFile } = await writeModelArtifacts(path.join(options.outDir, 'models', 'nab'), artifacts);
        const model = await loadDetectionModel(cardFile);
        models.push(model);
        const asset = `${root.relative}/${name}`;
        engine.attach(model, asset);
        findings.set(asset, []);
        pending.push({ root, name, asset, series, cardFile });
        total += series.values.length;
      }
    }
    for (const { asset, series } of pending) {
      engine.push(recordingSamples(asset, [SIGNAL], series.times.map((time, row) => ({ time, values: [series.values[row] as number] }))));
    }
    await engine.idle();

    const files: NabFileRun[] = [];
    const unlabelled: string[] = [];
    const labels = new Map<NabRoot, Awaited<ReturnType<typeof readNabWindows>>>();
    for (const { root, name, asset, series } of pending) {
      if (!labels.has(root)) labels.set(root, await readNabWindows(path.join(root.root, 'labels', 'combined_windows.json')));
      const limits = labels.get(root)?.get(name);
      const rowsOfSeries = series.times.map((time) => ({ time }));
      const scores = Float64Array.from(findingsByRow(rowsOfSeries, findings.get(asset) ?? [], false), (finding) => finding?.score ?? 0);
      const windows = limits ? windowRows(series.times, limits, name) : undefined;
      if (!limits) unlabelled.push(`${root.relative}/${name}`);
      const category = name.split('/');
      const base = category.pop() as string;
      const outputFile = path.join(options.outDir, ...root.relative.split('/').filter(Boolean), NAB_DETECTOR, ...category, `${NAB_DETECTOR}_${base}`);
      await writeResults(series, scores, windows, outputFile);
      files.push({ root: root.relative, name, rows: series.values.length, probation: probationaryLength(series.values.length), scores, windows, outputFile });
    }
    const evaluations = new Map<string, Record<string, number>>();
    const scored: NabScoredFile[] = files.flatMap((file) => (file.windows ? [{ name: `${file.root}/${file.name}`, scores: file.scores, windows: file.windows }] : []));
    const profiles = scored.length > 0 ? scoreNabCorpus(scored) : [];
    for (const profile of profiles) {
      profile.files.forEach((file) => {
        const run = pending.find((entry) => `${entry.root.relative}/${entry.name}` === file.name);
        if (run) evaluations.set(run.cardFile, { ...(evaluations.get(run.cardFile) ?? {}), [`${profile.profile.name}_score`]: file.score, [`${profile.profile.name}_threshold`]: profile.threshold });
      });
    }
    for (const [cardFile, figures] of evaluations) {
      await recordEvaluation(cardFile, { data: 'rows after the probationary period, NAB v1.1 scoring', figures, notes: 'raw per-file NAB scores at the corpus-wide threshold of each profile' });
    }
    return { files, profiles, unlabelled, seconds: (performance.now() - started) / 1000 };
  } finally {
    await Promise.all(models.map((model) => model.release()));
  }
}
