import { OPCUAClientBase } from 'node-opcua';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpcuaSource } from '../../../gateway/opcua/opcua-source.js';
import { startFixtureServer, type FixtureServer } from './fixtures/fixture-server.js';
import { startPausableTcpProxy, type PausableTcpProxy } from './fixtures/pausable-tcp-proxy.js';
import { PLANT_NODE } from './fixtures/plant-address-space.js';
import { SampleRecorder } from './fixtures/sample-recorder.js';
import { tempFolder } from '../../support/temp-folder.js';
import { waitUntil } from '../../support/wait-until.js';

const pki = tempFolder('opcua-stall');
let server: FixtureServer;
let proxy: PausableTcpProxy;
let source: OpcuaSource;
const recorder = new SampleRecorder();

beforeAll(async () => {
  server = await startFixtureServer({ pkiFolder: `${pki.path}/server`, tickMs: 100 });
  proxy = await startPausableTcpProxy(server.port);
  source = new OpcuaSource(
    {
      id: 'plc-stall',
      kind: 'opcua',
      endpoint: `opc.tcp://127.0.0.1:${proxy.port}`,
      // A keep-alive every 100 ms × 5 = 0.5 s: the watchdog gives up on silence after 2 × 0.5 + 1 = 2 s.
      subscription: { publishingInterval: 100, keepAliveCount: 5 },
      nodes: [{ nodeId: PLANT_NODE.flow, asset: 'pump-01', signal: 'flow' }],
    },
    { pkiFolder: `${pki.path}/client` },
  );
  await source.start(recorder.emit);
});

afterAll(async () => {
  proxy?.resume();
  await source?.stop();
  await proxy?.close();
  await server?.stop();
  pki.remove();
});

describe('OpcuaSource watchdog', () => {
  it('notices a connection that stays open but carries nothing, replaces it, and delivers again once the network is back', async () => {
    await recorder.waitForSignal('pump-01', 'flow');
    expect(server.server.currentSubscriptionCount).toBe(1);

    proxy.pause();
    await waitUntil(() => source.health().watchdogRebuilds >= 1, 'the watchdog notices the silence');
    expect(source.health().state).toBe('disconnected');
    expect(source.health().lastError).toMatch(/no notification or keep-alive for \d+\.\d s \(the server promised one at least every 0\.5 s\)/);
    // Rebuilding the subscription over the same dead connection fails too: the whole client is replaced.
    await waitUntil(() => /^replacing the connection: .*rebuilding the subscription failed/.test(source.health().lastError ?? ''), 'the link is replaced');

    const since = recorder.samples.length;
    const resumedAt = performance.now();
    proxy.resume();
    const first = await recorder.waitForSignal('pump-01', 'flow', undefined, { since, timeoutMs: 15_000 });
    const recoveryMs = (recorder.arrivals[recorder.samples.indexOf(first)] ?? Number.NaN) - resumedAt;
    console.info(`[opcua stall] ms from "network back" to the first sample: ${Math.round(recoveryMs)}`);

    await waitUntil(() => source.health().state === 'connected', 'the source reports connected again');
    expect(source.health().reconnects).toBeGreaterThanOrEqual(1);
    // The replaced client closes its session once its goodbye gets through: nothing piles up on either side.
    await waitUntil(() => OPCUAClientBase.registry.count() === 1, 'the replaced client is gone');
    await waitUntil(() => server.server.currentSessionCount === 1, 'the server holds one session');
    expect(server.server.currentSubscriptionCount).toBe(1);
  }, 60_000);

  it('rebuilds a subscription the server dropped without a word, on the same connection', async () => {
    await waitUntil(() => source.health().state === 'connected', 'the source is connected');
    const before = source.health();
    const [session, ...otherSessions] = server.server.engine.getSessions();
    expect(otherSessions).toEqual([]);
    const [subscription] = session?.publishEngine.subscriptions ?? [];
    expect(subscription).toBeDefined();

    session!.deleteSubscription(subscription!.id);
    const since = recorder.samples.length;
    await waitUntil(() => source.health().watchdogRebuilds > before.watchdogRebuilds, 'the watchdog notices the silence');
    await recorder.waitForSignal('pump-01', 'flow', undefined, { since, timeoutMs: 15_000 });
    await waitUntil(() => source.health().state === 'connected', 'the source reports connected again');

    const after = source.health();
    expect(after.watchdogRebuilds).toBe(before.watchdogRebuilds + 1);
    expect(after.lastError).toMatch(/^no notification or keep-alive for/);
    // Same connection and session: no reconnect, a new subscription in place of the dropped one.
    expect(after.reconnects).toBe(before.reconnects);
    expect(server.server.engine.getSessions()).toEqual([session]);
    expect(session!.publishEngine.subscriptions.map((s) => s.id)).not.toContain(subscription!.id);
    expect(server.server.currentSubscriptionCount).toBe(1);
  }, 30_000);
});
