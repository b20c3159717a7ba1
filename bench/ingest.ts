/**
 * npm run bench:ingest — samples per second from protocol to telemetry bus, and the process's memory.
 * The load generators (MQTT publisher, OPC UA server) run in child processes so the edge process has
 * its core to itself, as on a box where the PLC and sensors are other machines. Loopback only.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { startEmbeddedBroker } from '../gateway/mqtt/embedded-broker.js';
import { MqttSource } from '../gateway/mqtt/mqtt-source.js';
import { OpcuaSource } from '../gateway/opcua/opcua-source.js';
import type { Source } from '../gateway/source.js';
import { TelemetryBus } from '../gateway/telemetry-bus.js';
import { routeNodeOpcuaLogs } from '../gateway/opcua/node-opcua-logs.js';
import { createLogger } from '../edge/logging.js';
import { tempFolder } from '../test/support/temp-folder.js';
import { startTestMosquitto } from '../test/support/mosquitto-process.js';

const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 8);
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm')).href;
const here = path.dirname(new URL(import.meta.url).pathname);

interface Row {
  readonly path: string;
  readonly load: string;
  /** What the load generator sent (MQTT) or changed (OPC UA) per second. */
  readonly offeredPerSecond: number;
  readonly samplesPerSecond: number;
  readonly samplesPerCpuSecond: number;
  readonly rssMb: number;
  readonly heapMb: number;
}

function child(script: string, args: string[]) {
  return spawn(process.execPath, ['--import', TSX_LOADER, path.join(here, script), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
}

/** Counts what reaches the bus while `drive` runs; rate over the time from the first to the last sample. */
async function measure(source: Source, drive: () => Promise<void>): Promise<Omit<Row, 'path' | 'load' | 'offeredPerSecond'>> {
  const bus = new TelemetryBus({ historyPerSignal: 600 });
  let samples = 0;
  let first = 0;
  let last = 0;
  let cpuAtFirst = process.cpuUsage();
  bus.subscribe((batch) => {
    if (samples === 0) {
      first = performance.now();
      cpuAtFirst = process.cpuUsage();
    }
    samples += batch.length;
    last = performance.now();
  });
  await source.start((batch) => bus.publish(batch));
  await drive();
  const cpu = process.cpuUsage(cpuAtFirst);
  await source.stop();
  const seconds = Math.max((last - first) / 1000, 1e-3);
  const memory = process.memoryUsage();
  return {
    samplesPerSecond: samples / seconds,
    samplesPerCpuSecond: samples / ((cpu.user + cpu.system) / 1e6),
    rssMb: memory.rss / 2 ** 20,
    heapMb: memory.heapUsed / 2 ** 20,
  };
}

async function mqttRun(brokerUrl: string, brokerName: string, readingsPerMessage: number): Promise<Row> {
  const assets = new Set(Array.from({ length: 50 }, (_, i) => `conveyor-${String(i).padStart(2, '0')}`));
  const source = new MqttSource(
    {
      id: 'bench',
      kind: 'mqtt',
      url: brokerUrl,
      clientId: `bench-${readingsPerMessage}-${Date.now()}`,
      mappings: [{ topic: 'bench/line/+asset/motor/vt', asset: '{asset}', samples: 'readings', timestamp: { path: 't', format: 'epoch-ms' }, signals: { motor_vibration: 'vib_rms', motor_temp: 'temp_c' } }],
    },
    { knownSignal: (asset) => assets.has(asset) },
  );
  let offered = 0;
  const result = await measure(source, async () => {
    const publisher = child('mqtt-load-publisher.ts', [brokerUrl, String(readingsPerMessage), String(SECONDS), '64']);
    const report = once(createInterface({ input: publisher.stdout! }), 'line');
    const [code] = (await once(publisher, 'exit')) as [number | null];
    if (code !== 0) throw new Error(`MQTT load publisher exited with ${code}`);
    const [line] = (await report) as [string];
    offered = (JSON.parse(line) as { samples: number }).samples / SECONDS;
  });
  return { path: `MQTT (${brokerName}) -> bus`, load: `${readingsPerMessage} reading(s) x 2 signals per message`, offeredPerSecond: offered, ...result };
}

async function opcuaRun(variables: number, intervalMs: number, pki: string): Promise<Row> {
  const server = child('opcua-load-server.ts', [String(variables), String(intervalMs), path.join(pki, 'server')]);
  const [line] = (await once(createInterface({ input: server.stdout! }), 'line')) as [string];
  const { endpoint } = JSON.parse(line) as { endpoint: string };
  const source = new OpcuaSource(
    {
      id: 'bench',
      kind: 'opcua',
      endpoint,
      subscription: { publishingInterval: 100, maxNotificationsPerPublish: 0 },
      defaults: { samplingInterval: intervalMs, queueSize: 4 },
      nodes: Array.from({ length: variables }, (_, i) => ({ nodeId: `ns=1;s=bench.v${i}`, asset: `machine-${Math.floor(i / 50)}`, signal: `v${i % 50}` })),
    },
    { pkiFolder: path.join(pki, 'client') },
  );
  try {
    const result = await measure(source, () => new Promise((resolve) => setTimeout(resolve, SECONDS * 1000)));
    return { path: 'OPC UA -> bus', load: `${variables} variables changing every ${intervalMs} ms`, offeredPerSecond: (variables * 1000) / intervalMs, ...result };
  } finally {
    server.kill('SIGTERM');
    await once(server, 'exit');
  }
}

function printTable(rows: readonly Row[]): void {
  const header = ['path', 'load', 'offered/s', 'samples/s on the bus', 'samples per CPU-second', 'RSS MB', 'heap MB'];
  const cells = rows.map((r) => [r.path, r.load, Math.round(r.offeredPerSecond).toLocaleString('en'), Math.round(r.samplesPerSecond).toLocaleString('en'), Math.round(r.samplesPerCpuSecond).toLocaleString('en'), r.rssMb.toFixed(0), r.heapMb.toFixed(0)]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (values: string[]) => `| ${values.map((v, i) => v.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const c of cells) console.log(line(c));
}

routeNodeOpcuaLogs(createLogger('warn', { destination: 'stderr' }));
const pki = tempFolder('bench-ingest');
const rows: Row[] = [];
try {
  const broker = await startEmbeddedBroker({ port: 0 });
  rows.push(await mqttRun(broker.url, 'embedded aedes', 10));
  rows.push(await mqttRun(broker.url, 'embedded aedes', 1));
  await broker.stop();
  if (existsSync('/usr/sbin/mosquitto') || process.env['MILLWRIGHT_TEST_MOSQUITTO_URL']) {
    const mosquitto = await startTestMosquitto();
    try {
      rows.push(await mqttRun(mosquitto.url, 'mosquitto', 10));
      rows.push(await mqttRun(mosquitto.url, 'mosquitto', 1));
    } finally {
      await mosquitto.stop();
    }
  } else {
    console.error('mosquitto not installed (apt-get install mosquitto): its rows are skipped');
  }
  rows.push(await opcuaRun(2000, 100, pki.path));
  rows.push(await opcuaRun(4000, 100, pki.path));
} finally {
  pki.remove();
}
console.log(`\nIngest throughput, ${SECONDS} s per row, Node ${process.version}; load generators in child processes.\n`);
printTable(rows);
process.exit(0);
