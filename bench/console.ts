/**
 * npm run bench:console — how many WebSocket clients one console process serves with live values of
 * 100 signals at 10 Hz, and the time from an alert transition to its frame on the clients (goals:
 * >= 200 clients, p99 <= 20 ms). The clients run in child processes on loopback (BENCH_CLIENT_PROCESSES,
 * default 2); each row holds its load for BENCH_SECONDS (default 8); BENCH_CLIENTS lists the rows.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { AlertEngine } from '../edge/alerts/alert-engine.js';
import { alertsSchema } from '../edge/alerts/alert-store.js';
import type { AssetConfig } from '../edge/config/config-schema.js';
import { ConsoleServer } from '../edge/console/console-server.js';
import { hashPassword } from '../edge/console/password-hash.js';
import { PlantOverview } from '../edge/plant-overview.js';
import { AuditLog, auditSchema } from '../edge/store/audit-log.js';
import { openBoxDatabase } from '../edge/store/box-database.js';
import { silentLogger } from '../gateway/logger.js';
import type { Sample } from '../gateway/sample.js';
import { TelemetryBus } from '../gateway/telemetry-bus.js';
import { tempFolder } from '../test/support/temp-folder.js';

const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 8);
const STEPS = (process.env['BENCH_CLIENTS'] ?? '50,100,200,300,400').split(',').map(Number);
const ASSETS = 10;
const SIGNALS_PER_ASSET = 10;
const RATE_HZ = 10;
/** Alert transitions per second; every other one is an activation, which the clients time. */
const ALERTS_PER_SECOND = 10;
/** Client processes, each with its share of the clients, so the clients' own work does not queue the frames they time. */
const CLIENT_PROCESSES = Number(process.env['BENCH_CLIENT_PROCESSES'] ?? 2);
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm')).href;
const here = path.dirname(new URL(import.meta.url).pathname);

interface Report {
  clients: number;
  closed: number;
  framesPerClient: number[];
  pointsPerClient: number[];
  latencies: number[];
}

const assets: Record<string, AssetConfig> = Object.fromEntries(
  Array.from({ length: ASSETS }, (_, a) => [
    `machine-${a}`,
    { kind: 'bench', signals: Object.fromEntries(Array.from({ length: SIGNALS_PER_ASSET }, (_, s) => [`signal_${s}`, { unit: 'mm/s' }])) },
  ]),
);
const signalKeys = Object.entries(assets).flatMap(([asset, config]) => Object.keys(config.signals).map((signal) => `${asset}/${signal}`));

function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function ask<T>(child: ChildProcess, command: object): Promise<T> {
  const answer = once(child, 'message') as Promise<[T]>;
  child.send(command);
  return answer.then(([message]) => message);
}

