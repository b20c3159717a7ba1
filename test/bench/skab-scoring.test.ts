import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSkabCsv } from '../../bench/detect/skab-csv.js';
import { countSkabFile, skabScore, sumCounts, SKAB_TRAIN_ROWS } from '../../bench/detect/skab-scoring.js';
import { SHARED_DATASETS, hasDatasets } from './shared-datasets.js';

describe('SKAB scoring', () => {
  it('counts only the test part: the rows after the training part', () => {
    const labels = [1, 1, 0, 0, 1, 1, 0, 0];
    const predictions = [0, 0, 1, 0, 1, 0, 1, 0];
    expect(countSkabFile(labels, predictions, { trainRows: 2 })).toEqual({ tp: 1, fp: 2, fn: 1, tn: 2 });
    expect(countSkabFile(labels, predictions, { trainRows: 0 })).toEqual({ tp: 1, fp: 2, fn: 3, tn: 2 });
    expect(SKAB_TRAIN_ROWS).toBe(400);
  });

  it('sums counts over files before taking the ratios, as the leaderboard does', () => {
    const total = sumCounts([
      { tp: 4, fp: 0, fn: 0, tn: 6 },
      { tp: 2, fp: 2, fn: 2, tn: 4 },
    ]);
    expect(total).toEqual({ tp: 6, fp: 2, fn: 2, tn: 10 });
    const score = skabScore(total);
    expect(score.f1).toBeCloseTo(6 / (6 + (2 + 2) / 2), 12);
    expect(score.far).toBeCloseTo((2 / 12) * 100, 12);
    expect(score.mar).toBeCloseTo((2 / 8) * 100, 12);
  });

  it('gives NaN where a ratio has nothing to count', () => {
    const quiet = skabScore({ tp: 0, fp: 0, fn: 0, tn: 10 });
    expect(quiet.f1).toBeNaN();
    expect(quiet.mar).toBeNaN();
    expect(quiet.far).toBe(0);
    expect(skabScore({ tp: 0, fp: 3, fn: 0, tn: 0 }).f1).toBe(0);
  });

  it('refuses predictions that do not line up with the labels or are not 0/1, naming the file', () => {
    expect(() => countSkabFile([0, 1], [0], { trainRows: 0, file: 'valve1/3.csv' })).toThrow(/valve1\/3\.csv: 1 predictions for 2 labelled rows/);
    expect(() => countSkabFile([0, 1], [0, 0.5], { trainRows: 0, file: 'valve1/3.csv' })).toThrow(/valve1\/3\.csv: row 1 has prediction 0\.5/);
  });
});

describe.skipIf(!hasDatasets('skab', 'valve1'))('SKAB scoring on the shared recordings', () => {
  async function labelledFiles() {
    const files: string[] = [];
    for (const folder of ['valve1', 'valve2']) {
      const dir = path.join(SHARED_DATASETS, 'skab', folder);
      for (const name of await readdir(dir)) if (name.endsWith('.csv')) files.push(path.join(dir, name));
    }
    return Promise.all(files.map(readSkabCsv));
  }

  it('scores the labels themselves as perfect and a silent detector as missing everything', async () => {
    const recordings = await labelledFiles();
    const labelsOf = (rows: readonly { anomaly: 0 | 1 | undefined }[]) => rows.map((row) => row.anomaly ?? 0);
    const perfect = skabScore(sumCounts(recordings.map((recording) => countSkabFile(labelsOf(recording.rows), labelsOf(recording.rows), { file: recording.file }))));
    const silent = skabScore(
      sumCounts(recordings.map((recording) => countSkabFile(labelsOf(recording.rows), new Array<number>(recording.rows.length).fill(0), { file: recording.file }))),
    );
    expect(recordings.every((recording) => recording.rejected.length === 0 && recording.badCells === 0)).toBe(true);
    expect([perfect.f1, perfect.far, perfect.mar]).toEqual([1, 0, 0]);
    expect([silent.f1, silent.far, silent.mar]).toEqual([0, 0, 100]);
    expect(perfect.tp + perfect.fn).toBe(silent.fn);
    expect(perfect.fp + perfect.tn).toBe(silent.tn);
  });
});
