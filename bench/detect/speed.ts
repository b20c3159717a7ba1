/**
 * npm run bench:detect-speed — how fast the DetectionEngine scores on one core, and how long a sample
 * waits from its arrival (push) to its finding.
 *
 * Plant: pumps with 8 signals each, scanned once a second (one bus batch of 8 samples per scan), all
 * scored by one machine-mode model fitted here on synthetic normal operation (1 s grid).
 * - throughput: every scan of many assets pushed as fast as the engine takes them;
 * - latency: scans spread evenly over each second (pushed every millisecond as they fall due), at a
 *   given offered rate, for BENCH_SECONDS;
 * - stream mode: univariate streams whose rows are each compared with every earlier window kept.
 */
import path from 'node:path';
import type { Sample } from '../../gateway/sample.js';
import { DetectionEngine } from '../../edge/detect/detection-engine.js';
import { loadDetectionModel, type DetectionModel } from '../../edge/detect/detection-model.js';
import { fitMachine } from '../../edge/detect/machine-calibration.js';
import { machineModelArtifacts, streamModelArtifacts, writeModelArtifacts } from '../../edge/detect/model-artifacts.js';
import { fitStream } from '../../edge/detect/stream-calibration.js';
import { SeededRandom } from '../../simulators/machines/seeded-random.js';
import { tempFolder } from '../../test/support/temp-folder.js';
import { PUMP_SIGNALS, SyntheticPump } from './synthetic-pump.js';

const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 8);
const PERIOD_MS = 1000;
const SIGNALS = PUMP_SIGNALS.length;

interface Row {
  readonly test: string;
  readonly assets: number;
  readonly offered: string;
  readonly samplesPerSecond: number;
  /** Process CPU time (main thread and onnxruntime's) per second of wall time. */
  readonly cores: number;
  readonly samplesPerCpuSecond: number;
  readonly p50?: number;
  readonly p99?: number;
  readonly max?: number;
  readonly runs: number;
  /** Rows that got a finding (stream mode scores a row once two windows are in memory). */
  readonly scored?: number;
}

async function pumpModel(folder: string): Promise<DetectionModel> {
  const pump = new SyntheticPump(1, 'fit');
  const rows = Array.from({ length: 3000 }, () => pump.next());
  const artifacts = machineModelArtifacts(fitMachine(rows), {
    id: 'speed-pump',
    assetKind: 'centrifugal-pump',
    description: 'bench:detect-speed: fitted on 3,000 rows of a synthetic pump in normal operation',
    inputs: PUMP_SIGNALS,
    grid: { periodMs: PERIOD_MS, maxHoldMs: 2.5 * PERIOD_MS, latenessMs: PERIOD_MS },
    training: { data: 'synthetic pump, seed 1', seed: 1 },
  });
  const { cardFile } = await writeModelArtifacts(folder, artifacts);
  return loadDetectionModel(cardFile);
}

function scan(asset: string, tick: number, values: Float64Array): Sample[] {
  return PUMP_SIGNALS.map((signal, i) => ({ asset, signal: signal.signal, value: values[i] as number, ts: tick * PERIOD_MS, quality: 'good', source: 'plc' }));
}

function assetNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `pump-${String(i).padStart(5, '0')}`);
}

async function throughput(model: DetectionModel, assets: number, ticks: number): Promise<Row> {
  const names = assetNames(assets);
  const pumps = names.map((name) => new SyntheticPump(2, name));
  const scans = Array.from({ length: ticks }, (_, tick) => names.map((name, i) => scan(name, tick, (pumps[i] as SyntheticPump).next())));
  let findings = 0;
  const engine = new DetectionEngine({ onFinding: () => findings++ });
  for (const name of names) engine.attach(model, name, { settleRows: 0 });
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (const tick of scans) for (const batch of tick) engine.push(batch);
  await engine.idle();
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const cpuSeconds = (used.user + used.system) / 1e6;
  if (findings !== assets * ticks) throw new Error(`expected ${assets * ticks} findings, got ${findings}`);
  const samples = findings * SIGNALS;
  return { test: 'machine mode, throughput', assets, offered: 'all at once', samplesPerSecond: samples / seconds, cores: cpuSeconds / seconds, samplesPerCpuSecond: samples / cpuSeconds, runs: engine.stats().runs };
}

/** Stream mode: univariate streams, each compared with every earlier window it keeps (memory growing to `rows`). */
async function streamThroughput(folder: string, streams: number, rows: number): Promise<Row> {
  const wave = (t: number, random: SeededRandom) => 50 + 10 * Math.sin((2 * Math.PI * t) / 288) + random.gaussian();
  const fitRandom = SeededRandom.forStream(4, 'fit', 'stream');
  const artifacts = streamModelArtifacts(fitStream(Array.from({ length: 750 }, (_, t) => wave(t, fitRandom))), {
    id: 'speed-stream',
    assetKind: 'stream',
    description: 'bench:detect-speed: stream mode fitted on 750 rows of a noisy wave',
    inputs: [{ signal: 'level', unit: '' }],
    grid: { periodMs: 0, maxHoldMs: 0, latenessMs: 0 },
    training: { data: 'synthetic wave, seed 4', seed: 4 },
  });
  const model = await loadDetectionModel((await writeModelArtifacts(folder, artifacts)).cardFile);
  const names = assetNames(streams);
  const batches = names.map((asset) => {
    const random = SeededRandom.forStream(5, asset, 'stream');
    return Array.from({ length: rows }, (_, t): Sample => ({ asset, signal: 'level', value: wave(t, random), ts: t * 300_000, quality: 'good', source: 'sensor' }));
  });
  let findings = 0;
  const engine = new DetectionEngine({ onFinding: () => findings++ });
  for (const name of names) engine.attach(model, name);
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (const batch of batches) engine.push(batch);
  await engine.idle();
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const cpuSeconds = (used.user + used.system) / 1e6;
  await model.release();
  const samples = streams * rows;
  return { test: `stream mode, ${rows.toLocaleString('en')} rows per stream`, assets: streams, offered: 'all at once', samplesPerSecond: samples / seconds, cores: cpuSeconds / seconds, samplesPerCpuSecond: samples / cpuSeconds, runs: engine.stats().runs, scored: findings };
}