async function main(): Promise<void> {
  const data = tempFolder('bench-console');
  const database = openBoxDatabase({ dataDir: data.path, schemas: [alertsSchema, auditSchema], logger: silentLogger });
  const audit = new AuditLog(database);
  const alerts = new AlertEngine({ database, audit, logger: silentLogger, policy: { delays: { default: { onSeconds: 0, offSeconds: 0 } }, flood: { startAbove: 1_000_000, endBelow: 10 } } });
  alerts.start();
  const bus = new TelemetryBus({ historyPerSignal: 600 });
  const overview = new PlantOverview(bus, assets);
  const server = await ConsoleServer.create({
    settings: { host: '127.0.0.1', port: 0, publicOrigin: null, allowedOrigins: [], sessionHours: 1, users: [{ name: 'bench', role: 'viewer', passwordHash: await hashPassword('bench-password', 10) }], tls: null },
    logger: silentLogger,
    context: {
      site: 'bench',
      assets,
      silentAfterMs: 30_000,
      bus,
      alerts,
      audit,
      overview,
      sources: () => [],
      storage: () => database.health(),
      brokerUrl: () => null,
      models: () => [],
    },
  });
  const url = await server.start();
  const login = await fetch(`${url}/api/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'bench', password: 'bench-password' }) });
  const { token } = (await login.json()) as { token: string };

  // 100 signals at 10 Hz, one batch per 100 ms, as a PLC subscription delivers them.
  let value = 0;
  const publisher = setInterval(() => {
    const ts = Date.now();
    const batch: Sample[] = signalKeys.map((key) => {
      const [asset, signal] = key.split('/') as [string, string];
      return { asset, signal, value: Math.sin(value++ / 50), ts, quality: 'good', source: 'bench' };
    });
    bus.publish(batch);
  }, 1000 / RATE_HZ);

  // Alert transitions: one condition toggled on a fixed schedule; each (re)activation carries the moment it
  // was due (epoch ms, sub-millisecond), so a late timer (a busy event loop) counts against the console.
  // `sendMs` is the console's own part: from that moment until the frame was written to every socket.
  const period = 1000 / ALERTS_PER_SECOND;
  const firstDue = performance.now() + period;
  let transitions = 0;
  let active = false;
  let sendMs: number[] = [];
  const raise = () => {
    const due = firstDue + transitions * period;
    transitions += 1;
    active = !active;
    alerts.report([{ conditionId: 'machine-0/limit/signal_0.high', asset: 'machine-0', kind: 'limit', active, priority: 'high', ts: Date.now(), message: 'bench', details: { raisedAt: performance.timeOrigin + due } }]);
    if (active) sendMs.push(performance.now() - due);
    raiser = setTimeout(raise, Math.max(0, firstDue + transitions * period - performance.now()));
  };
  let raiser = setTimeout(raise, period);

  const clientProcesses = Array.from({ length: CLIENT_PROCESSES }, () =>
    spawn(process.execPath, ['--import', TSX_LOADER, path.join(here, 'console-clients.ts'), url, token, ...signalKeys], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }),
  );
  const askAll = <T>(command: (index: number) => object) => Promise.all(clientProcesses.map((child, index) => ask<T>(child, command(index))));
  const share = (count: number, index: number) => Math.floor(count / CLIENT_PROCESSES) + (index < count % CLIENT_PROCESSES ? 1 : 0);
  const lag = monitorEventLoopDelay({ resolution: 1 });
  lag.enable();
  const rows: string[][] = [];
  let served = 0;
  try {
    for (const count of STEPS) {
      await askAll((index) => ({ open: share(count, index) }));
      await new Promise((resolve) => setTimeout(resolve, 1000)); // let the subscriptions settle
      await askAll(() => ({ reset: true }));
      sendMs = [];
      lag.reset();
      const cpuBefore = process.cpuUsage();
      const started = performance.now();
      await new Promise((resolve) => setTimeout(resolve, SECONDS * 1000));
      const reports = await askAll<Report>(() => ({ report: true }));
      const report: Report = {
        clients: reports.reduce((sum, r) => sum + r.clients, 0),
        closed: reports.reduce((sum, r) => sum + r.closed, 0),
        framesPerClient: reports.flatMap((r) => r.framesPerClient),
        pointsPerClient: reports.flatMap((r) => r.pointsPerClient),
        latencies: reports.flatMap((r) => r.latencies),
      };
      const seconds = (performance.now() - started) / 1000;
      const cpu = process.cpuUsage(cpuBefore);
      const expectedPoints = signalKeys.length * RATE_HZ * seconds;
      const worstShare = Math.min(...report.pointsPerClient) / expectedPoints;
      const p99 = percentile(report.latencies, 99);
      const ok = report.closed === 0 && worstShare >= 0.95 && p99 <= 20;
      if (ok) served = count;
      rows.push([
        String(count),
        (percentile(report.framesPerClient, 50) / seconds).toFixed(1),
        `${(100 * worstShare).toFixed(1)} %`,
        String(report.closed),
        String(report.latencies.length),
        percentile(sendMs, 99).toFixed(1),
        percentile(report.latencies, 50).toFixed(1),
        p99.toFixed(1),
        Math.max(...report.latencies).toFixed(1),
        `${Math.round((100 * (cpu.user + cpu.system)) / 1e6 / seconds)} %`,
        (lag.percentile(99) / 1e6).toFixed(1),
        (process.memoryUsage().rss / 2 ** 20).toFixed(0),
        ok ? 'yes' : 'no',
      ]);
      console.error(`  ${count} clients done`);
    }
  } finally {
    clearInterval(publisher);
    clearTimeout(raiser);
    await Promise.all(
      clientProcesses.map((child) => {
        child.send({ stop: true });
        return once(child, 'exit');
      }),
    );
    await server.stop();
    overview.close();
    alerts.stop();
    database.close();
    data.remove();
  }
  const header = ['clients', 'values msgs/s per client', 'points delivered (worst client)', 'closed', 'alert frames timed', 'alert sent p99 ms', 'alert received p50 ms', 'alert received p99 ms', 'alert received max ms', 'console CPU', 'loop lag p99 ms', 'RSS MB', 'served'];
  console.log(`\nConsole WebSocket: ${signalKeys.length} signals at ${RATE_HZ} Hz to every client, ${ALERTS_PER_SECOND} alert transitions/s, ${SECONDS} s per row (Node ${process.version})\n`);
  console.log(`| ${header.join(' | ')} |`);
  console.log(`|${header.map(() => '---').join('|')}|`);
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
  console.log(`\nserved: ${served} clients with every value batch and alert p99 <= 20 ms (goal >= 200)`);
}

await main();
