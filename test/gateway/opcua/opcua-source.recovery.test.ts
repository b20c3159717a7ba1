import { OPCUAClientBase } from 'node-opcua';
import { afterEach, describe, expect, it } from 'vitest';
import { OpcuaSource } from '../../../gateway/opcua/opcua-source.js';
import type { OpcuaSourceConfig } from '../../../gateway/opcua/opcua-source-config.js';
import { prepareChildServer, startChildServer, type ChildServer } from './fixtures/child-server.js';
import { freePort } from '../../support/free-port.js';
import { PLANT_NODE } from './fixtures/plant-address-space.js';
import { SampleRecorder } from './fixtures/sample-recorder.js';
import { tempFolder } from '../../support/temp-folder.js';
import { waitUntil } from '../../support/wait-until.js';

/** The product goal is 3 s from "server reachable" to "data flowing"; the test allows for a loaded CI box. */
const RECOVERY_BOUND_MS = 10_000;

/** Default subscription and reconnection settings: the recovery measured here is what a user gets. */
function config(endpoint: string): OpcuaSourceConfig {
  return {
    id: 'plc-recovery',
    kind: 'opcua',
    endpoint,
    nodes: [
      { nodeId: PLANT_NODE.flow, asset: 'pump-01', signal: 'flow' },
      { nodeId: PLANT_NODE.running, asset: 'pump-01', signal: 'running' },
    ],
  };
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tcpSocketCount(): number {
  return process.getActiveResourcesInfo().filter((kind) => kind === 'TCPSocketWrap').length;
}

/** ms from "server listening" to the first sample it delivers (only a live server can deliver one). */
async function firstSampleAfter(server: ChildServer, since: number, recorder: SampleRecorder): Promise<number> {
  const first = await recorder.waitForSignal('pump-01', 'flow', undefined, { since, timeoutMs: RECOVERY_BOUND_MS });
  const arrival = recorder.arrivals[recorder.samples.indexOf(first)] ?? Number.NaN;
  return Math.max(0, arrival - server.listeningAt);
}

/**
 * Each cycle stops the server (SIGKILL, or SIGTERM for a graceful shutdown), keeps it down for `downMs`, then
 * starts a new server process on the same port. The replacement processes are prepared beforehand (all at
 * once, as each takes seconds to load node-opcua), so the outage is what the cycle says. 3 s of outage lets the
 * reconnection back-off reach its 2 s maximum: the slowest case for a short outage.
 */
const CYCLES = [
  { how: 'kill', downMs: 0 },
  { how: 'kill', downMs: 3000 },
  { how: 'kill', downMs: 0 },
  { how: 'graceful', downMs: 0 },
] as const;

describe('OpcuaSource recovery', () => {
  it('recovers on its own after the server is killed and restarted, cycle after cycle, and after a graceful restart', async () => {
    const pki = tempFolder('opcua-recovery');
    cleanups.push(() => pki.remove());
    const serverOptions = { pkiFolder: `${pki.path}/server` };
    let server = await startChildServer(serverOptions);
    cleanups.push(() => server.kill());
    const standbys = CYCLES.map(() => prepareChildServer({ ...serverOptions, port: server.port }));
    cleanups.push(() => Promise.allSettled(standbys.map(async (standby) => (await standby).kill())).then(() => undefined));
    const socketsBefore = tcpSocketCount();
    const recorder = new SampleRecorder();
    const source = new OpcuaSource(config(server.endpoint), { pkiFolder: `${pki.path}/client` });
    cleanups.push(() => source.stop());
    await source.start(recorder.emit);
    await recorder.waitForSignal('pump-01', 'flow');

    const recoveries: string[] = [];
    for (const [index, { how, downMs }] of CYCLES.entries()) {
      const cycle = `cycle ${index + 1} (${how}, down ${downMs / 1000} s)`;
      const replacement = await standbys[index]!;
      await (how === 'kill' ? server.kill() : server.stop());
      await waitUntil(() => source.health().state === 'disconnected', `the source notices the outage in ${cycle}`);
      // The outage itself, not a wait for an event.
      if (downMs > 0) await new Promise((resolve) => setTimeout(resolve, downMs));
      const since = recorder.samples.length;
      server = await replacement.listen();
      const recoveryMs = await firstSampleAfter(server, since, recorder);
      recoveries.push(`${cycle}: ${Math.round(recoveryMs)} ms`);
      expect(recoveryMs, cycle).toBeLessThan(RECOVERY_BOUND_MS);
      await waitUntil(() => source.health().state === 'connected', `the source reports connected again after ${cycle}`);
    }
    console.info(`[opcua recovery] from "server listening" to the first sample: ${recoveries.join('; ')}`);

    const health = source.health();
    expect(health.reconnects).toBe(CYCLES.length);
    expect(health.state).toBe('connected');
    // One live client: the repairs left nothing behind.
    await waitUntil(() => OPCUAClientBase.registry.count() === 1, 'one OPC UA client is left');

    await source.stop();
    expect(OPCUAClientBase.registry.count()).toBe(0);
    expect(tcpSocketCount()).toBeLessThanOrEqual(socketsBefore);
  }, 120_000);

  it('starts while the server is down and connects as soon as it is up', async () => {
    const pki = tempFolder('opcua-late-server');
    cleanups.push(() => pki.remove());
    const port = await freePort();
    const recorder = new SampleRecorder();
    const source = new OpcuaSource(config(`opc.tcp://127.0.0.1:${port}`), { pkiFolder: `${pki.path}/client` });
    cleanups.push(() => source.stop());

    await source.start(recorder.emit);
    expect(source.health().state).toBe('connecting');
    expect(source.health().lastError).toMatch(/nothing accepts connections at opc\.tcp:\/\/127\.0\.0\.1:\d+ \(connection refused\)/);

    const since = recorder.samples.length;
    const server = await startChildServer({ port, pkiFolder: `${pki.path}/server` });
    cleanups.push(() => server.kill());
    const recoveryMs = await firstSampleAfter(server, since, recorder);
    console.info(`[opcua recovery] ms from "server listening" to first sample, source started before the server: ${Math.round(recoveryMs)}`);
    expect(recoveryMs).toBeLessThan(RECOVERY_BOUND_MS);
    expect(source.health()).toMatchObject({ state: 'connected', reconnects: 0 });
  }, 60_000);
});
