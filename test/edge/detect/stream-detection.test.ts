import { afterAll, describe, expect, it } from 'vitest';
import type { Sample } from '../../../gateway/sample.js';
import { loadDetectionModel } from '../../../edge/detect/detection-model.js';
import { streamModelArtifacts, writeModelArtifacts } from '../../../edge/detect/model-artifacts.js';
import { fitStream } from '../../../edge/detect/stream-calibration.js';
import { quantile } from '../../../edge/detect/statistics.js';
import { SeededRandom } from '../../../simulators/machines/seeded-random.js';
import { tempFolder } from '../../support/temp-folder.js';
import { engineWith, streamModel } from './detect-fixtures.js';

const folder = tempFolder('stream-detection');
afterAll(() => folder.remove());

function series(count: number, seed: number): number[] {
  const random = SeededRandom.forStream(seed, 'stream', 'series');
  return Array.from({ length: count }, (_, t) => 10 + 3 * Math.sin((2 * Math.PI * t) / 60) + 0.3 * random.gaussian());
}

function samples(values: readonly number[], asset = 'tank-01'): Sample[] {
  return values.map((value, row) => ({ asset, signal: 'level', value, ts: 1_600_000_000_000 + row * 300_000, quality: 'good', source: 'test' }));
}

/**
 * The research's stream-mode detector written plainly (nab_final.py): features, brute-force nearest
 * distance, exponential tail, episodes.
 */
function reference(x: readonly number[], probation: number): number[] {
  const fit = fitStream(x.slice(0, probation));
  const { windowRows: L, blockRows: s, settings } = fit;
  const W = settings.blocks;
  const n = x.length;
  const features: (number[] | undefined)[] = x.map((_, t) => {
    if (t < L - 1) return undefined;
    const maxes: number[] = [];
    const mins: number[] = [];
    for (let b = W - 1; b >= 0; b--) {
      const block = x.slice(t - s * b - s + 1, t - s * b + 1);
      maxes.push((Math.max(...block) - fit.low) / fit.range);
      mins.push((Math.min(...block) - fit.low) / fit.range);
    }
    return [...maxes, ...mins];
  });
  const distances = x.map((_, t) => {
    if (t < 2 * L) return Number.NaN;
    let best = Number.POSITIVE_INFINITY;
    for (let j = L - 1; j <= t - L; j++) best = Math.min(best, (features[t] as number[]).reduce((sum, value, i) => sum + (value - (features[j] as number[])[i]!) ** 2, 0));
    return Math.sqrt(best);
  });
  const z = new Array<number>(n).fill(0);
  const history: number[] = [];
  let fitted: { sorted: number[]; u: number; beta: number; zeta: number } | undefined;
  distances.forEach((d, t) => {
    if (!Number.isFinite(d)) return;
    if (history.length >= settings.tailMinHistory) {
      if (!fitted || t % settings.refitEvery === 0) {
        const sorted = [...history].sort((a, b) => a - b);
        const u = quantile(sorted, settings.tailQuantile);
        const excess = sorted.filter((value) => value > u).map((value) => value - u);
        const mean = excess.reduce((sum, value) => sum + value, 0) / excess.length;
        fitted = { sorted, u, beta: Math.max(excess.length > 0 ? mean : 0, 1e-9), zeta: Math.max(excess.length, 1) / sorted.length };
      }
      const p = d <= fitted.u ? Math.max(fitted.sorted.filter((value) => value >= d).length / fitted.sorted.length, 1e-12) : fitted.zeta * Math.exp(-(d - fitted.u) / fitted.beta);
      z[t] = -Math.log10(Math.max(p, 1e-300));
    }
    history.push(d);
  });
  const out = new Array<number>(n).fill(0);
  let last = Number.NEGATIVE_INFINITY;
  let lastZ = 0;
  for (let r = probation; r < n; r++) {
    const value = z[r] as number;
    if (value <= 0 || (r - last <= fit.maskRows && value <= lastZ / settings.reraiseFactor)) continue;
    out[r] = value / (value + settings.outputScale);
    last = r;
    lastZ = value;
  }
  return out;
}

describe('stream mode through the DetectionEngine', () => {
  it('raises once on a spike, with an output in [0, 1], and nothing during the quiet fit stretch', async () => {
    const values = series(3000, 1);
    values[2000] = (values[2000] as number) + 8;
    const probation = 450;
    const model = await streamModel(folder.path, values.slice(0, probation));
    const { engine, findings } = engineWith(model, 'tank-01');
    engine.push(samples(values));
    await engine.idle();
    expect(findings.every((finding) => finding.score >= 0 && finding.score < 1)).toBe(true);
    expect(findings.filter((finding) => finding.ts < samples(values)[probation]!.ts).every((finding) => finding.score === 0)).toBe(true);
    const raised = findings.filter((finding) => finding.anomalous);
    expect(raised.map((finding) => (finding.ts - 1_600_000_000_000) / 300_000)).toEqual([2000]);
    expect(raised[0]?.contributions).toEqual({ level: expect.closeTo(raised[0]?.distance ?? Number.NaN, 5) });
    await model.release();
  });

  it('gives the research\'s outputs row for row (features, nearest window, tail, episodes)', async () => {
    const values = series(1500, 2);
    values[1100] = (values[1100] as number) - 6;
    for (let t = 1300; t < 1340; t++) values[t] = 10;
    const probation = 225;
    const artifacts = streamModelArtifacts(fitStream(values.slice(0, probation)), {
      id: 'reference-check',
      assetKind: 'test',
      description: 'float64, to compare with plain arithmetic',
      inputs: [{ signal: 'level', unit: '' }],
      grid: { periodMs: 0, maxHoldMs: 0, latenessMs: 0 },
      training: { data: 'synthetic' },
      elementType: 'float64',
    });
    const model = await loadDetectionModel((await writeModelArtifacts(folder.path, artifacts)).cardFile);
    const { engine, findings } = engineWith(model, 'tank-02');
    engine.push(samples(values, 'tank-02'));
    await engine.idle();
    const got = new Array<number>(values.length).fill(0);
    for (const finding of findings) got[(finding.ts - 1_600_000_000_000) / 300_000] = finding.score;
    const want = reference(values, probation);
    expect(want.filter((value) => value > 0).length).toBeGreaterThan(3);
    got.forEach((value, row) => expect(value, `row ${row}`).toBeCloseTo(want[row] as number, 9));
    await model.release();
  });

  it('keeps its memory within the card\'s cap', async () => {
    const values = series(2000, 3);
    const model = await streamModel(folder.path, values.slice(0, 300), { memoryCap: 64 });
    const { engine, findings } = engineWith(model, 'tank-03');
    engine.push(samples(values, 'tank-03'));
    await engine.idle();
    expect(model.card.detector).toMatchObject({ memoryCap: 64 });
    expect(Math.max(...findings.map((finding) => finding.nearest))).toBeLessThan(64);
    expect(findings.length).toBeGreaterThan(1800);
    await model.release();
  });
});
