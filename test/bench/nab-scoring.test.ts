import { describe, expect, it } from 'vitest';
import {
  NAB_PROFILES,
  optimizeThreshold,
  probationaryLength,
  scaledSigmoid,
  scoreFile,
  scoreNabCorpus,
  scoresByThreshold,
  windowRows,
  type NabProfile,
  type NabScoredFile,
} from '../../bench/detect/nab-scoring.js';

const [STANDARD, LOW_FP, LOW_FN] = NAB_PROFILES as [NabProfile, NabProfile, NabProfile];
/** The cost matrix of NAB's own scorer tests (tests/integration/scorer_test.py). */
const UNIT: NabProfile = { name: 'unit', tpWeight: 1, fpWeight: 1, fnWeight: 1 };

function file(name: string, rows: number, windows: [number, number][], detections: number[] = []): NabScoredFile {
  const scores = new Float64Array(rows);
  for (const row of detections) scores[row] = 1;
  return { name, scores, windows: windows.map(([first, last]) => ({ first, last })) };
}

describe('NAB scoring rules', () => {
  it('has the probationary lengths of NAB sweeper_test.py, capped at percent · 5000', () => {
    expect(probationaryLength(100, 0)).toBe(0);
    expect(probationaryLength(100, 1)).toBe(100);
    expect(probationaryLength(100, 0.1)).toBe(10);
    expect(probationaryLength(100, 0.15)).toBe(15);
    expect(probationaryLength(5000, 0.1)).toBe(500);
    expect(probationaryLength(6000, 0.1)).toBe(500);
    expect(probationaryLength(22695)).toBe(750);
    expect(probationaryLength(4032)).toBe(604);
  });

  it('weights positions with the scaled sigmoid of NAB, -1 from three window widths on', () => {
    expect(scaledSigmoid(-1)).toBeCloseTo(0.98661, 5);
    expect(scaledSigmoid(-0.5)).toBeCloseTo(0.84828, 5);
    expect(scaledSigmoid(0)).toBe(0);
    expect(scaledSigmoid(1)).toBeCloseTo(-0.98661, 5);
    expect(scaledSigmoid(3)).toBe(-1);
    expect(scaledSigmoid(7)).toBe(-1);
  });

  it('scores NAB testNullCase: no windows and no detections is 0', () => {
    const result = scoreFile(file('null', 10, []), UNIT, 0.5, 0);
    expect(result.score).toBe(0);
    expect([result.tn, result.tp, result.fp, result.fn]).toEqual([10, 0, 0, 0]);
  });

  it('scores NAB testRewardLowFalseNegatives: a missed window costs fnWeight', () => {
    // generateWindows(100 rows, 1 window of 10) puts the window at rows 45..54.
    const missed = file('missed', 100, [[45, 54]]);
    const standard = scoreFile(missed, UNIT, 0.5, 0);
    const lowFn = scoreFile(missed, { ...UNIT, fnWeight: 2, fpWeight: 0.055 }, 0.5, 0);
    expect(standard.score).toBe(-1);
    expect(standard.score).toBe(0.5 * lowFn.score);
    expect([standard.tn, standard.tp, standard.fp, standard.fn]).toEqual([90, 0, 0, 10]);
  });

  it('scores NAB testRewardLowFalsePositives: a detection before any window costs fpWeight', () => {
    const early = file('early', 100, [], [0]);
    const standard = scoreFile(early, UNIT, 0.5, 0);
    const lowFp = scoreFile(early, { ...UNIT, fpWeight: 2, fnWeight: 0.5 }, 0.5, 0);
    expect(standard.score).toBe(-1);
    expect(standard.score).toBe(0.5 * lowFp.score);
    expect([standard.tn, standard.tp, standard.fp, standard.fn]).toEqual([99, 0, 1, 0]);
  });

  it('scores NAB testScoringAllMetrics to -0.9540', () => {
    // generateWindows(100 rows, 2 windows of 5): rows 30..34 and 65..69; detections: a TP, another TP, an FP.
    const result = scoreFile(file('all', 100, [[30, 34], [65, 69]], [30, 31, 37]), UNIT, 0.5, 0);
    expect(result.score).toBeCloseTo(-0.954, 4);
    expect([result.tn, result.tp, result.fp, result.fn]).toEqual([89, 2, 1, 8]);
    expect([result.windowsDetected, result.windowsMissed]).toEqual([1, 1]);
  });

  it('counts only the earliest detection in a window, scaled by its position', () => {
    const width = 20;
    const atStart = scoreFile(file('start', 200, [[100, 119]], [100]), STANDARD, 0.5, 0);
    const startAndLater = scoreFile(file('both', 200, [[100, 119]], [100, 105, 118]), STANDARD, 0.5, 0);
    const middle = scoreFile(file('middle', 200, [[100, 119]], [110]), STANDARD, 0.5, 0);
    expect(atStart.score).toBeCloseTo(1, 12);
    expect(startAndLater.score).toBeCloseTo(atStart.score, 12);
    expect(middle.score).toBeCloseTo(scaledSigmoid(-(119 - 110 + 1) / width) / scaledSigmoid(-1), 12);
    expect(middle.score).toBeLessThan(atStart.score);
  });

  it('weights a false positive by its distance past the previous window', () => {
    // Window rows 10..19 (width 10): a detection k rows after its end sits at k / 9 window widths.
    const after = (row: number) => scoreFile(file('fp', 100, [[10, 19]], [row]), STANDARD, 0.5, 0).score + 1;
    expect(after(20)).toBeCloseTo(scaledSigmoid(1 / 9) * 0.11, 12);
    expect(after(28)).toBeCloseTo(scaledSigmoid(1) * 0.11, 12);
    expect(after(46)).toBeCloseTo(-0.11, 12);
    expect(after(5) - 0).toBeCloseTo(-0.11, 12);
    expect(after(20)).toBeGreaterThan(after(28));
  });

  it('ignores detections and windows inside the probationary period', () => {
    // 100 rows, 15 % probation: rows 0..14 are never scored, so a window there is neither TP nor FN.
    const result = scoreFile(file('probation', 100, [[2, 6], [40, 49]], [3, 10]), STANDARD, 0.5);
    expect(result.score).toBe(-1);
    expect(result.windowsMissed).toBe(1);
    expect(result.tp + result.fp).toBe(0);
  });

  it('maps window limits to rows by exact timestamp and names a limit that is not a row', () => {
    const times = [0, 60_000, 120_000, 180_000];
    expect(windowRows(times, [{ start: 60_000, end: 120_000, startText: 'a', endText: 'b' }], 'f.csv')).toEqual([{ first: 1, last: 2 }]);
    expect(() => windowRows(times, [{ start: 30_000, end: 120_000, startText: '2014-01-01 00:00:30', endText: 'b' }], 'f.csv')).toThrow(
      /f\.csv: the window start 2014-01-01 00:00:30 is not the timestamp of any row/,
    );
  });

  it('refuses a score that is not a finite number, naming the file and row', () => {
    const bad: NabScoredFile = { name: 'bad.csv', scores: [0, Number.NaN, 0], windows: [] };
    expect(() => scoreFile(bad, STANDARD, 0.5, 0)).toThrow(/bad\.csv: row 1 has anomaly score NaN/);
  });
});

