import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import path from 'node:path';
import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sparkplugPayload from 'sparkplug-payload';
import { withDemoOverrides } from '../../edge/cli/demo-command.js';
import { ConfigError } from '../../edge/config/config-error.js';
import { configFromObject, loadConfigFile } from '../../edge/config/load-config.js';
import { EdgeRuntime } from '../../edge/edge-runtime.js';
import { DEMO_CONFIG_FILE } from '../../edge/package-paths.js';
import { silentLogger } from '../../gateway/logger.js';
import type { UplinkHealth } from '../../gateway/uplink/mqtt-uplink.js';
import { startSimulators, type SimulatorsHandle } from '../../simulators/run-simulators.js';
import { MessageRecorder } from '../gateway/uplink/fixtures/message-recorder.js';
import { freePort } from '../support/free-port.js';
import { tempFolder } from '../support/temp-folder.js';
import { waitUntil } from '../support/wait-until.js';
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

interface HealthView {
  readonly status: string;
  readonly problems: string[];
  readonly uplink: UplinkHealth;
}

async function consoleViews(edge: EdgeRuntime): Promise<{ health: HealthView; metrics: string }> {
  const url = edge.console!.url;
  const login = await fetch(`${url}/api/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'viewer', password: PASSWORD('viewer') }) });
  const { token } = (await login.json()) as { token: string };
  const health = (await (await fetch(`${url}/api/health`, { headers: { authorization: `Bearer ${token}` } })).json()) as HealthView;
  return { health, metrics: await (await fetch(`${url}/metrics`)).text() };
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
  }, 60_000);
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

    expect(edge.endpoints()).toContainEqual({ name: 'uplink (json) publishes to', url: edge.brokerUrl });
    const { health, metrics } = await consoleViews(edge);
    expect(health.uplink).toMatchObject({ connected: true, target: edge.brokerUrl, buffer: { status: 'disk', file: expect.stringContaining(data.path) } });
    expect(health.uplink.channels[0]!.published).toBeGreaterThanOrEqual(2);
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

describe('uplink to a broker that never answers', () => {
  it('does not hold up the box\'s start: it keeps connecting in the background', async () => {
    const data = tempFolder('edge-uplink-silent');
    const held = new Set<Socket>();
    let closedByClient = 0;
    const silent = createServer((socket) => {
      held.add(socket);
      socket.on('error', () => undefined);
      socket.once('close', () => (closedByClient += 1));
    });
    silent.listen(0, '127.0.0.1');
    await once(silent, 'listening');
    const url = `mqtt://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    let edge: EdgeRuntime | undefined;
    try {
      edge = await EdgeRuntime.create(config(data.path, { uplink: { url, boxId: 'edge-1' } }), silentLogger);
      // Waiting for the first attempt would have meant waiting for its 10 s CONNACK timeout, which closes the socket.
      expect(closedByClient).toBe(0);
      expect(edge.uplink!.health().channels[0]).toMatchObject({ state: 'connecting', connects: 0, lastError: null });
    } finally {
      await edge?.stop();
      for (const socket of held) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
      data.remove();
    }
  });
});

