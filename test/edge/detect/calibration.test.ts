import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSkabCsv } from '../../../bench/detect/skab-csv.js';
import { fitMachine, MACHINE_FIT_DEFAULTS } from '../../../edge/detect/machine-calibration.js';
import { fitStream } from '../../../edge/detect/stream-calibration.js';
import { SeededRandom } from '../../../simulators/machines/seeded-random.js';
import { hasDatasets, SHARED_DATASETS } from '../../bench/shared-datasets.js';

/** Independent rows (no autocorrelation) of two inputs with correlation rho, and a third on its own. */
function correlatedRows(count: number, rho: number, seed = 3): number[][] {
  const random = SeededRandom.forStream(seed, 'calibration', 'rows');
  return Array.from({ length: count }, () => {
    const a = random.gaussian();
    const b = rho * a + Math.sqrt(1 - rho * rho) * random.gaussian();
    return [50 + 4 * a, 2 + 0.1 * b, 10 + random.gaussian()];
  });
}

describe('machine-mode calibration', () => {
  it('learns the inputs\' correlation: P is the inverse of the shrunk correlation of the residuals', () => {
    const rho = 0.9;
    const fit = fitMachine(correlatedRows(20_000, rho));
    const P = fit.weights;
    // Rows without autocorrelation: the AR(1) factors are ~1, the residuals carry the inputs' correlation,
    // scaled to unit variance and shrunk 0.3 toward the diagonal: C ≈ [[1, 0.63, 0], [0.63, 1, 0], [0, 0, 1]].
    const c = 0.7 * rho;
    const determinant = 1 - c * c;
    expect(P[0]).toBeCloseTo(1 / determinant, 1);
    expect(P[1]).toBeCloseTo(-c / determinant, 1);
    expect(P[8]).toBeCloseTo(1, 1);
    expect(Math.abs(P[2] as number)).toBeLessThan(0.1);
    expect(P[1]).toBe(P[3]);
    expect(Array.from(fit.mean).map((value) => Math.round(value))).toEqual([50, 2, 10]);
  });

  it('sets the threshold at the fit rows\' 0.995 quantile of T² times the margin', () => {
    const fit = fitMachine(correlatedRows(5000, 0.5), { margin: 2 });
    expect(fit.threshold).toBeCloseTo(fit.fitQuantile * 2, 12);
    // For three roughly standard-normal residuals T² is about χ²(3), whose 0.995 quantile is 12.8.
    expect(fit.fitQuantile).toBeGreaterThan(6);
    expect(fit.fitQuantile).toBeLessThan(25);
    expect(MACHINE_FIT_DEFAULTS).toMatchObject({ ewmaSpan: 20, referenceTau: 200, quantile: 0.995, margin: 2.81, shrinkage: 0.3, warmupRows: 50 });
  });

  it('inflates the covariance of slowly wandering inputs (AR(1) long-run factor), which lowers their weight', () => {
    const random = SeededRandom.forStream(5, 'calibration', 'ar1');
    let slow = 0;
    const rows = Array.from({ length: 4000 }, () => {
      slow = 0.95 * slow + random.gaussian();
      return [slow, random.gaussian()];
    });
    const inflated = fitMachine(rows);
    const plain = fitMachine(rows, { longRunInflation: false });
    expect((inflated.weights[0] as number) / (plain.weights[0] as number)).toBeLessThan(0.1);
    expect((inflated.weights[3] as number) / (plain.weights[3] as number)).toBeCloseTo(1, 0);
  });

  it('handles a constant input: unit scale, no correlation, and a finite, positive definite P', () => {
    const rows = correlatedRows(1000, 0.3).map(([a, b]) => [a as number, b as number, 7]);
    const fit = fitMachine(rows);
    expect(fit.std[2]).toBe(1);
    expect(fit.residualScale[2]).toBe(1);
    expect(fit.weights[8]).toBeCloseTo(1, 12);
    expect(fit.weights[2]).toBe(0);
    expect(Array.from(fit.weights).every(Number.isFinite)).toBe(true);
    expect(fit.threshold).toBeGreaterThan(0);
  });

  it('refuses rows that cannot be fitted, saying why', () => {
    expect(() => fitMachine(Array.from({ length: 100 }, () => [1, 2]))).toThrow(/do not vary/);
    expect(() => fitMachine(correlatedRows(40, 0))).toThrow(/needs more than 51 fit rows/);
    expect(() => fitMachine([...correlatedRows(100, 0), [1, Number.NaN, 3]])).toThrow(/fit row 100, input 1 is NaN/);
  });

  it.skipIf(!hasDatasets('skab', 'valve1', '0.csv'))('reproduces the research\'s fit of SKAB valve1/0 (numpy reference values)', async () => {
    const recording = await readSkabCsv(path.join(SHARED_DATASETS, 'skab', 'valve1', '0.csv'));
    const fit = fitMachine(recording.rows.slice(0, 400).map((row) => row.values));
    // From /tmp/detect-research/skab_final.py fit(X[:400]).
    expect(fit.threshold).toBeCloseTo(31.268565621091295, 8);
    expect(Array.from(fit.residualScale.slice(0, 3))).toEqual([0.4056213706222735, 0.4941616379345534, 0.5665635175466571].map((value) => expect.closeTo(value, 10)));
    expect(Array.from(fit.weights.slice(0, 3))).toEqual([0.7391177922507239, -0.20991735565701578, 0.00439005881728296].map((value) => expect.closeTo(value, 8)));
    expect(fit.mean[0]).toBeCloseTo(0.02633802525, 12);
    expect(fit.std[1]).toBeCloseTo(0.00075911466386426, 14);
  });
});

describe('stream-mode calibration', () => {
  it('takes the fit stretch\'s range and a window of about a thirteenth of it, in three blocks', () => {
    const values = Array.from({ length: 604 }, (_, t) => 10 + Math.sin(t / 7));
    const fit = fitStream(values);
    expect(fit.low).toBeCloseTo(9, 2);
    expect(fit.range).toBeCloseTo(2, 2);
    expect([fit.windowRows, fit.blockRows, fit.maskRows]).toEqual([45, 15, 0.4 * 604]);
    expect(fitStream(new Array(750).fill(3)).windowRows).toBe(57);
    expect(fitStream(new Array(20).fill(3))).toMatchObject({ range: 1, windowRows: 3, blockRows: 1 });
  });

  it('rounds half to even, as the research\'s Python did', () => {
    // 610 / 20 = 30.5: Python's round gives 30 (blocks of 10), Math.round would give 31.
    expect(fitStream(new Array(610).fill(0), { windowsPerFit: 20 }).windowRows).toBe(30);
  });
});