describe('NAB threshold sweep and normalisation', () => {
  function randomCorpus(seed: number): NabScoredFile[] {
    let state = seed;
    const next = () => {
      state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
      return state / 2_147_483_648;
    };
    return [0, 1, 2].map((index) => {
      const rows = 300 + 50 * index;
      const scores = Float64Array.from({ length: rows }, () => Math.round(next() * 40) / 40);
      const windows = index === 2 ? [] : [{ first: 120 + 10 * index, last: 150 + 10 * index }, { first: 220, last: 240 }];
      return { name: `file-${index}.csv`, scores, windows };
    });
  }

  it('sweeps thresholds like NAB calcScoreByThreshold: 1.1 first, with every window missed', () => {
    const corpus = randomCorpus(7);
    const sweep = scoresByThreshold(corpus, STANDARD);
    expect(sweep[0]).toMatchObject({ threshold: 1.1, score: -4, tp: 0, fp: 0 });
    for (let i = 1; i < sweep.length; i++) expect((sweep[i] as { threshold: number }).threshold).toBeLessThan((sweep[i - 1] as { threshold: number }).threshold);
  });

  it('agrees, at every threshold, with scoring each file on its own and adding up', () => {
    const corpus = randomCorpus(11);
    for (const profile of NAB_PROFILES) {
      for (const { threshold, score } of scoresByThreshold(corpus, profile)) {
        const total = corpus.reduce((sum, one) => sum + scoreFile(one, profile, threshold).score, 0);
        expect(score).toBeCloseTo(total, 9);
      }
    }
  });

  it('chooses the corpus threshold with the best total', () => {
    const corpus = randomCorpus(3);
    const best = optimizeThreshold(corpus, LOW_FN);
    const all = scoresByThreshold(corpus, LOW_FN).map((entry) => entry.score);
    expect(best.score).toBe(Math.max(...all));
  });

  it('normalises the null detector to 0 and a perfect detector to 100, in every profile', () => {
    const shapes: [number, [number, number][]][] = [
      [400, [[100, 139], [300, 319]]],
      [250, []],
      [500, [[420, 479]]],
    ];
    const perfect = shapes.map(([rows, windows], index) => file(`p${index}.csv`, rows, windows, windows.map(([first]) => first)));
    const silent = shapes.map(([rows, windows], index) => file(`s${index}.csv`, rows, windows));
    for (const result of scoreNabCorpus(perfect)) expect(result.normalizedScore).toBeCloseTo(100, 9);
    for (const result of scoreNabCorpus(silent)) {
      expect(result.normalizedScore).toBeCloseTo(0, 9);
      expect(result.nullScore).toBe(-3 * result.profile.fnWeight);
    }
    const [standard] = scoreNabCorpus(perfect);
    expect(standard?.windowsDetected).toBe(3);
    expect(standard?.perfectScore).toBe(3);
  });

  it('ranks a detector that finds one of two windows between null and perfect, with its false positive costed', () => {
    const one = [file('a.csv', 400, [[100, 139], [300, 319]], [100, 200])];
    const [standard, lowFp, lowFn] = scoreNabCorpus(one);
    // raw = 1 (window found at its first row) - 1 (window missed) + σ((200-139)/39) · fpWeight
    const fpCost = scaledSigmoid(61 / 39);
    expect(standard?.rawScore).toBeCloseTo(fpCost * STANDARD.fpWeight, 12);
    expect(standard?.normalizedScore).toBeCloseTo((100 * (fpCost * 0.11 + 2)) / 4, 9);
    expect(lowFp?.normalizedScore).toBeCloseTo((100 * (fpCost * 0.22 + 2)) / 4, 9);
    expect(lowFn?.normalizedScore).toBeCloseTo((100 * (fpCost * 0.11 - 1 + 4)) / 6, 9);
    expect(standard?.threshold).toBe(1);
  });
});
