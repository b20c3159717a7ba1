import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDetectBench, type DetectBenchResult } from '../../bench/detect/detect-bench.js';
import { findBenchmarkData } from '../../bench/detect/dataset-discovery.js';
import { parseNabResultsCsv } from '../../bench/detect/nab-csv.js';
import { PACKAGE_ROOT } from '../../edge/package-paths.js';
import { SeededRandom } from '../../simulators/machines/seeded-random.js';
import { tempFolder } from '../support/temp-folder.js';

const folder = tempFolder('detect-bench');
const data = path.join(folder.path, 'data');
const out = path.join(folder.path, 'out');
const SKAB_HEADER = 'datetime;Accelerometer1RMS;Current;Volume Flow RateRMS';
const stamp = (seconds: number) => new Date(Date.UTC(2020, 2, 9, 10, 0, 0) + seconds * 1000).toISOString().slice(0, 19).replace('T', ' ');

/** A SKAB-layout recording: 700 rows, the flow dropping by 3 units over rows 500..619 (labelled). */
function skabFile(file: string, seed: number, labelled: boolean): void {
  const random = SeededRandom.forStream(seed, 'bench', 'skab');
  const lines = [labelled ? `${SKAB_HEADER};anomaly;changepoint` : SKAB_HEADER];
  let time = 0;
  for (let row = 0; row < 700; row++) {
    time += random.chance(0.07) ? 2 : 1;
    const fault = labelled && row >= 500 && row < 620;
    const values = [0.026 + 0.001 * random.gaussian(), 1.3 + 0.05 * random.gaussian(), 32 + 0.3 * random.gaussian() - (fault ? 3 : 0)];
    lines.push([stamp(time), ...values.map((value) => value.toFixed(5)), ...(labelled ? [fault ? '1.0' : '0.0', row === 500 ? '1.0' : '0.0'] : [])].join(';'));
  }
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${lines.join('\n')}\n`);
}

/** A NAB-layout stream of 1,000 five-minute rows: a daily-like wave, with a jump at `jumpAt` when given. */
function nabFile(file: string, seed: number, jumpAt?: number): string[] {
  const random = SeededRandom.forStream(seed, 'bench', 'nab');
  const stamps: string[] = [];
  const lines = ['timestamp,value'];
  for (let row = 0; row < 1000; row++) {
    const timestamp = new Date(Date.UTC(2014, 3, 1) + row * 300_000).toISOString().slice(0, 19).replace('T', ' ');
    stamps.push(timestamp);
    const value = 50 + 10 * Math.sin((2 * Math.PI * row) / 96) + random.gaussian() + (jumpAt !== undefined && row >= jumpAt && row < jumpAt + 20 ? 40 : 0);
    lines.push(`${timestamp},${value.toFixed(3)}`);
  }
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${lines.join('\n')}\n`);
  return stamps;
}

let result: DetectBenchResult;
const printed: string[] = [];

beforeAll(async () => {
  skabFile(path.join(data, 'skab-like', 'valve9', '0.csv'), 1, true);
  skabFile(path.join(data, 'skab-like', 'valve9', '1.csv'), 2, true);
  skabFile(path.join(data, 'skab-like', 'anomaly-free', 'normal.csv'), 3, false);
  mkdirSync(path.join(data, 'other'), { recursive: true });
  writeFileSync(path.join(data, 'other', 'notes.csv'), 'name,value\nx,1\n');
  const withJump = nabFile(path.join(data, 'nab-like', 'data', 'realThings', 'tank.csv'), 4, 700);
  nabFile(path.join(data, 'nab-like', 'data', 'artificialNoAnomaly', 'calm.csv'), 5);
  nabFile(path.join(data, 'nab-like', 'data', 'realThings', 'unlabelled.csv'), 6);
  mkdirSync(path.join(data, 'nab-like', 'labels'), { recursive: true });
  const windows = { 'realThings/tank.csv': [[`${withJump[690]}.000000`, `${withJump[740]}.000000`]], 'artificialNoAnomaly/calm.csv': [], 'realThings/elsewhere.csv': [] };
  writeFileSync(path.join(data, 'nab-like', 'labels', 'combined_windows.json'), JSON.stringify(windows));
  result = await runDetectBench({ data, out, skabPeriodMs: 0, margin: 2.81, print: (text) => printed.push(text) });
});
afterAll(() => folder.remove());

