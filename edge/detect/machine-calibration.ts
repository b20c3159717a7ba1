import { inverse, Matrix } from 'ml-matrix';
import { populationStd, quantile } from './statistics.js';

/**
 * Settings of the machine-mode fit. The defaults are the research's design S5
 * (/tmp/detect-research/RESULTS.md, reproduced on SKAB: F1 0.865, FAR 5.67 %, MAR 20.05 %):
 * - ewmaSpan 20, referenceTau 200: the best of the span × τ sweep (spans 10–20 and τ 150–400 are within 0.01 F1);
 * - quantile 0.995 and shrinkage 0.3: middle of flat regions of the one-at-a-time sensitivity table;
 * - warmupRows 50: the EWMA starts at the fit mean and needs ~2.5 spans to forget it;
 * - phiMax 0.995: caps the AR(1) factor (no effect between 0.95 and 0.999);
 * - margin 2.81: the only constant calibrated on data, label-free: the smallest margin whose false-alarm
 *   rate is ≤ 10 % on SKAB's anomaly-free recording cut into 1,150-row pieces, each fitted on its first
 *   400 rows like a SKAB file.
 */
export interface MachineFitSettings {
  readonly ewmaSpan: number;
  readonly referenceTau: number;
  readonly quantile: number;
  readonly margin: number;
  /** Weight moved from the residual covariance to its diagonal. */
  readonly shrinkage: number;
  readonly warmupRows: number;
  readonly phiMax: number;
  /** Inflate the covariance by each input's AR(1) long-run variance factor (1+φ)/(1−φ). */
  readonly longRunInflation: boolean;
}

export const MACHINE_FIT_DEFAULTS: MachineFitSettings = {
  ewmaSpan: 20,
  referenceTau: 200,
  quantile: 0.995,
  margin: 2.81,
  shrinkage: 0.3,
  warmupRows: 50,
  phiMax: 0.995,
  longRunInflation: true,
};

export interface MachineFit {
  readonly settings: MachineFitSettings;
  readonly rows: number;
  readonly mean: Float64Array;
  readonly std: Float64Array;
  readonly residualScale: Float64Array;
  /** P, the inverse of the shrunk, inflated residual covariance, F×F row-major. */
  readonly weights: Float64Array;
  /** The fit rows' quantile of T², before the margin. */
  readonly fitQuantile: number;
  /** fitQuantile × margin. */
  readonly threshold: number;
}

function columns(rows: readonly ArrayLike<number>[]): Float64Array[] {
  const width = rows[0]?.length ?? 0;
  const out = Array.from({ length: width }, () => new Float64Array(rows.length));
  rows.forEach((row, t) => {
    if (row.length !== width) throw new Error(`fit row ${t} has ${row.length} values; the first row has ${width}`);
    for (let i = 0; i < width; i++) {
      const value = row[i] as number;
      if (!Number.isFinite(value)) throw new Error(`fit row ${t}, input ${i} is ${value}; fit only on rows where every input has a good value`);
      (out[i] as Float64Array)[t] = value;
    }
  });
  return out;
}

/** (1+φ)/(1−φ) with φ the lag-1 autocorrelation clipped to [0, phiMax]: how much slower the mean of a series wanders than its rows. */
function longRunFactor(z: Float64Array, phiMax: number): number {
  let centre = 0;
  for (const value of z) centre += value;
  centre /= z.length;
  let lag0 = 0;
  let lag1 = 0;
  for (let t = 0; t < z.length; t++) {
    const value = (z[t] as number) - centre;
    lag0 += value * value;
    if (t > 0) lag1 += value * ((z[t - 1] as number) - centre);
  }
  const phi = Math.min(Math.max(lag1 / (z.length - 1) / (lag0 / z.length + 1e-18), 0), phiMax);
  return (1 + phi) / (1 - phi);
}

/**
 * Fits machine mode on rows of normal operation (one array of F input values per row, in card order):
 * standardise; run the detector's recursion over the rows with the reference always following
 * (nothing can alarm yet); residual scale = std of the residuals from warmupRows on; covariance of the
 * scaled residuals (n−1), shrunk toward its diagonal, constant inputs given unit variance, inflated by
 * the AR(1) long-run factors; P = its inverse; threshold = quantile(T² of the fit rows) × margin.
 * `segmentStarts`: indices of rows that begin a new running stretch (after a stop); there the recursion
 * starts from the row's own level and the stretch's first warmupRows rows are left out, as at row 0.
 */
