import { InferenceSession, Tensor } from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { buildNearestReferenceModel, type ElementType } from '../../../edge/detect/onnx/nearest-reference-graph.js';
import { SeededRandom } from '../../../simulators/machines/seeded-random.js';

/** A random symmetric positive definite F×F matrix: A·Aᵀ + 0.5·I. */
function randomWeights(random: SeededRandom, F: number): Float64Array {
  const a = Array.from({ length: F * F }, () => random.gaussian());
  const weights = new Float64Array(F * F);
  for (let i = 0; i < F; i++) for (let j = 0; j < F; j++) {
    let sum = i === j ? 0.5 : 0;
    for (let k = 0; k < F; k++) sum += (a[i * F + k] as number) * (a[j * F + k] as number);
    weights[i * F + j] = sum;
  }
  return weights;
}

/** The same formula in plain TypeScript: nearest reference by dᵀPd, and d ⊙ (P d) for it. */
function plain(x: Float64Array, refs: Float64Array, P: Float64Array, B: number, K: number, F: number) {
  return Array.from({ length: B }, (_, b) => {
    let best = Number.POSITIVE_INFINITY;
    let nearest = -1;
    let terms: number[] = [];
    for (let k = 0; k < K; k++) {
      const d = Array.from({ length: F }, (_, i) => (x[b * F + i] as number) - (refs[(b * F + i) * K + k] as number));
      const t = d.map((di, i) => di * d.reduce((sum, dj, j) => sum + (P[i * F + j] as number) * dj, 0));
      const score = t.reduce((sum, value) => sum + value, 0);
      if (score < best) {
        best = score;
        nearest = k;
        terms = t;
      }
    }
    return { score: best, nearest, terms };
  });
}

async function run(bytes: Uint8Array, elementType: ElementType, x: Float64Array, refs: Float64Array, B: number, K: number, F: number) {
  const session = await InferenceSession.create(bytes);
  try {
    const cast = (values: Float64Array) => (elementType === 'float32' ? Float32Array.from(values) : values);
    const out = await session.run({ x: new Tensor(elementType, cast(x), [B, F]), references: new Tensor(elementType, cast(refs), [B, F, K]) });
    return { score: out['score']?.data as Float32Array | Float64Array, nearest: out['nearest']?.data as BigInt64Array, contributions: out['contributions']?.data as Float32Array | Float64Array };
  } finally {
    await session.release();
  }
}

describe('nearest-reference ONNX model', () => {
  const cases: { elementType: ElementType; K: number; identity: boolean; digits: number }[] = [
    { elementType: 'float64', K: 7, identity: false, digits: 9 },
    { elementType: 'float32', K: 7, identity: false, digits: 4 },
    { elementType: 'float64', K: 1, identity: false, digits: 9 },
    { elementType: 'float64', K: 50, identity: true, digits: 9 },
  ];
  for (const { elementType, K, identity, digits } of cases) {
    it(`matches the formula computed in TypeScript (${elementType}, K = ${K}, ${identity ? 'identity' : 'random SPD'} weights), contributions adding up to the score`, async () => {
      const random = SeededRandom.forStream(7, 'graph', `${elementType}-${K}-${identity}`);
      const F = 5;
      const B = 9;
      const P = identity ? Float64Array.from({ length: F * F }, (_, i) => (i % (F + 1) === 0 ? 1 : 0)) : randomWeights(random, F);
      const x = Float64Array.from({ length: B * F }, () => random.gaussian());
      const refs = Float64Array.from({ length: B * F * K }, () => random.gaussian());
      const model = buildNearestReferenceModel({ features: F, weights: P, elementType, ...(K === 1 ? { references: 1 } : {}) });
      const out = await run(model, elementType, x, refs, B, K, F);
      const want = plain(x, refs, P, B, K, F);
      want.forEach((row, b) => {
        const relative = (value: number) => value / Math.max(1, Math.abs(row.score));
        expect(Number(out.nearest[b])).toBe(row.nearest);
        expect(relative(out.score[b] as number)).toBeCloseTo(relative(row.score), digits);
        let sum = 0;
        row.terms.forEach((term, i) => {
          const got = out.contributions[b * F + i] as number;
          expect(relative(got)).toBeCloseTo(relative(term), digits);
          sum += got;
        });
        expect(relative(sum)).toBeCloseTo(relative(out.score[b] as number), elementType === 'float64' ? 12 : 5);
      });
    });
  }

  it('declares open batch and reference dimensions, and K = 1 when asked', async () => {
    const open = await InferenceSession.create(buildNearestReferenceModel({ features: 3, weights: [1, 0, 0, 0, 1, 0, 0, 0, 1], elementType: 'float32' }));
    const fixed = await InferenceSession.create(buildNearestReferenceModel({ features: 3, weights: [2, 0, 0, 0, 1, 0, 0, 0, 1], elementType: 'float32', references: 1 }));
    expect(open.inputMetadata).toEqual([
      { name: 'x', isTensor: true, type: 'float32', shape: ['batch', 3] },
      { name: 'references', isTensor: true, type: 'float32', shape: ['batch', 3, 'references'] },
    ]);
    expect(fixed.inputMetadata[1]).toMatchObject({ shape: ['batch', 3, 1] });
    expect(open.outputNames).toEqual(['score', 'nearest', 'contributions']);
    await Promise.all([open.release(), fixed.release()]);
  });

  it('refuses weights that are not a symmetric positive definite F×F matrix', () => {
    expect(() => buildNearestReferenceModel({ features: 2, weights: [1, 0, 0], elementType: 'float32' })).toThrow(/4 entries|needs 4/);
    expect(() => buildNearestReferenceModel({ features: 2, weights: [1, 2, 2, 1], elementType: 'float32' })).toThrow(/symmetric positive definite/);
  });
});
