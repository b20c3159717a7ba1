import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findBenchmarkData } from '../../bench/detect/dataset-discovery.js';
import { runNabBench } from '../../bench/detect/nab-bench.js';
import { runSkabBench } from '../../bench/detect/skab-bench.js';
import { tempFolder } from '../support/temp-folder.js';
import { hasDatasets, SHARED_DATASETS } from './shared-datasets.js';

/**
 * The research's figures (/tmp/detect-research/RESULTS.md: SKAB design S5, NAB design N7), reached
 * through the TypeScript + ONNX path: the same DetectionEngine as the live path.
 */
describe('bench detect on the shared recordings', () => {
  const out = tempFolder('detect-bench-shared');
  afterAll(() => out.remove());

  it.skipIf(!hasDatasets('skab', 'valve1'))('reproduces the research on SKAB exactly: F1 0.865, FAR 5.67 %, MAR 20.05 %', async () => {
    const { skab } = await findBenchmarkData(path.join(SHARED_DATASETS, 'skab'));
    const result = await runSkabBench(skab, { outDir: out.path, periodMs: 0 });
    expect({ tp: result.tp, fp: result.fp, fn: result.fn, tn: result.tn }).toEqual({ tp: 6257, fp: 377, fn: 1569, tn: 6269 });
    expect(result.f1).toBeCloseTo(0.8654, 4);
    expect(result.far).toBeCloseTo(5.67, 2);
    expect(result.mar).toBeCloseTo(20.05, 2);
  }, 120_000);

  it.skipIf(!hasDatasets('nab', 'labels', 'combined_windows.json'))('reproduces the research on NAB exactly: 66.6 / 57.2 / 72.4', async () => {
    const { nab } = await findBenchmarkData(SHARED_DATASETS);
    const result = await runNabBench(nab, { outDir: out.path });
    const [standard, lowFp, lowFn] = result.profiles.map((profile) => profile.normalizedScore);
    expect(standard).toBeCloseTo(66.64, 2);
    expect(lowFp).toBeCloseTo(57.22, 2);
    expect(lowFn).toBeCloseTo(72.43, 2);
    expect(result.profiles[0]?.threshold).toBeCloseTo(0.1989867108836232, 6);
  }, 300_000);
});
