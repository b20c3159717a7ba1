/**
 * A port of the Numenta Anomaly Benchmark's scorer (numenta/NAB v1.1: nab/sweeper.py, the corpus-wide
 * threshold sweep in nab/optimizer.py, the per-file scoring in nab/scorer.py and the normalisation in
 * nab/runner.py), so that the benchmark's figures are comparable with NAB's scoreboard.
 *
 * Rules, as NAB applies them:
 * - each file's first min(⌊15 % of its rows⌋, 750) rows are probationary and never scored;
 * - a row is a detection when its anomaly score is >= the threshold;
 * - inside a window only the earliest detection counts, worth tpWeight · σ(pos) / σ(-1) where
 *   σ(x) = 2/(1+e^{5x}) - 1 and pos = -(last - row + 1)/width (so -1 at the window's first row);
 * - every detection outside a window costs fpWeight · σ(distance past the previous window's end /
 *   (that window's width - 1)), which is -fpWeight before any window and from 3 widths on;
 * - a window without a detection costs fnWeight;
 * - one threshold per profile is chosen for the whole corpus (the best over all distinct scores);
 * - the total is normalised so that the null detector (a constant 0.5) scores 0 and a perfect
 *   detector (every window detected at its first row) scores 100.
 */
import type { NabWindow } from './nab-csv.js';

export interface NabProfile {
  readonly name: string;
  readonly tpWeight: number;
  readonly fpWeight: number;
  readonly fnWeight: number;
}

/** NAB's config/profiles.json. */
export const NAB_PROFILES: readonly NabProfile[] = [
  { name: 'standard', tpWeight: 1, fpWeight: 0.11, fnWeight: 1 },
  { name: 'reward_low_FP_rate', tpWeight: 1, fpWeight: 0.22, fnWeight: 1 },
  { name: 'reward_low_FN_rate', tpWeight: 1, fpWeight: 0.11, fnWeight: 2 },
];

export const NAB_PROBATION_PERCENT = 0.15;

/** The published scoreboard figures quoted for comparison (whole corpus, standard profile). */
export const NAB_SCOREBOARD: readonly { readonly detector: string; readonly standard: number }[] = [
  { detector: 'ARTime', standard: 74.9 },
  { detector: 'Numenta HTM', standard: 70.5 },
  { detector: 'CAD OSE', standard: 69.9 },
  { detector: 'Random Cut Forest', standard: 51.7 },
  { detector: 'windowed Gaussian', standard: 39.6 },
];

/** A window as the first and last row inside it (inclusive). */
export interface WindowRows {
  readonly first: number;
  readonly last: number;
}

/** One file's detector output, ready to score. */
export interface NabScoredFile {
  /** The data file's path relative to NAB's data folder, e.g. realKnownCause/nyc_taxi.csv. */
  readonly name: string;
  /** One anomaly score per row of the data file. */
  readonly scores: ArrayLike<number>;
  readonly windows: readonly WindowRows[];
}

export interface NabCounts {
  /** Rows in windows at or above the threshold (NAB's own counts are per row). */
  readonly tp: number;
  readonly tn: number;
  readonly fp: number;
  readonly fn: number;
}

export interface ThresholdScore extends NabCounts {
  readonly threshold: number;
  /** The raw (unnormalised) score at this threshold. */
  readonly score: number;
}

export interface NabFileScore extends NabCounts {
  readonly name: string;
  readonly score: number;
  readonly windowsDetected: number;
  readonly windowsMissed: number;
}

export interface NabProfileResult {
  readonly profile: NabProfile;
  readonly threshold: number;
  readonly rawScore: number;
  /** The null detector's best raw score and the perfect detector's, the two ends of the scale. */
  readonly nullScore: number;
  readonly perfectScore: number;
  /** 100 · (raw - null) / (perfect - null). */
  readonly normalizedScore: number;
  readonly counts: NabCounts;
  readonly windowsDetected: number;
  readonly windowsMissed: number;
  readonly files: readonly NabFileScore[];
}

/** NAB's probationary period: min(⌊percent · rows⌋, percent · 5000) rows. */
export function probationaryLength(rows: number, percent = NAB_PROBATION_PERCENT): number {
  return Math.min(Math.floor(percent * rows), percent * 5000);
}

/** 2·sigmoid(-5x) - 1, and -1 from x >= 3 (a detection far past a window). */
export function scaledSigmoid(position: number): number {
  if (position >= 3) return -1;
  return 2 / (1 + Math.exp(5 * position)) - 1;
}

