/**
 * npx tsx bench/uplink.ts — the uplink's store-and-forward: what buffering a message costs, how fast
 * live telemetry reaches the broker, how fast a backlog is replayed after an outage. Loopback only,
 * Debian's mosquitto as the plant's broker. BENCH_MESSAGES (default 20000) sets the messages per row.
 */
import path from 'node:path';
import { MqttUplink } from '../gateway/uplink/mqtt-uplink.js';
import type { OutboxMessage } from '../gateway/uplink/message-class.js';
import { Outbox } from '../gateway/uplink/outbox.js';
import type { UplinkConfig } from '../gateway/uplink/uplink-config.js';
import { startTestMosquitto } from '../test/support/mosquitto-process.js';
import { tempFolder } from '../test/support/temp-folder.js';
import { waitUntil } from '../test/support/wait-until.js';
import { uplinkSettings } from '../test/gateway/uplink/fixtures/uplink-settings.js';

const BACKLOG = Number(process.env['BENCH_MESSAGES'] ?? 20_000);
const SAMPLES_PER_MESSAGE = 10;
const HOUR = 3_600_000;

function table(title: string, header: readonly string[], rows: readonly (readonly (string | number)[])[]): void {
  console.log(`\n${title}\n`);
  console.log(`| ${header.join(' | ')} |`);
  console.log(`|${header.map(() => '---').join('|')}|`);
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
}

const telemetryPayload = (i: number) =>
  Buffer.from(JSON.stringify({ id: `edge-1:${i}`, box: 'edge-1', seq: i, asset: 'pump-01', samples: Array.from({ length: SAMPLES_PER_MESSAGE }, (_, k) => ({ signal: `s${k}`, ts: 1_700_000_000_000 + i, value: i + k / 10, quality: 'good' })) }));

/** µs per message to append (one transaction per call) and to delete once acknowledged. */
function bufferCost(synchronous: 'normal' | 'full', perCall: number): (string | number)[] {
  const folder = tempFolder('bench-outbox');
  const outbox = new Outbox({
    file: path.join(folder.path, 'uplink.db'),
    synchronous,
    maxBytes: 1e10,
    maxMessages: 1e9,
    maxAgeMs: { alert: HOUR, finding: HOUR, telemetry: HOUR },
    memoryMaxBytes: 1e8,
    memoryMaxMessages: 1e6,
  });
  const total = synchronous === 'full' ? 2000 : 20_000;
  const payload = telemetryPayload(1);
  const start = performance.now();
  const seqs: number[] = [];
  for (let i = 0; i < total; i += perCall) {
    const batch: OutboxMessage[] = [];
    for (let k = 0; k < perCall; k++) {
      const seq = outbox.nextSeq();
      seqs.push(seq);
      batch.push({ seq, channel: 'json', cls: 'telemetry', created: Date.now(), topic: 'millwright/Millbrook/Utilities/pump-01/telemetry', payload });
    }
    outbox.append(batch);
  }
  const appendUs = ((performance.now() - start) * 1000) / total;
  const deleteStart = performance.now();
  for (let i = 0; i < seqs.length; i += 100) {
    for (const seq of seqs.slice(i, i + 100)) outbox.acknowledge(seq);
    outbox.flushAcknowledged();
  }
  const deleteUs = ((performance.now() - deleteStart) * 1000) / total;
  outbox.close();
  folder.remove();
  return [synchronous, perCall, `${payload.length} B`, appendUs.toFixed(1), deleteUs.toFixed(1), (appendUs + deleteUs).toFixed(1)];
}

async function withUplink<T>(brokerUrl: string, config: Partial<UplinkConfig>, run: (uplink: MqttUplink) => Promise<T>): Promise<T> {
  const folder = tempFolder('bench-uplink');
  // One message per bus batch of SAMPLES_PER_MESSAGE samples: no gathering over time, so messages are what is counted.
  const uplink = new MqttUplink(uplinkSettings(brokerUrl, folder.path, { telemetry: { batchIntervalMs: 0, maxSamplesPerMessage: SAMPLES_PER_MESSAGE }, ...config }));
  try {
    return await run(uplink);
  } finally {
    await uplink.stop();
    folder.remove();
  }
}

