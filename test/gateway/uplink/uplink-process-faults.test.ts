import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MqttUplink } from '../../../gateway/uplink/mqtt-uplink.js';
import { tempFolder } from '../../support/temp-folder.js';
import { MessageRecorder } from './fixtures/message-recorder.js';
import { firstAppearances, range, SteadyLoad } from './fixtures/steady-load.js';
import { startTestBroker } from './fixtures/test-broker.js';
import { startUplinkChild } from './fixtures/uplink-child.js';
import { uplinkSettings } from './fixtures/uplink-settings.js';

interface JsonMessage {
  samples?: { value: number }[];
  event?: { id: number };
}

const MAX_IN_FLIGHT = 10;

/** Asks (every 50 ms) until `check` holds; rejects after `timeoutMs` saying what was awaited. */
async function pollUntil(check: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('uplink process faults', () => {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function brokerAndConsumer() {
    const broker = await startTestBroker();
    cleanups.push(() => broker.stop());
    const consumer = await MessageRecorder.connect(broker.url, ['millwright/#']);
    cleanups.push(() => consumer.close());
    const data = (suffix: string) => consumer.messages.filter((m) => m.topic.endsWith(suffix)).map((m) => JSON.parse(m.payload.toString()) as JsonMessage);
    const values = () => data('/telemetry').flatMap((m) => m.samples?.map((s) => s.value) ?? []);
    const alertIds = () => data('/alerts').flatMap((m) => (m.event ? [m.event.id] : []));
    return { broker, consumer, values, alertIds };
  }

  it('replays after a SIGKILL everything the killed process had buffered, in order per class, at least once', async () => {
    const { broker, consumer, values, alertIds } = await brokerAndConsumer();
    const folder = tempFolder('uplink-kill');
    cleanups.push(() => folder.remove());
    // Sending at 10 messages/s while producing about 65 (62 alert events, 5 telemetry messages) builds a backlog.
    const first = await startUplinkChild({ url: broker.url, dataDir: folder.path, tickMs: 4, config: { publish: { maxInFlight: MAX_IN_FLIGHT, maxMessagesPerSecond: 10 } } });
    cleanups.push(() => first.kill());
    await consumer.until(() => alertIds().length >= 5, 'live alert events from the first process');
    await first.acceptedAtLeast(300);
    const backlogBeforeKill = (await first.health()).buffer.messages;
    const measuredAt = performance.now();
    await first.kill();
    // Between the health answer and the kill the child went on sending, at most 10 messages/s.
    const sentBeforeKill = MAX_IN_FLIGHT + Math.ceil(((performance.now() - measuredAt) / 1000) * 10);
    const committed = { ...first.accepted };
    expect(backlogBeforeKill).toBeGreaterThan(50);

    // The broker publishes the will: the box is offline, retained.
    await consumer.until(() => consumer.messages.some((m) => m.topic.endsWith('/_box/edge-1/status') && m.payload.includes('"offline"')), 'the will');
    const will = JSON.parse(consumer.messages.filter((m) => m.topic.endsWith('/status')).at(-1)!.payload.toString()) as Record<string, unknown>;
    expect(will).toMatchObject({ box: 'edge-1', state: 'offline', reason: 'connection lost' });

    const restartedAt = performance.now();
    const second = await startUplinkChild({ url: broker.url, dataDir: folder.path, tickMs: 0, config: { publish: { maxInFlight: MAX_IN_FLIGHT } } });
    cleanups.push(() => second.kill());
    const startedAt = performance.now();
    await consumer.until(() => new Set(values()).size >= committed.telemetry && new Set(alertIds()).size >= committed.alerts, 'every committed message', 30_000);
    const deliveredAt = performance.now();
    const health = await second.health();
    const replay = health.channels[0]!.replay!;
    expect(replay.backlog).toBeGreaterThanOrEqual(backlogBeforeKill - sentBeforeKill);

    const telemetry = firstAppearances(values());
    const alerts = firstAppearances(alertIds());
    expect(telemetry.order).toEqual(range(1, telemetry.order.length));
    expect(telemetry.order.length).toBeGreaterThanOrEqual(committed.telemetry);
    expect(alerts.order).toEqual(range(1, alerts.order.length));
    expect(alerts.order.length).toBeGreaterThanOrEqual(committed.alerts);
    // Sent again: what was in flight at the kill, and acknowledged messages whose deletion had not run yet.
    expect(telemetry.duplicates + alerts.duplicates).toBeLessThanOrEqual(2 * MAX_IN_FLIGHT);
    await pollUntil(async () => (await second.health()).buffer.messages === 0, 'the second process has emptied the buffer');
    console.info(
      `[uplink SIGKILL figures] ${backlogBeforeKill} messages buffered at the kill (${committed.telemetry} samples, ${committed.alerts} alert events committed); ` +
        `after the restart: process up in ${(startedAt - restartedAt).toFixed(0)} ms, backlog ${replay.backlog} replayed in ${replay.finishedAt === null ? '?' : replay.finishedAt - replay.startedAt} ms, ` +
        `everything delivered ${(deliveredAt - restartedAt).toFixed(0)} ms after the restart; ${telemetry.duplicates + alerts.duplicates} duplicate(s)`,
    );
  }, 150_000);

  it('keeps publishing from memory when the disk is full, says so in health and in the log', async () => {
    const { broker, consumer, values } = await brokerAndConsumer();
    const folder = tempFolder('uplink-full');
    cleanups.push(() => folder.remove());
    // No file of the process may grow past 256 KiB: the buffer's write-ahead log hits that within a second.
    const child = await startUplinkChild({ url: broker.url, dataDir: folder.path, tickMs: 2, config: {} }, 256);
    cleanups.push(() => child.kill());
    await pollUntil(async () => (await child.health()).buffer.status === 'memory', 'the buffer falls back to memory', 20_000);
    const atFailure = child.accepted.telemetry;
    const health = await child.health();
    expect(health.buffer.lastError?.message).toMatch(/uplink buffer .*uplink\.db: could not (write|delete) .*(disk I\/O error|full)/);
    expect(health.buffer.lastError?.message).toContain('set uplink.buffer.file to a larger volume');
    expect(health.buffer.writeFailures).toBeGreaterThan(0);
    // The log line is on stderr, a pipe of its own: it may arrive after the health answer on stdout.
    await pollUntil(async () => child.stderr().includes('Meanwhile new messages are kept in memory'), 'the log says the buffer went to memory');

    await consumer.until(() => values().some((v) => v > atFailure + 100), 'telemetry produced after the disk filled up');
    expect(health.connected).toBe(true);
    expect(firstAppearances(values()).order).toEqual(range(1, firstAppearances(values()).order.length));
  }, 120_000);

  it('runs on memory when the buffer file cannot be opened, publishing live and showing why', async () => {
    const { broker, consumer, alertIds } = await brokerAndConsumer();
    const folder = tempFolder('uplink-unwritable');
    cleanups.push(() => folder.remove());
    writeFileSync(path.join(folder.path, 'blocker'), 'a file where the buffer folder should be');
    const uplink = new MqttUplink(uplinkSettings(broker.url, folder.path, { buffer: { file: 'blocker/uplink.db' } }));
    cleanups.push(() => uplink.stop());
    await uplink.start();
    const load = new SteadyLoad(uplink);
    for (let i = 0; i < 40; i++) load.tick();
    await consumer.until(() => alertIds().length === 10, 'the ten alert events');
    const health = uplink.health();
    expect(health.connected).toBe(true);
    expect(health.buffer.status).toBe('memory');
    expect(health.buffer.lastError?.message).toContain(path.join(folder.path, 'blocker', 'uplink.db'));
    expect(health.buffer.lastError?.message).toContain('A file stands where the buffer\'s folder should be');
  });
});
