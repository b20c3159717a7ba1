import path from 'node:path';
import { DetectionEngine } from '../../edge/detect/detection-engine.js';
import { openDetectionModel, type DetectionModel } from '../../edge/detect/detection-model.js';
import { fitMachine, type MachineFit } from '../../edge/detect/machine-calibration.js';
import { machineModelArtifacts } from '../../edge/detect/model-artifacts.js';
import type { ModelCard } from '../../edge/detect/model-card.js';
import type { SkabFile } from './dataset-discovery.js';
import { recordingSamples, type RecordedRow } from './recording-samples.js';
import { readSkabCsv } from './skab-csv.js';
import { SKAB_TRAIN_ROWS } from './skab-scoring.js';

export interface MarginCalibrationOptions {
  /** Largest share of false alarms (percent) allowed on the normal recordings. Default 10. */
  readonly targetFar?: number;
  /** Rows per piece: 400 to fit and 750 to run, like a SKAB file. */
  readonly pieceRows?: number;
  /** Rows between the starts of consecutive pieces. */
  readonly stepRows?: number;
  /** Bisection bounds and steps. */
  readonly low?: number;
  readonly high?: number;
  readonly steps?: number;
  readonly onProgress?: (done: number, total: number) => void;
}

export interface MarginCalibration {
  readonly margin: number;
  /** False-alarm rate (percent) on the pieces at that margin. */
  readonly far: number;
  readonly pieces: number;
  readonly seconds: number;
}

interface Piece {
  readonly asset: string;
  readonly signals: readonly string[];
  readonly rows: readonly RecordedRow[];
  readonly fit: MachineFit;
}

const GRID: ModelCard['grid'] = { periodMs: 0, maxHoldMs: 0, latenessMs: 0 };

/**
 * The research's label-free margin calibration: recordings of normal operation (SKAB's anomaly-free
 * file) are cut into pieces of 1,150 rows every 400; each piece is fitted on its first 400 rows and run
 * through the DetectionEngine like a SKAB file; the margin is the smallest (by bisection) whose share of
 * alarms on the pieces' later rows is at most the target. No label is involved.
 */
export async function calibrateMargin(files: readonly SkabFile[], options: MarginCalibrationOptions = {}): Promise<MarginCalibration> {
  const started = performance.now();
  const { targetFar = 10, pieceRows = 1150, stepRows = 400, steps = 14 } = options;
  const pieces: Piece[] = [];
  for (const file of files) {
    const recording = await readSkabCsv(file.file);
    for (let start = 0; start + pieceRows <= recording.rows.length; start += stepRows) {
      const rows = recording.rows.slice(start, start + pieceRows);
      const fitRows = rows.slice(0, SKAB_TRAIN_ROWS).filter((row) => row.values.every(Number.isFinite));
      pieces.push({ asset: `${file.relative}@${start}`, signals: recording.signals, rows, fit: fitMachine(fitRows.map((row) => row.values)) });
    }
  }
  if (pieces.length === 0) throw new Error(`no recording of normal operation has ${pieceRows} rows to cut a piece from`);
  let done = 0;
  const total = steps * pieces.length * pieceRows;
  // Alarms count only from the first row after the fit rows, as the SKAB protocol scores only the test part.
  const testFrom = new Map(pieces.map((piece) => [piece.asset, (piece.rows[SKAB_TRAIN_ROWS] as RecordedRow).time]));
  const farAt = async (margin: number): Promise<number> => {
    let alarms = 0;
    const engine = new DetectionEngine({
      onFinding: (finding) => {
        options.onProgress?.(++done, total);
        if (finding.anomalous && finding.ts >= (testFrom.get(finding.asset) as number)) alarms++;
      },
    });
    const models: DetectionModel[] = [];
    try {
      for (const piece of pieces) {
        const fit = { ...piece.fit, settings: { ...piece.fit.settings, margin }, threshold: piece.fit.fitQuantile * margin };
        const artifacts = machineModelArtifacts(fit, {
          id: 'margin-piece',
          assetKind: 'skab-testbed',
          description: `margin calibration piece ${piece.asset}`,
          inputs: piece.signals.map((signal) => ({ signal, unit: '' })),
          grid: GRID,
          training: { data: piece.asset },
        });
        const model = await openDetectionModel(artifacts.card, artifacts.onnx, { cardFile: path.join('(memory)', `${piece.asset}.json`), modelFile: path.join('(memory)', `${piece.asset}.onnx`) });
        models.push(model);
        engine.attach(model, piece.asset);
      }
      for (const piece of pieces) engine.push(recordingSamples(piece.asset, piece.signals, piece.rows));
      await engine.idle();
    } finally {
      await Promise.all(models.map((model) => model.release()));
    }
    const scoredRows = pieces.length * (pieceRows - SKAB_TRAIN_ROWS);
    return (100 * alarms) / scoredRows;
  };
  let low = options.low ?? 1;
  let high = options.high ?? 10;
  for (let step = 0; step < steps; step++) {
    const middle = (low + high) / 2;
    if ((await farAt(middle)) <= targetFar) high = middle;
    else low = middle;
  }
  return { margin: high, far: await farAt(high), pieces: pieces.length, seconds: (performance.now() - started) / 1000 };
}