export function fitMachine(rows: readonly ArrayLike<number>[], overrides: Partial<MachineFitSettings> = {}, segmentStarts: readonly number[] = []): MachineFit {
  const settings = { ...MACHINE_FIT_DEFAULTS, ...overrides };
  const { ewmaSpan, referenceTau, warmupRows, shrinkage } = settings;
  const n = rows.length;
  if (n < warmupRows + 2) throw new Error(`machine mode needs more than ${warmupRows + 1} fit rows (warm-up ${warmupRows} + 2); got ${n}`);
  const restarts = new Set(segmentStarts.filter((start) => start > 0 && start < n));
  const inputs = columns(rows);
  const F = inputs.length;
  if (F === 0) throw new Error('the fit rows have no inputs');

  const mean = new Float64Array(F);
  const std = new Float64Array(F);
  const z = inputs.map((column, i) => {
    const centre = column.reduce((sum, value) => sum + value, 0) / n;
    const spread = populationStd(column);
    mean[i] = centre;
    std[i] = spread > 0 ? spread : 1;
    return column.map((value) => (value - centre) / (std[i] as number));
  });

  // Each stretch's first warmupRows rows only settle the recursion: left out of the residual statistics.
  const counted = new Uint8Array(n);
  let segmentStart = 0;
  for (let t = 0; t < n; t++) {
    if (restarts.has(t)) segmentStart = t;
    counted[t] = t - segmentStart >= warmupRows ? 1 : 0;
  }
  const used = counted.reduce((sum, flag) => sum + flag, 0);
  if (used < 2) throw new Error(`machine mode needs more than ${warmupRows + 1} rows in a running stretch (warm-up ${warmupRows} + 2); the longest has fewer`);
  const residuals = Array.from({ length: F }, () => new Float64Array(used));
  const smoothing = 2 / (ewmaSpan + 1);
  const ewma = new Float64Array(F);
  const reference = new Float64Array(F);
  for (let t = 0, kept = 0; t < n; t++) {
    // A new running stretch (after a stop) starts from its own level, as the detector adopts it after settling.
    if (restarts.has(t)) for (let i = 0; i < F; i++) ewma[i] = reference[i] = (z[i] as Float64Array)[t] as number;
    for (let i = 0; i < F; i++) {
      ewma[i] = (ewma[i] as number) + smoothing * (((z[i] as Float64Array)[t] as number) - (ewma[i] as number));
      const residual = (ewma[i] as number) - (reference[i] as number);
      if (counted[t]) (residuals[i] as Float64Array)[kept] = residual;
      reference[i] = (reference[i] as number) + residual / referenceTau;
    }
    if (counted[t]) kept++;
  }
  const residualScale = Float64Array.from(residuals, (column) => {
    const spread = populationStd(column);
    return spread > 0 ? spread : 1;
  });
  const scaled = residuals.map((column, i) => column.map((value) => value / (residualScale[i] as number)));

  const centres = scaled.map((column) => column.reduce((sum, value) => sum + value, 0) / used);
  const covariance = Matrix.zeros(F, F);
  for (let i = 0; i < F; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = 0;
      const a = scaled[i] as Float64Array;
      const b = scaled[j] as Float64Array;
      for (let t = 0; t < used; t++) sum += ((a[t] as number) - (centres[i] as number)) * ((b[t] as number) - (centres[j] as number));
      const value = (sum / (used - 1)) * (i === j ? 1 : 1 - shrinkage);
      covariance.set(i, j, value);
      covariance.set(j, i, value);
    }
  }
  for (let i = 0; i < F; i++) if (!(covariance.get(i, i) > 0)) covariance.set(i, i, 1);
  if (settings.longRunInflation) {
    const k = z.map((column) => Math.sqrt(longRunFactor(column, settings.phiMax)));
    for (let i = 0; i < F; i++) for (let j = 0; j < F; j++) covariance.set(i, j, covariance.get(i, j) * (k[i] as number) * (k[j] as number));
  }
  const inverted = inverse(covariance);
  // Symmetric up to rounding; made exactly so, since the model multiplies from one side only.
  const weights = new Float64Array(F * F);
  for (let i = 0; i < F; i++) for (let j = 0; j < F; j++) weights[i * F + j] = (inverted.get(i, j) + inverted.get(j, i)) / 2;

  const t2 = new Float64Array(used);
  for (let t = 0; t < used; t++) {
    let sum = 0;
    for (let i = 0; i < F; i++) {
      let weighted = 0;
      for (let j = 0; j < F; j++) weighted += (weights[i * F + j] as number) * ((scaled[j] as Float64Array)[t] as number);
      sum += ((scaled[i] as Float64Array)[t] as number) * weighted;
    }
    t2[t] = sum;
  }
  const fitQuantile = quantile(t2, settings.quantile);
  if (!(fitQuantile > 0)) throw new Error('the fit rows do not vary (every input is constant after smoothing); fit on a stretch of normal operation with the machine running');
  return { settings, rows: n, mean, std, residualScale, weights, fitQuantile, threshold: fitQuantile * settings.margin };
}