const MAX_TP = scaledSigmoid(-1);

/**
 * The rows of each window, found by exact timestamp as NAB does (`timestamps.index(limit)`): both
 * limits must be timestamps of rows of the file. Windows come back in time order.
 */
export function windowRows(times: readonly number[], windows: readonly NabWindow[], file: string): WindowRows[] {
  const rowOf = new Map<number, number>();
  times.forEach((time, row) => {
    if (!rowOf.has(time)) rowOf.set(time, row);
  });
  const find = (time: number, text: string, which: string) => {
    const row = rowOf.get(time);
    if (row === undefined) {
      throw new Error(`${file}: the window ${which} ${text} is not the timestamp of any row; NAB windows must start and end on rows of the data file`);
    }
    return row;
  };
  return [...windows]
    .sort((a, b) => a.start - b.start)
    .map((window) => ({ first: find(window.start, window.startText, 'start'), last: find(window.end, window.endText, 'end') }));
}

interface SweptFile {
  /** Each row's weighted score were it a detection (NAB's sweepScore). */
  readonly weights: Float64Array;
  /** Index of the window holding the row, -1 outside windows. */
  readonly windowOf: Int32Array;
  readonly probation: number;
}

/** NAB's calcSweepScore: what each row would be worth as a detection. */
function sweep(file: NabScoredFile, profile: NabProfile, probationPercent: number): SweptFile {
  const rows = file.scores.length;
  const weights = new Float64Array(rows);
  const windowOf = new Int32Array(rows).fill(-1);
  let previous: WindowRows | undefined;
  for (const [index, window] of file.windows.entries()) {
    if (window.last < window.first || window.last >= rows || (previous && window.first <= previous.last)) {
      throw new Error(`${file.name}: window ${index + 1} (rows ${window.first}..${window.last}) must lie inside the file's ${rows} rows, after the previous window`);
    }
    previous = window;
  }
  let next = 0;
  let current: WindowRows | undefined;
  let before: WindowRows | undefined;
  for (let row = 0; row < rows; row++) {
    const upcoming = file.windows[next];
    if (upcoming && row === upcoming.first) {
      current = upcoming;
      next++;
    }
    if (current) {
      const width = current.last - current.first + 1;
      weights[row] = (scaledSigmoid(-(current.last - row + 1) / width) * profile.tpWeight) / MAX_TP;
      windowOf[row] = next - 1;
      if (row === current.last) {
        before = current;
        current = undefined;
      }
    } else if (before) {
      const width = before.last - before.first + 1;
      if (width === 1) {
        throw new Error(`${file.name}: a one-row window (row ${before.first}) followed by rows cannot be scored; NAB's scorer divides by the window width - 1 there`);
      }
      weights[row] = scaledSigmoid(Math.abs(before.last - row) / (width - 1)) * profile.fpWeight;
    } else {
      weights[row] = scaledSigmoid(3) * profile.fpWeight;
    }
  }
  return { weights, windowOf, probation: probationaryLength(rows, probationPercent) };
}

function checkScores(file: NabScoredFile): void {
  for (let row = 0; row < file.scores.length; row++) {
    const score = file.scores[row] as number;
    if (!Number.isFinite(score)) throw new Error(`${file.name}: row ${row} has anomaly score ${String(score)}; every row needs a finite score`);
  }
}

/**
 * NAB's calcScoreByThreshold over a whole corpus: the raw score and row counts at every distinct
 * anomaly score, highest threshold (1.1: no detection) first.
 */
