/**
 * npm run bench:soak -- --minutes N — the demo (`npm start`: embedded broker, simulated PLC and sensors,
 * gateway, detection, alerts, console) in this process under its own load, with a few WebSocket clients
 * on live values and alerts and a sensor fault switched on and off, for N minutes. Prints one row per
 * interval (RSS, heap used after a full GC, event-loop lag, samples/s, values to the clients) and a
 * verdict on memory growth after the warm-up, from the slope of the fitted line.
 *
 * Options: --minutes N (10), --interval SECONDS (30), --warmup MINUTES (40 % of the run, at most 12: the
 * demo's windows of up to 10 minutes fill first),
 * --clients N (5), --fault-period SECONDS (120; 0: no fault cycle), --seed N (1).
 * Run with --expose-gc (the npm script does) so heap figures are what stays alive, not GC timing.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { createLogger } from '../edge/logging.js';
import { tempFolder } from '../test/support/temp-folder.js';
import { startDemoUnderLoad } from './soak/demo-under-load.js';
import { judgeGrowth, type GrowthVerdict, type Reading } from './soak/growth-verdict.js';
import { openLiveValueClients } from './soak/live-value-clients.js';

const DEMO_VIEWER = { name: 'viewer', password: 'viewer-demo' };
/** Flat means the fitted line rises less than this over the measured stretch. */
const HEAP_TOLERANCE = { absolute: 2, relative: 0.02 };
const RSS_TOLERANCE = { absolute: 8, relative: 0.04 };