function produce(uplink: MqttUplink, from: number, count: number): void {
  for (let i = from; i < from + count; i++) {
    uplink.publishTelemetry(Array.from({ length: SAMPLES_PER_MESSAGE }, (_, k) => ({ asset: 'pump-01', signal: `s${k}`, value: i + k / 10, ts: 1_700_000_000_000 + i, quality: 'good' as const, source: 'bench' })));
  }
}

const published = (uplink: MqttUplink) => uplink.health().channels[0]?.published ?? 0;

/** Telemetry produced while connected, 100 bus batches per turn of the event loop; rate of broker acknowledgements. */
async function liveThroughput(brokerUrl: string, maxInFlight: number): Promise<(string | number)[]> {
  return withUplink(brokerUrl, { publish: { maxInFlight, maxMessagesPerSecond: 1_000_000 } }, async (uplink) => {
    await uplink.start();
    const start = performance.now();
    const cpu = process.cpuUsage();
    for (let i = 0; i < BACKLOG; i += 100) {
      produce(uplink, i, 100);
      await new Promise((resolve) => setImmediate(resolve));
    }
    await waitUntil(() => published(uplink) >= BACKLOG, `${BACKLOG} acknowledgements`, 120_000);
    const seconds = (performance.now() - start) / 1000;
    const used = process.cpuUsage(cpu);
    return ['live (produce and send)', maxInFlight, BACKLOG, (BACKLOG / seconds).toFixed(0), ((BACKLOG * SAMPLES_PER_MESSAGE) / seconds).toFixed(0), `${seconds.toFixed(2)} s`, `${(((used.user + used.system) / 1e6 / seconds) * 100).toFixed(0)} %`];
  });
}

/** A backlog buffered while the broker was away (here: before the first connection), sent on connecting. */
async function replay(brokerUrl: string, rate: number, backlog: number, maxInFlight: number): Promise<(string | number)[]> {
  return withUplink(brokerUrl, { publish: { maxInFlight, maxMessagesPerSecond: rate } }, async (uplink) => {
    produce(uplink, 0, backlog);
    const cpu = process.cpuUsage();
    await uplink.start();
    await waitUntil(() => typeof uplink.health().channels[0]?.replay?.finishedAt === 'number', 'the replay', 300_000);
    const used = process.cpuUsage(cpu);
    const replayed = uplink.health().channels[0]!.replay!;
    const seconds = (replayed.finishedAt! - replayed.startedAt) / 1000;
    return [`replay, at most ${rate} msg/s`, maxInFlight, backlog, (replayed.sent / seconds).toFixed(0), ((replayed.sent * SAMPLES_PER_MESSAGE) / seconds).toFixed(0), `${seconds.toFixed(2)} s`, `${(((used.user + used.system) / 1e6 / seconds) * 100).toFixed(0)} %`];
  });
}

async function main(): Promise<void> {
  table(
    'Buffer cost per message (SQLite WAL, one transaction per append call, acknowledged deletes in batches of 100)',
    ['synchronous', 'messages per append', 'payload', 'append µs/msg', 'delete µs/msg', 'total µs/msg'],
    [bufferCost('normal', 1), bufferCost('normal', 10), bufferCost('normal', 100), bufferCost('full', 1), bufferCost('full', 100)],
  );
  const broker = await startTestMosquitto({ ownProcess: true });
  try {
    const rows: (string | number)[][] = [];
    rows.push(await liveThroughput(broker.url, 100));
    rows.push(await liveThroughput(broker.url, 20));
    rows.push(await replay(broker.url, 1_000_000, BACKLOG, 100));
    rows.push(await replay(broker.url, 1000, Math.min(BACKLOG, 5000), 100));
    table(`To mosquitto on loopback, JSON, ${SAMPLES_PER_MESSAGE} samples per message (rates of broker acknowledgements)`, ['what', 'max in flight', 'messages', 'messages/s', 'samples/s', 'time', 'CPU'], rows);
  } finally {
    await broker.stop();
  }
}

await main();
