import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../edge/config/config-error.js';
import { configFromObject } from '../../edge/config/load-config.js';
import { EdgeRuntime } from '../../edge/edge-runtime.js';
import { silentLogger } from '../../gateway/logger.js';
import { MessageRecorder } from '../gateway/uplink/fixtures/message-recorder.js';
import { tempFolder } from '../support/temp-folder.js';
import { PASSWORD, testUsers } from './console/fixtures/console-harness.js';

const ASSETS = { 'pump-01': { kind: 'pump', line: 'Utilities', signals: { flow: { unit: 'm³/h', limits: { low: 60 } } } } };

function config(dataDir: string, extra: Record<string, unknown>) {
  return configFromObject(
    {
      site: 'Millbrook',
      dataDir,
      statusIntervalSeconds: 0,
      embeddedBroker: { port: 0 },
      alerts: { delays: { byKind: { limit: { onSeconds: 0 } } } },
      sources: [{ id: 'sensors', kind: 'mqtt', url: 'embedded', mappings: [{ topic: 'plant/pump-01/flow', asset: 'pump-01', signal: 'flow', value: '$' }] }],
      assets: ASSETS,
      ...extra,
    },
    '<test>',
    dataDir,
  );
}

/** The uplink as the box runs it: configured in the file, started by EdgeRuntime, fed by the bus and the alert engine, shown in health and metrics. */
describe('uplink in the edge runtime', () => {
  const data = tempFolder('edge-uplink');
  let edge: EdgeRuntime;
  let publisher: MqttClient;
  let north: MessageRecorder;

  beforeAll(async () => {
    const users = await testUsers();
    edge = await EdgeRuntime.create(config(data.path, { console: { port: 0, users }, uplink: { url: 'embedded', boxId: 'edge-1', telemetry: { batchIntervalMs: 0 } } }), silentLogger);
    north = await MessageRecorder.connect(edge.brokerUrl!, ['millwright/#']);
    await edge.startSources();
    publisher = await connectAsync(edge.brokerUrl!);
  });
  afterAll(async () => {
    await publisher?.endAsync();
    await north?.close();
    await edge?.stop();
    data.remove();
  });

  it('publishes the bus\'s telemetry and the alert it raises on the topic tree, and reports itself in health and metrics', async () => {
    await publisher.publishAsync('plant/pump-01/flow', '42', { qos: 1 });
    const base = 'millwright/Millbrook/Utilities/pump-01';
    await north.until(() => north.json<{ samples: { value: number }[] }>(`${base}/telemetry`).some((m) => m.samples.some((s) => s.value === 42)), 'the flow sample north');
    await north.until(() => north.json<{ event: { type: string } }>(`${base}/alerts`).some((m) => m.event.type === 'activated'), 'the low-flow alert north', 15_000);
    const [alert] = north.json<{ id: string; box: string; event: { conditionId: string } }>(`${base}/alerts`);
    expect(alert).toMatchObject({ id: expect.stringMatching(/^edge-1:\d+$/), box: 'edge-1', event: { conditionId: 'pump-01/limit/flow.low' } });

    const url = edge.console!.url;
    const login = await fetch(`${url}/api/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'viewer', password: PASSWORD('viewer') }) });
    const { token } = (await login.json()) as { token: string };
    const health = (await (await fetch(`${url}/api/health`, { headers: { authorization: `Bearer ${token}` } })).json()) as { status: string; uplink: { connected: boolean; target: string; buffer: { status: string; file: string }; channels: { format: string; published: number }[] } };
    expect(health.uplink).toMatchObject({ connected: true, target: edge.brokerUrl, buffer: { status: 'disk', file: expect.stringContaining(data.path) } });
    expect(health.uplink.channels[0]!.published).toBeGreaterThanOrEqual(2);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toContain('millwright_uplink_connected{format="json"} 1');
    expect(metrics).toMatch(/millwright_uplink_published_total\{format="json"\} [1-9]/);
    expect(metrics).toContain('millwright_uplink_dropped_total{class="telemetry",reason="full"} 0');
  });
});

describe('uplink configuration in the file', () => {
  it('refuses url "embedded" without an embedded broker, naming the key', () => {
    const data = tempFolder('edge-uplink-config');
    try {
      const file = { dataDir: data.path, sources: [{ id: 'sensors', kind: 'mqtt', url: 'mqtt://127.0.0.1:1', mappings: [{ topic: 't', asset: 'pump-01', signal: 'flow', value: '$' }] }], assets: ASSETS, uplink: { url: 'embedded' } };
      expect(() => configFromObject(file, '<test>', data.path)).toThrow(ConfigError);
      expect(() => configFromObject(file, '<test>', data.path)).toThrow(/uplink\.url.*needs an embeddedBroker section/s);
      expect(() => configFromObject({ ...file, uplink: { url: 'mqtt://127.0.0.1:1883', bufer: {} } }, '<test>', data.path)).toThrow(/uplink/);
    } finally {
      data.remove();
    }
  });
});