describe('uplink of a box whose buffer folder cannot be written', () => {
  const data = tempFolder('edge-uplink-unwritable');
  let edge: EdgeRuntime;
  afterAll(async () => {
    await edge?.stop();
    data.remove();
  });

  it('publishes live from memory and shows the condition in health and metrics', async () => {
    writeFileSync(path.join(data.path, 'blocker'), 'a file where the buffer folder should be');
    const uplink = { url: 'embedded', boxId: 'edge-1', telemetry: { batchIntervalMs: 0 }, buffer: { file: 'blocker/uplink.db' } };
    edge = await EdgeRuntime.create(config(data.path, { console: { port: 0, users: await testUsers() }, uplink }), silentLogger);
    const north = await MessageRecorder.connect(edge.brokerUrl!, ['millwright/#']);
    await edge.startSources();
    const publisher = await connectAsync(edge.brokerUrl!);
    try {
      await publisher.publishAsync('plant/pump-01/flow', '42', { qos: 1 });
      await north.until(() => north.messages.some((m) => m.topic.endsWith('/pump-01/telemetry')), 'the flow sample north, from memory');
    } finally {
      await publisher.endAsync();
      await north.close();
    }

    const { health, metrics } = await consoleViews(edge);
    expect(health.status).toBe('degraded');
    expect(health.problems).toContainEqual(expect.stringMatching(/^uplink buffer is in memory only: uplink buffer .*blocker\/uplink\.db: could not open the file: .*A file stands where the buffer's folder should be/));
    expect(health.uplink.buffer).toMatchObject({ status: 'memory', inMemory: 0, lastError: { code: 'EEXIST' } });
    expect(health.uplink.buffer.writeFailures).toBeGreaterThan(0);
    expect(health.uplink.connected).toBe(true);
    expect(metrics).toContain('millwright_uplink_buffer_on_disk 0');
    expect(metrics).toMatch(/millwright_uplink_buffer_write_failures_total [1-9]/);
  }, 60_000);
});

/** The demo as `npm start` runs it, at speed 10: it publishes north to its own broker. */
describe('uplink of the demo', () => {
  const data = tempFolder('demo-uplink');
  const spb = sparkplugPayload.get('spBv1.0')!;
  let edge: EdgeRuntime;
  let simulators: SimulatorsHandle;
  let north: MessageRecorder;

  beforeAll(async () => {
    const plcPort = await freePort();
    const demo = withDemoOverrides(await loadConfigFile(DEMO_CONFIG_FILE), { seed: 3, speed: 10, plcPort, mqttPort: 0, consolePort: 0, dataDir: data.path });
    // Every finding, so the path from detection to the uplink shows without waiting for a fault.
    edge = await EdgeRuntime.create({ ...demo, statusIntervalSeconds: 0, uplink: { ...demo.uplink!, findings: 'all' } }, silentLogger);
    north = await MessageRecorder.connect(edge.brokerUrl!, ['uns/#', 'spBv1.0/#']);
    simulators = await startSimulators({ plcPort, mqttUrl: edge.brokerUrl!, seed: 3, speed: 10, pkiFolder: `${data.path}/pki/simulator`, logger: silentLogger });
    await edge.startSources();
  }, 90_000);
  afterAll(async () => {
    await north?.close();
    await edge?.stop();
    await simulators?.stop();
    data.remove();
  });

  it('sends downsampled telemetry and the models\' findings as JSON under uns/ and as Sparkplug B', async () => {
    expect(edge.config.uplink).toMatchObject({ url: 'embedded', topicPrefix: 'uns', boxId: 'demo-edge', buffer: { file: path.join(data.path, 'uplink.db') } });
    const base = 'uns/Millbrook/Utilities/pump-01';
    await north.until(() => north.messages.some((m) => m.topic === `${base}/findings`), 'a finding of the pump\'s model', 60_000);
    const [finding] = north.json<{ id: string; finding: { model: string; score: number } }>(`${base}/findings`);
    expect(finding).toMatchObject({ id: expect.stringMatching(/^demo-edge:\d+$/), finding: { model: 'centrifugal-pump', score: expect.any(Number) } });
    await north.until(() => north.messages.some((m) => m.topic === `${base}/telemetry`), 'a telemetry window of the pump', 30_000);
    const [telemetry] = north.json<{ samples: { signal: string; window?: { count: number; min: number; max: number } }[] }>(`${base}/telemetry`);
    expect(telemetry!.samples.find((s) => s.signal === 'flow')?.window).toMatchObject({ count: expect.any(Number), min: expect.any(Number), max: expect.any(Number) });

    const births = north.messages.filter((m) => m.topic === 'spBv1.0/Millbrook/DBIRTH/demo-edge/pump-01').map((m) => spb.decodePayload(m.payload));
    expect(births[0]!.metrics!.find((metric) => metric.name === 'flow')).toMatchObject({ type: 'Double', properties: { engUnit: { value: 'm³/h' } } });
    await waitUntil(() => north.messages.some((m) => m.topic === 'spBv1.0/Millbrook/DDATA/demo-edge/pump-01'), 'DDATA of the pump', 30_000);
    expect(edge.uplink!.health()).toMatchObject({ connected: true, buffer: { status: 'disk', droppedTotal: 0 } });
  }, 120_000);
});