function nonNegativeNumber(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} must be a number >= 0, got "${text}"`);
  return value;
}

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string' },
    interval: { type: 'string' },
    warmup: { type: 'string' },
    clients: { type: 'string' },
    'fault-period': { type: 'string' },
    seed: { type: 'string' },
  },
});
const minutes = nonNegativeNumber('minutes', args.minutes, 10);
const intervalSeconds = Math.max(1, nonNegativeNumber('interval', args.interval, 30));
const warmupMinutes = nonNegativeNumber('warmup', args.warmup, Math.min(12, minutes * 0.4));
const clientCount = Math.round(nonNegativeNumber('clients', args.clients, 5));
const faultPeriodSeconds = nonNegativeNumber('fault-period', args['fault-period'], 120);
const seed = Math.round(nonNegativeNumber('seed', args.seed, 1));

/** The histogram records the time between its timer's wake-ups, the sampling resolution included. */
const LAG_RESOLUTION_MS = 10;
const lagMs = (nanoseconds: number) => Math.max(0, nanoseconds / 1e6 - LAG_RESOLUTION_MS);

const collectGarbage = (globalThis as { gc?: () => void }).gc;
const mb = (bytes: number) => bytes / 2 ** 20;

interface Row {
  minute: number;
  rssMb: number;
  heapMb: number;
  lagP50Ms: number;
  lagP99Ms: number;
  samplesPerSecond: number;
  clientPointsPerSecond: number;
  alertEvents: number;
  clientsOpen: number;
}

function printRow(row: Row): void {
  const seconds = Math.round(row.minute * 60);
  const time = `${String(Math.floor(seconds / 60)).padStart(3)}:${String(seconds % 60).padStart(2, '0')}`;
  console.log(
    `| ${time} | ${row.rssMb.toFixed(1)} | ${row.heapMb.toFixed(1)} | ${row.lagP50Ms.toFixed(1)} | ${row.lagP99Ms.toFixed(1)} | ${Math.round(row.samplesPerSecond)} | ${Math.round(row.clientPointsPerSecond)} | ${row.alertEvents} | ${row.clientsOpen} |`,
  );
}

function describeVerdict(name: string, unit: string, verdict: GrowthVerdict): string {
  const trend = `${verdict.slopePerHour >= 0 ? '+' : ''}${verdict.slopePerHour.toFixed(1)} ${unit}/h (fitted ${verdict.fittedChange >= 0 ? '+' : ''}${verdict.fittedChange.toFixed(1)} ${unit} over the stretch, tolerance ${verdict.tolerance.toFixed(1)} ${unit})`;
  return `${name}: ${verdict.grows ? 'GROWS' : 'flat'}: ${trend}; this run resolves growth above about ${verdict.resolutionPerHour.toFixed(0)} ${unit}/h`;
}

async function main(): Promise<void> {
  if (warmupMinutes >= minutes) throw new Error(`--warmup (${warmupMinutes} min) must be shorter than --minutes (${minutes})`);
  const data = tempFolder('bench-soak');
  const demo = await startDemoUnderLoad({ dataDir: data.path, seed, logger: createLogger('warn', { destination: 'stderr' }) });
  const consoleServer = demo.edge.console;
  if (!consoleServer) throw new Error('the demo configuration has no console section; the soak needs one for its WebSocket clients');
  const clients = await openLiveValueClients(consoleServer.url, DEMO_VIEWER, demo.signalKeys, clientCount);
  const faultCycle = faultPeriodSeconds > 0 ? setInterval(() => demo.toggleFault(), (faultPeriodSeconds * 1000) / 2) : undefined;
  const lag = monitorEventLoopDelay({ resolution: LAG_RESOLUTION_MS });
  lag.enable();

  console.log(`\nSoak: the demo plant for ${minutes} min (Node ${process.version}, ${clientCount} WebSocket clients on ${demo.signalKeys.length} signals, ${faultPeriodSeconds > 0 ? `sensor fault on and off every ${faultPeriodSeconds / 2} s` : 'no fault cycle'}, warm-up ${warmupMinutes.toFixed(1)} min)`);
  if (!collectGarbage) console.log('(no --expose-gc: heap figures include garbage not yet collected)');
  console.log('\n| time | RSS MB | heap used MB | loop lag p50 ms | loop lag p99 ms | samples/s | values to clients/s | alert events | clients open |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  const started = performance.now();
  const rows: Row[] = [];
  demo.takeSampleCount();
  clients.takeCounts();
  let last = started;
  try {
    while ((performance.now() - started) / 60_000 < minutes - 1e-9) {
      const nextAt = started + (rows.length + 1) * intervalSeconds * 1000;
      await sleep(Math.max(0, nextAt - performance.now()));
      const now = performance.now();
      const seconds = (now - last) / 1000;
      last = now;
      const lagP50Ms = lagMs(lag.percentile(50));
      const lagP99Ms = lagMs(lag.percentile(99));
      const received = clients.takeCounts();
      const samplesPerSecond = demo.takeSampleCount() / seconds;
      // The forced collection pauses the loop; the lag histogram is reset after it so it is not counted.
      collectGarbage?.();
      const memory = process.memoryUsage();
      lag.reset();
      const row: Row = {
        minute: (now - started) / 60_000,
        rssMb: mb(memory.rss),
        heapMb: mb(memory.heapUsed),
        lagP50Ms,
        lagP99Ms,
        samplesPerSecond,
        clientPointsPerSecond: received.points / seconds / Math.max(1, clientCount),
        alertEvents: demo.takeAlertEventCount(),
        clientsOpen: received.open,
      };
      rows.push(row);
      printRow(row);
    }
  } finally {
    clearInterval(faultCycle);
    lag.disable();
    await clients.close();
    await demo.stop();
    data.remove();
  }

  const afterWarmup = rows.filter((row) => row.minute > warmupMinutes);
  const heap = judgeGrowth(afterWarmup.map((row): Reading => ({ minute: row.minute, value: row.heapMb })), HEAP_TOLERANCE);
  const rss = judgeGrowth(afterWarmup.map((row): Reading => ({ minute: row.minute, value: row.rssMb })), RSS_TOLERANCE);
  const lagP99s = afterWarmup.map((row) => row.lagP99Ms).sort((a, b) => a - b);
  console.log(`\nAfter the warm-up (${afterWarmup.length} rows from minute ${warmupMinutes.toFixed(1)}):`);
  console.log(`  ${describeVerdict('heap used', 'MB', heap)}`);
  console.log(`  ${describeVerdict('RSS', 'MB', rss)}`);
  console.log(`  loop lag p99 per interval: median ${lagP99s[Math.floor(lagP99s.length / 2)]!.toFixed(1)} ms, worst ${lagP99s[lagP99s.length - 1]!.toFixed(1)} ms`);
  console.log(`  verdict: ${heap.grows || rss.grows ? 'memory GROWS after warm-up: look for a leak (node --inspect, heap snapshots)' : 'no growth after warm-up'}`);
  if (heap.grows || rss.grows) process.exitCode = 1;
}

await main();