function percentile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

/** Assets scan once a second, evenly spread; each scan's push time is matched with its finding. */
async function latency(model: DetectionModel, samplesPerSecond: number, seconds: number): Promise<Row> {
  const assets = Math.round(samplesPerSecond / SIGNALS);
  const names = assetNames(assets);
  const index = new Map(names.map((name, i) => [name, i]));
  const pumps = names.map((name) => new SyntheticPump(3, name));
  const pushedAt = new Float64Array(assets * 4).fill(Number.NaN);
  const latencies: number[] = [];
  const warmupTicks = 1;
  let findings = 0;
  const engine = new DetectionEngine({
    onFinding: (finding) => {
      const now = performance.now();
      const tick = finding.ts / PERIOD_MS;
      const slot = (index.get(finding.asset) as number) * 4 + (tick % 4);
      if (tick >= warmupTicks) latencies.push(now - (pushedAt[slot] as number));
      findings++;
    },
  });
  for (const name of names) engine.attach(model, name, { settleRows: 0 });
  const scansPerMs = assets / PERIOD_MS;
  const total = Math.floor(seconds * 1000 * scansPerMs);
  let pushed = 0;
  const started = performance.now();
  let cpu = process.cpuUsage();
  let measuredFrom = started;
  await new Promise<void>((resolve) => {
    const drive = () => {
      const now = performance.now();
      const due = Math.min(total, Math.floor((now - started) * scansPerMs));
      for (; pushed < due; pushed++) {
        const asset = pushed % assets;
        const tick = Math.floor(pushed / assets);
        if (tick === warmupTicks && asset === 0) {
          cpu = process.cpuUsage();
          measuredFrom = performance.now();
        }
        pushedAt[asset * 4 + (tick % 4)] = performance.now();
        engine.push(scan(names[asset] as string, tick, (pumps[asset] as SyntheticPump).next()));
      }
      if (pushed < total) setTimeout(drive, 1);
      else resolve();
    };
    drive();
  });
  await engine.idle();
  const wall = (performance.now() - measuredFrom) / 1000;
  const used = process.cpuUsage(cpu);
  const cpuSeconds = (used.user + used.system) / 1e6;
  const sorted = Float64Array.from(latencies).sort();
  const samples = latencies.length * SIGNALS;
  return {
    test: 'machine mode, latency',
    assets,
    offered: `${samplesPerSecond.toLocaleString('en')}/s`,
    samplesPerSecond: samples / wall,
    cores: cpuSeconds / wall,
    samplesPerCpuSecond: samples / cpuSeconds,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    max: sorted[sorted.length - 1] as number,
    runs: engine.stats().runs,
  };
}

function print(rows: readonly Row[]): void {
  const ms = (value: number | undefined) => (value === undefined ? '' : value.toFixed(2));
  const table = rows.map((row) => ({
    test: row.test,
    assets: row.assets.toLocaleString('en'),
    offered: row.offered,
    'scored samples/s': Math.round(row.samplesPerSecond).toLocaleString('en'),
    'CPU cores': row.cores.toFixed(2),
    'samples/CPU-s': Math.round(row.samplesPerCpuSecond).toLocaleString('en'),
    'p50 ms': ms(row.p50),
    'p99 ms': ms(row.p99),
    'max ms': ms(row.max),
    'ONNX runs': row.runs.toLocaleString('en'),
  }));
  console.table(table);
}

const folder = tempFolder('detect-speed');
try {
  const model = await pumpModel(path.join(folder.path, 'models'));
  console.log(`bench:detect-speed — machine-mode model of ${SIGNALS} signals (${model.card.onnx.elementType}), 1 s grid, one ONNX intra-op thread; latency runs ${SECONDS} s each`);
  const rows: Row[] = [];
  rows.push(await throughput(model, 5000, 20));
  for (const rate of [100_000, 200_000]) rows.push(await latency(model, rate, SECONDS));
  rows.push(await streamThroughput(path.join(folder.path, 'models'), 50, 2000));
  print(rows);
  const goal = rows.find((row) => row.test.endsWith('latency') && row.offered.startsWith('100,000'));
  const best = Math.max(...rows.filter((row) => row.test.startsWith('machine')).map((row) => row.samplesPerCpuSecond));
  console.log(`goals: >= 100,000 samples/s on one core: ${best >= 100_000 ? 'met' : 'NOT met'} (${Math.round(best).toLocaleString('en')} samples per CPU-second); ` + `p99 <= 5 ms at 100,000 samples/s: ${goal?.p99 !== undefined && goal.p99 <= 5 ? 'met' : 'NOT met'} (${ms2(goal?.p99)} ms)`);
  await model.release();
} finally {
  folder.remove();
}

function ms2(value: number | undefined): string {
  return value === undefined ? 'n/a' : value.toFixed(2);
}