describe('bench detect on folders in the SKAB and NAB layouts', () => {
  it('finds SKAB-layout files anywhere under the folder and NAB folders by their labels file', async () => {
    const found = await findBenchmarkData(data);
    expect(found.skab.map((file) => [file.relative, file.labelled])).toEqual([
      ['skab-like/anomaly-free/normal.csv', false],
      ['skab-like/valve9/0.csv', true],
      ['skab-like/valve9/1.csv', true],
    ]);
    expect(found.nab).toEqual([{ root: path.join(data, 'nab-like'), relative: 'nab-like', files: ['artificialNoAnomaly/calm.csv', 'realThings/tank.csv', 'realThings/unlabelled.csv'] }]);
  });

  it('writes each SKAB file\'s rows with a predicted anomaly column under the same folder and name', () => {
    const lines = readFileSync(path.join(out, 'skab-like', 'valve9', '0.csv'), 'utf8').trim().split('\n');
    const input = readFileSync(path.join(data, 'skab-like', 'valve9', '0.csv'), 'utf8').trim().split('\n');
    expect(lines[0]).toBe(`${SKAB_HEADER};anomaly`);
    expect(lines).toHaveLength(701);
    expect(lines[1]?.split(';').slice(0, 4)).toEqual(input[1]?.split(';').slice(0, 4));
    const predicted = lines.slice(1).map((line) => Number(line.split(';').at(-1)));
    expect(new Set(predicted)).toEqual(new Set([0, 1]));
    expect(predicted.slice(520, 620).filter((value) => value === 1).length).toBeGreaterThan(80);
  });

  it('counts the SKAB test parts (rows after the first 400) and scores them with the leaderboard\'s formulas', () => {
    const skab = result.skab;
    expect(skab?.files.map((file) => file.relative)).toEqual(['skab-like/valve9/0.csv', 'skab-like/valve9/1.csv']);
    for (const file of skab?.files ?? []) {
      const { tp, fp, fn, tn } = file.counts;
      expect(tp + fp + fn + tn).toBe(300);
      expect(tp + fn).toBe(120);
    }
    expect(skab?.f1).toBeGreaterThan(0.7);
    // The normal rows wrongly flagged are the ones just after the fault, while the EWMA comes back (span 20).
    expect(skab?.far).toBeLessThan(25);
    expect(skab?.mar).toBeLessThan(20);
    expect(printed.join('\n')).toMatch(/SKAB: 2 labelled file\(s\), 1,400 rows[\s\S]*millwright \(this run\)[\s\S]*Conv-AE \(published\)\s+0\.78\s+13\.55\s+28\.02/);
  });

  it('writes NAB results in the layout NAB\'s scorer reads, scores the labelled files and lists the others', () => {
    const tank = parseNabResultsCsv(readFileSync(path.join(out, 'nab-like', 'millwright', 'realThings', 'millwright_tank.csv'), 'utf8'), 'tank');
    expect(tank.scores).toHaveLength(1000);
    expect(tank.labels.slice(689, 742)).toEqual([0, ...new Array(51).fill(1), 0]);
    expect(tank.scores.slice(0, 150).every((score) => score === 0)).toBe(true);
    expect(Math.max(...tank.scores.slice(700, 720))).toBeGreaterThan(Math.max(...tank.scores.slice(150, 690)));
    expect(tank.scores.every((score) => score >= 0 && score <= 1)).toBe(true);
    const nab = result.nab;
    expect(nab?.unlabelled).toEqual(['nab-like/realThings/unlabelled.csv']);
    expect(nab?.profiles.map((profile) => profile.profile.name)).toEqual(['standard', 'reward_low_FP_rate', 'reward_low_FN_rate']);
    expect(nab?.profiles[0]?.windowsDetected).toBe(1);
    expect(printed.join('\n')).toMatch(/NAB: 3 file\(s\)[\s\S]*not scored \(no entry in the labels file\): nab-like\/realThings\/unlabelled\.csv[\s\S]*ARTime \(published, 18 shared files\)\s+67\.1\s+58\.1\s+72\.7/);
  });

  it('writes the fitted models with their cards, and records how each scored', () => {
    const card = JSON.parse(readFileSync(path.join(out, 'models', 'skab', 'skab-like.valve9.0.json'), 'utf8'));
    expect(card).toMatchObject({ id: 'skab-like.valve9.0', mode: 'machine', training: { rows: 400 }, grid: { periodMs: 0 } });
    expect(card.evaluation.figures).toEqual(expect.objectContaining(result.skab?.files[0]?.counts));
    const tank = JSON.parse(readFileSync(path.join(out, 'models', 'nab', 'nab-like.realThings.tank.json'), 'utf8'));
    expect(tank).toMatchObject({ mode: 'stream', training: { rows: 150 } });
    expect(tank.evaluation.figures.standard_score).toBeCloseTo(result.nab?.profiles[0]?.files.find((file) => file.name.endsWith('tank.csv'))?.score ?? Number.NaN, 9);
  });

  it('runs as `millwright bench detect` and refuses a folder with nothing to score', async () => {
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm')).href;
    const cli = path.join(PACKAGE_ROOT, 'edge', 'cli', 'main.ts');
    const run = async (args: string[]) => {
      const child = spawn(process.execPath, ['--import', tsx, cli, 'bench', 'detect', ...args], { cwd: folder.path });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const [code] = (await once(child, 'exit')) as [number | null];
      return { code, stdout, stderr };
    };
    const ok = await run(['--data', path.join(data, 'nab-like'), '--out', path.join(folder.path, 'cli-out')]);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/NAB: 3 file\(s\)/);
    const empty = await run(['--data', path.join(data, 'other'), '--out', path.join(folder.path, 'cli-out')]);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toMatch(/found no SKAB-layout file with labels .* and no NAB folder/);
  }, 60_000);
});
