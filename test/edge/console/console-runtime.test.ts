import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EdgeRuntime } from '../../../edge/edge-runtime.js';
import { silentLogger } from '../../../gateway/logger.js';
import { onePumpBoxConfig } from '../../support/one-pump-box.js';
import { tempFolder } from '../../support/temp-folder.js';
import { PASSWORD } from './fixtures/console-harness.js';
import { WsTestClient } from './fixtures/ws-test-client.js';

/** The console as the box runs it: built by EdgeRuntime from a configuration, over the embedded broker and an MQTT source. */
describe('console in the edge runtime', () => {
  const data = tempFolder('console-runtime');
  let edge: EdgeRuntime;
  let publisher: MqttClient;
  let url: string;
  let stopped = false;

  beforeAll(async () => {
    const config = await onePumpBoxConfig(data.path, '<test>');
    edge = await EdgeRuntime.create(config, silentLogger);
    await edge.startSources();
    url = edge.console!.url;
    publisher = await connectAsync(edge.brokerUrl!);
  });
  afterAll(async () => {
    await publisher?.endAsync();
    if (!stopped) await edge?.stop();
    data.remove();
  });

  it('is announced among the endpoints, and reports the box\'s sources and broker', async () => {
    expect(edge.endpoints().at(-1)).toEqual({ name: 'operator console', url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/) });
    const login = await fetch(`${url}/api/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'viewer', password: PASSWORD('viewer') }) });
    const { token } = (await login.json()) as { token: string };
    const health = (await (await fetch(`${url}/api/health`, { headers: { authorization: `Bearer ${token}` } })).json()) as { sources: { id: string }[]; broker: { url: string }; storage: { file: string } };
    expect(health.sources.map((source) => source.id)).toEqual(['sensors']);
    expect(health.broker.url).toBe(edge.brokerUrl);
    expect(health.storage.file).toContain(data.path);
    expect(edge.audit.list({ action: 'token.create' })).toHaveLength(1);
  });

  it('streams plant data and the alert it raises to a WebSocket client, and closes it with 1001 on stop', async () => {
    const token = ((await (await fetch(`${url}/api/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'operator', password: PASSWORD('operator') }) })).json()) as { token: string }).token;
    const client = await WsTestClient.connect(url, { token });
    client.send({ type: 'subscribe.signals', signals: ['pump-01/flow'] });
    client.send({ type: 'subscribe.alerts' });
    await client.next((m) => m.type === 'alerts.live', 'alerts.live');
    await publisher.publishAsync('plant/pump-01/flow', '42', { qos: 1 });
    const values = await client.next((m) => m.type === 'values' && m.values['pump-01/flow'] !== undefined, 'the flow value');
    expect(values.values['pump-01/flow'].at(-1)).toEqual([expect.any(Number), 42, 'good']);
    const alert = await client.next((m) => m.type === 'alert.event' && m.event.type === 'activated', 'the low-flow alert', { timeoutMs: 15_000 });
    expect(alert.event.alert).toMatchObject({ conditionId: 'pump-01/limit/flow.low', asset: 'pump-01' });

    await edge.stop();
    stopped = true;
    expect(await client.closed).toEqual({ code: 1001, reason: 'server shutting down' });
    await expect(fetch(`${url}/api/health`)).rejects.toThrow();
  });
});
