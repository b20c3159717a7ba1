/**
 * The SKAB leaderboard's outlier-detection score (waico/SKAB): every row of every test part is one
 * binary decision; TP/FP/FN/TN are summed over all files before the ratios are taken.
 */

/** Rows at the start of each labelled SKAB file that form its training part (the protocol's fit data). */
export const SKAB_TRAIN_ROWS = 400;

export interface ConfusionCounts {
  readonly tp: number;
  readonly fp: number;
  readonly fn: number;
  readonly tn: number;
}

export interface SkabScore extends ConfusionCounts {
  /** TP / (TP + (FN + FP) / 2); NaN when there is nothing to score (no anomalous row and no alarm). */
  readonly f1: number;
  /** False alarm rate in percent: FP / (FP + TN) · 100; NaN without normal rows. */
  readonly far: number;
  /** Missed alarm rate in percent: FN / (FN + TP) · 100; NaN without anomalous rows. */
  readonly mar: number;
}

/** The published leaderboard (SKAB README, all 34 labelled files), best F1 first. */
export const SKAB_LEADERBOARD: readonly { readonly detector: string; readonly f1: number; readonly far: number; readonly mar: number }[] = [
  { detector: 'Conv-AE', f1: 0.78, far: 13.55, mar: 28.02 },
  { detector: 'MSET', f1: 0.78, far: 39.73, mar: 14.13 },
  { detector: 'T²+Q (PCA)', f1: 0.76, far: 26.62, mar: 24.92 },
  { detector: 'LSTM-AE', f1: 0.74, far: 29.96, mar: 25.92 },
  { detector: 'Isolation forest', f1: 0.29, far: 2.56, mar: 82.89 },
];

function binary(value: number, what: string, row: number, file: string): 0 | 1 {
  if (value === 0 || value === 1) return value;
  throw new Error(`${file}: row ${row} has ${what} ${String(value)}; SKAB scoring needs 0 or 1 for every row`);
}

/**
 * Counts one file's test part: the rows from `trainRows` on. `labels` is the file's `anomaly` column,
 * `predictions` the detector's decision for the same rows (whole file, training part included, so the
 * indices line up); both hold 0 or 1. `file` only names the file in error messages.
 */
export function countSkabFile(
  labels: ArrayLike<number>,
  predictions: ArrayLike<number>,
  options: { trainRows?: number; file?: string } = {},
): ConfusionCounts {
  const { trainRows = SKAB_TRAIN_ROWS, file = 'SKAB file' } = options;
  if (labels.length !== predictions.length) {
    throw new Error(`${file}: ${predictions.length} predictions for ${labels.length} labelled rows; write one decision per row of the file`);
  }
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  for (let row = trainRows; row < labels.length; row++) {
    const truth = binary(labels[row] as number, 'label', row, file);
    const predicted = binary(predictions[row] as number, 'prediction', row, file);
    if (predicted === 1) {
      if (truth === 1) tp++;
      else fp++;
    } else if (truth === 1) fn++;
    else tn++;
  }
  return { tp, fp, fn, tn };
}

export function sumCounts(counts: Iterable<ConfusionCounts>): ConfusionCounts {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let tn = 0;
  for (const count of counts) {
    tp += count.tp;
    fp += count.fp;
    fn += count.fn;
    tn += count.tn;
  }
  return { tp, fp, fn, tn };
}

export function skabScore(counts: ConfusionCounts): SkabScore {
  const { tp, fp, fn, tn } = counts;
  return {
    tp,
    fp,
    fn,
    tn,
    f1: tp / (tp + (fn + fp) / 2),
    far: (fp / (fp + tn)) * 100,
    mar: (fn / (fn + tp)) * 100,
  };
}
