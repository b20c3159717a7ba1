import { afterEach, describe, expect, it } from 'vitest';
import type { Sample } from '../../../gateway/sample.js';
import { MqttUplink } from '../../../gateway/uplink/mqtt-uplink.js';
import type { UplinkConfig } from '../../../gateway/uplink/uplink-config.js';
import { tempFolder } from '../../support/temp-folder.js';
import { waitUntil } from '../../support/wait-until.js';
import { MessageRecorder } from './fixtures/message-recorder.js';
import { startTestBroker, type TestBroker } from './fixtures/test-broker.js';
import { TEST_ASSETS, uplinkSettings } from './fixtures/uplink-settings.js';

interface TelemetryMessage {
  id: string;
  box: string;
  seq: number;
  asset: string;
  samples: { signal: string; ts: number; value: number | null; quality: string; window?: Record<string, number | null> }[];
}

const T0 = 1_700_000_000_000;
const sample = (asset: string, signal: string, value: number, ts = T0, quality: Sample['quality'] = 'good'): Sample => ({ asset, signal, value, ts, quality, source: 'plc' });

describe('MqttUplink, JSON topics', () => {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function setup(overrides: Partial<UplinkConfig> = {}, brokerOptions?: Parameters<typeof startTestBroker>[0]) {
    const broker = await startTestBroker(brokerOptions);
    cleanups.push(() => broker.stop());
    const folder = tempFolder('uplink');
    cleanups.push(() => folder.remove());
    const recorder = await MessageRecorder.connect(broker.url, ['millwright/#']);
    cleanups.push(() => recorder.close());
    const uplink = new MqttUplink(uplinkSettings(broker.url, folder.path, overrides), { assets: TEST_ASSETS });
    cleanups.push(() => uplink.stop());
    return { broker, recorder, uplink, folder };
  }

  it('publishes telemetry, findings and alert transitions on the topic tree, each with a unique increasing id', async () => {
    const { recorder, uplink } = await setup();
    await uplink.start();
    expect(uplink.health()).toMatchObject({ box: 'edge-1', connected: true, channels: [{ format: 'json', clientId: 'millwright-edge-1', state: 'connected' }] });

    uplink.publishTelemetry([sample('pump-01', 'flow', 131.5), sample('pump-01', 'vibration_de', Number.NaN, T0 + 1, 'bad'), sample('meter-01', 'power', 42)]);
    const finding = { asset: 'pump-01', model: 'pump-ae', ts: T0, score: 9.5, threshold: 4, anomalous: true, contributions: { flow: 1.5, vibration_de: 8 } };
    uplink.publishFinding(finding);
    const activated = { id: 7, ts: T0, type: 'activated', asset: 'pump-01', conditionId: 'pump-01/limit/flow.low', toState: 'active-unacked', alertId: 3 };
    uplink.publishAlertEvent(activated);
    uplink.publishAlertEvent({ id: 8, ts: T0, type: 'flood-started', asset: null, conditionId: null, toState: null });

    const base = 'millwright/Millbrook';
    await recorder.until(() => recorder.messages.filter((m) => !m.topic.endsWith('/status')).length >= 5, 'five messages');
    const topics = recorder.messages.map((m) => m.topic);
    expect(topics).toEqual(
      expect.arrayContaining([
        `${base}/_box/edge-1/status`,
        `${base}/Utilities/pump-01/telemetry`,
        `${base}/Line-2-Packing/meter-01/telemetry`,
        `${base}/Utilities/pump-01/findings`,
        `${base}/Utilities/pump-01/alerts`,
        `${base}/_box/edge-1/alerts`,
      ]),
    );
    expect(JSON.parse(recorder.on(`${base}/_box/edge-1/status`)[0]!.payload.toString())).toMatchObject({ box: 'edge-1', site: 'Millbrook', state: 'online' });

    const [pump] = recorder.json<TelemetryMessage>('/pump-01/telemetry');
    expect(pump).toMatchObject({
      box: 'edge-1',
      asset: 'pump-01',
      samples: [
        { signal: 'flow', ts: T0, value: 131.5, quality: 'good' },
        { signal: 'vibration_de', ts: T0 + 1, value: null, quality: 'bad' },
      ],
    });
    expect(pump!.id).toBe(`edge-1:${pump!.seq}`);
    const [findingMessage] = recorder.json<{ finding: Record<string, unknown> }>('/findings');
    expect(findingMessage!.finding).toMatchObject({ model: 'pump-ae', score: 9.5, contributions: { flow: 1.5, vibration_de: 8 } });
    const [alert] = recorder.json<{ event: Record<string, unknown>; asset: string }>('/pump-01/alerts');
    expect(alert).toMatchObject({ asset: 'pump-01', event: { id: 7, type: 'activated', alertId: 3, toState: 'active-unacked' } });

    const ids = recorder.messages.filter((m) => !m.topic.endsWith('/status')).map((m) => JSON.parse(m.payload.toString()) as { id: string; seq: number });
    expect(new Set(ids.map((m) => m.id)).size).toBe(ids.length);
    await waitUntil(() => uplink.health().buffer.messages === 0, 'every acknowledged message has left the buffer');
    expect(uplink.health()).toMatchObject({ accepted: { telemetry: 2, finding: 1, alert: 2 }, channels: [{ published: 5, inFlight: 0 }] });
  });

  it('thins telemetry per signal: every Nth sample, and period windows with last, min, max, mean and count', async () => {
    const { recorder, uplink } = await setup({ telemetry: { downsample: { every: 3 }, signals: [{ match: 'pump-01/vibration_*', periodSeconds: 1 }] } });
    await uplink.start();
    uplink.publishTelemetry([1, 2, 3, 4, 5, 6, 7].map((v, i) => sample('pump-01', 'flow', v, T0 + i * 100)));
    uplink.publishTelemetry([sample('pump-01', 'flow', 8, T0 + 700, 'uncertain')]);
    uplink.publishTelemetry([1, 5, 3].map((v, i) => sample('pump-01', 'vibration_de', v, T0 + i * 100)));
    uplink.publishTelemetry([sample('pump-01', 'vibration_de', 2, T0 + 1000)]);

    await recorder.until(() => recorder.json<TelemetryMessage>('/telemetry').flatMap((m) => m.samples).length >= 5, 'five points');
    const points = recorder.json<TelemetryMessage>('/telemetry').flatMap((m) => m.samples);
    expect(points.filter((p) => p.signal === 'flow').map((p) => [p.value, p.quality])).toEqual([
      [1, 'good'],
      [4, 'good'],
      [7, 'good'],
      [8, 'uncertain'],
    ]);
    expect(points.find((p) => p.signal === 'vibration_de')).toEqual({
      signal: 'vibration_de',
      ts: T0 + 200,
      value: 3,
      quality: 'good',
      window: { from: T0, to: T0 + 1000, min: 1, max: 5, mean: 3, count: 3 },
    });
    expect(uplink.health().samplesDownsampled).toBe(4 + 2);
  });

  it('leaves a retained "offline" status when it stops', async () => {
    const { broker, uplink } = await setup();
    await uplink.start();
    await uplink.stop();
    const late = await MessageRecorder.connect(broker.url, ['millwright/Millbrook/_box/+/status']);
    cleanups.push(() => late.close());
    await late.until(() => late.messages.length > 0, 'the retained status');
    expect(late.messages[0]!.retain).toBe(true);
    expect(JSON.parse(late.messages[0]!.payload.toString())).toMatchObject({ box: 'edge-1', state: 'offline', reason: 'stopped' });
    uplink.publishAlertEvent({ id: 1, ts: T0, type: 'activated', asset: 'pump-01', conditionId: 'c', toState: 'active-unacked' });
    expect(uplink.health().rejected.stopped).toBe(1);
  });

  it('keeps at most maxInFlight messages unacknowledged, and never publishes faster than maxMessagesPerSecond', async () => {
    const held: (() => void)[] = [];
    let hold = true;
    const { recorder, uplink } = await setup(
      { publish: { maxInFlight: 5, maxMessagesPerSecond: 200 } },
      {
        authorizePublish: (client, _packet, callback) => {
          if (hold && client?.id === 'millwright-edge-1') held.push(() => callback(null));
          else callback(null);
        },
      },
    );
    for (let i = 0; i < 60; i++) uplink.publishAlertEvent({ id: i + 1, ts: T0 + i, type: 'activated', asset: 'pump-01', conditionId: `c${i}`, toState: 'active-unacked' });
    let maxInFlight = 0;
    const sampler = setInterval(() => (maxInFlight = Math.max(maxInFlight, uplink.health().channels[0]?.inFlight ?? 0)), 1);
    cleanups.push(() => clearInterval(sampler));
    await uplink.start();
    await waitUntil(() => uplink.health().channels[0]?.inFlight === 5, 'five messages in flight');
    expect(uplink.health().buffer.messages).toBe(60);

    hold = false;
    const startedAt = performance.now();
    for (const release of held.splice(0)) release();
    await recorder.until(() => recorder.json('/alerts').length >= 60, 'all 60 alert events');
    const elapsedMs = performance.now() - startedAt;
    clearInterval(sampler);
    expect(maxInFlight).toBe(5);
    // 55 messages after the first five, with a burst of 10 tokens at 200/s: at least 225 ms.
    expect(elapsedMs).toBeGreaterThanOrEqual(200);
    expect(recorder.json<{ event: { id: number } }>('/alerts').map((m) => m.event.id)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
  });
});
