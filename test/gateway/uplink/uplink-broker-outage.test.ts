import sparkplugPayload from 'sparkplug-payload';
import { afterEach, describe, expect, it } from 'vitest';
import { MqttUplink } from '../../../gateway/uplink/mqtt-uplink.js';
import { tempFolder } from '../../support/temp-folder.js';
import { waitUntil } from '../../support/wait-until.js';
import { MessageRecorder } from './fixtures/message-recorder.js';
import { startPersistentMosquitto } from './fixtures/persistent-mosquitto.js';
import { firstAppearances, range, SteadyLoad } from './fixtures/steady-load.js';
import { startTcpCut } from './fixtures/tcp-cut.js';
import { startTestBroker } from './fixtures/test-broker.js';
import { TEST_ASSETS, uplinkSettings } from './fixtures/uplink-settings.js';

const spb = sparkplugPayload.get('spBv1.0')!;
const MAX_IN_FLIGHT = 20;
/** mosquitto's max_inflight_messages default: QoS 1 messages to the consumer it sends again after its restart. */
const BROKER_IN_FLIGHT = 20;

interface JsonMessage {
  id: string;
  samples?: { value: number }[];
  event?: { id: number };
}

describe('uplink through a broker outage', () => {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('loses no alert transition and no sample while the broker is down, replays alerts first, keeps order per class', async () => {
    const broker = await startPersistentMosquitto();
    cleanups.push(() => broker.close());
    const folder = tempFolder('uplink-outage');
    cleanups.push(() => folder.remove());
    const consumer = await MessageRecorder.connect(broker.url, ['millwright/+/+/pump-01/#', 'spBv1.0/#'], { clientId: 'outage-consumer', clean: false });
    cleanups.push(() => consumer.close());
    const uplink = new MqttUplink(
      uplinkSettings(broker.url, folder.path, {
        formats: ['json', 'sparkplug'],
        sparkplug: { groupId: 'Millbrook', edgeNodeId: 'edge-1', qos: 1 },
        publish: { maxInFlight: MAX_IN_FLIGHT, maxMessagesPerSecond: 5000 },
      }),
      { assets: TEST_ASSETS },
    );
    cleanups.push(() => uplink.stop());
    await uplink.start();
    const load = new SteadyLoad(uplink);
    cleanups.push(() => load.stop());
    load.start();
    const json = () => consumer.messages.filter((m) => m.topic.startsWith('millwright/')).map((m) => JSON.parse(m.payload.toString()) as JsonMessage);
    await consumer.until(() => json().filter((m) => m.event).length >= 5, 'live alert events');

    await broker.stop();
    await waitUntil(() => uplink.health().channels.every((c) => c.state !== 'connected'), 'the uplink notices the outage');
    const noticed = { telemetry: load.telemetry, alerts: load.alerts };
    await waitUntil(() => load.telemetry >= noticed.telemetry + 150, '150 more telemetry batches during the outage', 30_000);
    const buffered = uplink.health().buffer;
    expect(buffered.byClass.alert.messages).toBeGreaterThan(0);
    expect(uplink.health().channels.map((c) => c.problem)).toEqual(['broker-unreachable', 'broker-unreachable']);

    const replayFrom = consumer.messages.length;
    const atRestart = { telemetry: load.telemetry, alerts: load.alerts };
    await broker.start();
    await waitUntil(() => uplink.health().channels.every((c) => c.replay?.finishedAt !== null && c.connects === 2), 'the backlog is replayed', 20_000);
    load.stop();
    const produced = { telemetry: load.telemetry, alerts: load.alerts };
    const sparkplugValues = () =>
      consumer.messages.filter((m) => m.topic.includes('/DDATA/')).flatMap((m) => spb.decodePayload(m.payload).metrics!.filter((x) => x.type === 'Double').map((x) => x.value as number));
    await consumer.until(
      () => new Set(json().flatMap((m) => m.samples?.map((s) => s.value) ?? [])).size === produced.telemetry && new Set(sparkplugValues()).size === produced.telemetry,
      'every sample, in both formats',
      20_000,
    );
    await consumer.until(() => new Set(json().flatMap((m) => (m.event ? [m.event.id] : []))).size === produced.alerts, 'every alert transition');

    const telemetry = firstAppearances(json().flatMap((m) => m.samples?.map((s) => s.value) ?? []));
    const alerts = firstAppearances(json().flatMap((m) => (m.event ? [m.event.id] : [])));
    expect(telemetry.order).toEqual(range(1, produced.telemetry));
    expect(alerts.order).toEqual(range(1, produced.alerts));
    // At-least-once: only what was unacknowledged when the connection broke comes twice: the uplink's
    // (at most maxInFlight per format) and the broker's own QoS 1 messages in flight to the consumer.
    expect(telemetry.duplicates + alerts.duplicates).toBeLessThanOrEqual(MAX_IN_FLIGHT + BROKER_IN_FLIGHT);
    expect(firstAppearances(sparkplugValues()).order).toEqual(range(1, produced.telemetry));

    // Replay: every alert buffered during the outage reached the broker before any buffered telemetry.
    const afterRestart = consumer.messages.slice(replayFrom).filter((m) => m.topic.startsWith('millwright/')).map((m) => JSON.parse(m.payload.toString()) as JsonMessage);
    const lastBufferedAlert = afterRestart.findLastIndex((m) => m.event !== undefined && m.event.id > noticed.alerts && m.event.id <= atRestart.alerts);
    const firstBufferedSample = afterRestart.findIndex((m) => m.samples?.some((s) => s.value > noticed.telemetry));
    expect(atRestart.alerts).toBeGreaterThan(noticed.alerts);
    expect(lastBufferedAlert).toBeGreaterThanOrEqual(0);
    expect(lastBufferedAlert).toBeLessThan(firstBufferedSample);

    const health = uplink.health();
    expect(health.buffer.droppedTotal).toBe(0);
    const [jsonReplay] = health.channels.map((c) => c.replay!);
    // 150 ticks of the load: at least 37 alert events, and the telemetry gathered into a few messages.
    expect(jsonReplay!.backlog).toBeGreaterThanOrEqual(37);
    expect(jsonReplay!.sent).toBeGreaterThanOrEqual(jsonReplay!.backlog - MAX_IN_FLIGHT);
    console.info(
      `[uplink outage figures] outage ${atRestart.telemetry - noticed.telemetry} samples and ${atRestart.alerts - noticed.alerts} alert events, ` +
        `buffered as ${buffered.messages} messages in two formats (${(buffered.bytes / 1024).toFixed(0)} KiB) when measured; ` +
        health.channels.map((c) => `${c.format}: replayed ${c.replay!.sent} messages in ${c.replay!.finishedAt! - c.replay!.startedAt} ms`).join('; '),
    );
  }, 120_000);

  it('drops the oldest telemetry past its bounds, counts every drop, and still delivers every alert transition', async () => {
    const broker = await startTestBroker();
    cleanups.push(() => broker.stop());
    const network = await startTcpCut(broker.url);
    cleanups.push(() => network.close());
    const folder = tempFolder('uplink-bounds');
    cleanups.push(() => folder.remove());
    const consumer = await MessageRecorder.connect(broker.url, ['millwright/#']);
    cleanups.push(() => consumer.close());
    const uplink = new MqttUplink(uplinkSettings(network.url, folder.path, { buffer: { maxMessages: 150 }, telemetry: { batchIntervalMs: 0 } }), { assets: TEST_ASSETS });
    cleanups.push(() => uplink.stop());
    await uplink.start();
    const load = new SteadyLoad(uplink);

    network.refuse();
    await waitUntil(() => !uplink.health().connected, 'the uplink notices the outage');
    for (let i = 0; i < 400; i++) load.tick();
    const health = uplink.health();
    expect(health.buffer).toMatchObject({ messages: 150, byClass: { alert: { messages: 100 }, telemetry: { messages: 50 } } });
    expect(health.buffer.dropped.telemetry).toEqual({ expired: 0, full: 350, 'memory-full': 0 });
    expect(health.buffer.dropped.alert.full).toBe(0);

    network.heal();
    const json = () => consumer.messages.filter((m) => !m.topic.endsWith('/status')).map((m) => JSON.parse(m.payload.toString()) as JsonMessage);
    await consumer.until(() => json().length >= 150, 'the 150 buffered messages');
    const telemetry = firstAppearances(json().flatMap((m) => m.samples?.map((s) => s.value) ?? []));
    const alerts = firstAppearances(json().flatMap((m) => (m.event ? [m.event.id] : [])));
    expect(alerts.order).toEqual(range(1, 100));
    expect(telemetry.order).toEqual(range(351, 400));
    expect(json().findLastIndex((m) => m.event)).toBeLessThan(json().findIndex((m) => m.samples));
  });
});