export function scoresByThreshold(files: readonly NabScoredFile[], profile: NabProfile, probationPercent = NAB_PROBATION_PERCENT): ThresholdScore[] {
  const points: { score: number; weight: number; window: number }[] = [];
  const windowPenalty = new Map<number, number>();
  let tn = 0;
  let fn = 0;
  let windowKey = 0;
  for (const file of files) {
    checkScores(file);
    const { weights, windowOf, probation } = sweep(file, profile, probationPercent);
    for (let row = 0; row < file.scores.length; row++) {
      if (row < probation) continue;
      const inWindow = windowOf[row] as number;
      const window = inWindow < 0 ? -1 : windowKey + inWindow;
      if (window < 0) tn++;
      else {
        fn++;
        windowPenalty.set(window, -profile.fnWeight);
      }
      points.push({ score: file.scores[row] as number, weight: weights[row] as number, window });
    }
    windowKey += file.windows.length;
  }
  points.sort((a, b) => b.score - a.score);

  const windowParts = new Map(windowPenalty);
  let windowTotal = [...windowParts.values()].reduce((sum, part) => sum + part, 0);
  let fpTotal = 0;
  let tp = 0;
  let fp = 0;
  let threshold = 1.1;
  const results: ThresholdScore[] = [];
  const record = () => results.push({ threshold, score: fpTotal + windowTotal, tp, tn, fp, fn });
  for (const point of points) {
    if (point.score !== threshold) {
      record();
      threshold = point.score;
    }
    if (point.window < 0) {
      fp++;
      tn--;
      fpTotal += point.weight;
    } else {
      tp++;
      fn--;
      const part = windowParts.get(point.window) as number;
      if (point.weight > part) {
        windowParts.set(point.window, point.weight);
        windowTotal += point.weight - part;
      }
    }
  }
  record();
  return results;
}

/** The corpus-wide threshold with the best raw score; among equal scores the highest threshold, as NAB's stable sort keeps it. */
export function optimizeThreshold(files: readonly NabScoredFile[], profile: NabProfile, probationPercent = NAB_PROBATION_PERCENT): ThresholdScore {
  const candidates = scoresByThreshold(files, profile, probationPercent);
  let best = candidates[0] as ThresholdScore;
  for (const candidate of candidates) if (candidate.score > best.score) best = candidate;
  return best;
}

/** One file's raw score and counts at a given threshold (NAB's Sweeper.scoreDataSet). */
export function scoreFile(file: NabScoredFile, profile: NabProfile, threshold: number, probationPercent = NAB_PROBATION_PERCENT): NabFileScore {
  checkScores(file);
  const { weights, windowOf, probation } = sweep(file, profile, probationPercent);
  const best = new Map<number, number>();
  const scorableWindows = new Set<number>();
  let tp = 0;
  let tn = 0;
  let fp = 0;
  let fn = 0;
  let fpTotal = 0;
  for (let row = probation; row < file.scores.length; row++) {
    const window = windowOf[row] as number;
    const detected = (file.scores[row] as number) >= threshold;
    if (window >= 0) scorableWindows.add(window);
    if (window < 0) {
      if (detected) {
        fp++;
        fpTotal += weights[row] as number;
      } else tn++;
    } else if (detected) {
      tp++;
      best.set(window, Math.max(best.get(window) ?? -Infinity, weights[row] as number));
    } else fn++;
  }
  let score = fpTotal;
  for (const window of scorableWindows) score += best.get(window) ?? -profile.fnWeight;
  return { name: file.name, score, tp, tn, fp, fn, windowsDetected: best.size, windowsMissed: scorableWindows.size - best.size };
}

/**
 * Scores a corpus as NAB's runner does (optimize → score → normalize), for each profile. The perfect
 * score counts every window of the given files; the null score is a constant-0.5 detector's best.
 */
export function scoreNabCorpus(files: readonly NabScoredFile[], profiles: readonly NabProfile[] = NAB_PROFILES, probationPercent = NAB_PROBATION_PERCENT): NabProfileResult[] {
  const nullFiles = files.map((file) => ({ ...file, scores: new Float64Array(file.scores.length).fill(0.5) }));
  const windowCount = files.reduce((sum, file) => sum + file.windows.length, 0);
  return profiles.map((profile) => {
    const { threshold, score } = optimizeThreshold(files, profile, probationPercent);
    const nullScore = optimizeThreshold(nullFiles, profile, probationPercent).score;
    const perfectScore = windowCount * profile.tpWeight;
    const perFile = files.map((file) => scoreFile(file, profile, threshold, probationPercent));
    const total = (key: 'tp' | 'tn' | 'fp' | 'fn' | 'windowsDetected' | 'windowsMissed') => perFile.reduce((sum, file) => sum + file[key], 0);
    return {
      profile,
      threshold,
      rawScore: score,
      nullScore,
      perfectScore,
      normalizedScore: (100 * (score - nullScore)) / (perfectScore - nullScore),
      counts: { tp: total('tp'), tn: total('tn'), fp: total('fp'), fn: total('fn') },
      windowsDetected: total('windowsDetected'),
      windowsMissed: total('windowsMissed'),
      files: perFile,
    };
  });
}
