import { OPCUAClientBase, StatusCodes } from 'node-opcua';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpcuaSource } from '../../../gateway/opcua/opcua-source.js';
import type { OpcuaSourceConfig } from '../../../gateway/opcua/opcua-source-config.js';
import { startFixtureServer, type FixtureServer } from './fixtures/fixture-server.js';
import { memoryLogger } from './fixtures/memory-logger.js';
import { PLANT_NODE } from './fixtures/plant-address-space.js';
import { SampleRecorder } from './fixtures/sample-recorder.js';
import { tempFolder } from '../../support/temp-folder.js';
import { waitUntil } from '../../support/wait-until.js';

const pki = tempFolder('opcua-values');
let server: FixtureServer;
let source: OpcuaSource;
const recorder = new SampleRecorder();
const { logger, lines } = memoryLogger();
const startedAt = Date.now();

function config(endpoint: string): OpcuaSourceConfig {
  const pump = (signal: string, nodeId: string) => ({ nodeId, asset: 'pump-01', signal });
  return {
    id: 'plc-values',
    kind: 'opcua',
    endpoint,
    subscription: { publishingInterval: 100 },
    defaults: { samplingInterval: 50 },
    nodes: [
      pump('flow', PLANT_NODE.flow),
      pump('pressure', PLANT_NODE.pressure),
      pump('running', PLANT_NODE.running),
      pump('state', PLANT_NODE.state),
      pump('starts', PLANT_NODE.starts),
      pump('mode', PLANT_NODE.mode),
      pump('vibration', PLANT_NODE.vibration),
      pump('bearing_temperature', PLANT_NODE.temperature),
      pump('history', PLANT_NODE.history),
      pump('ghost', 'ns=1;s=pump-01.ghost'),
      pump('typo', 'pump-01 flow'),
    ],
  };
}

beforeAll(async () => {
  server = await startFixtureServer({ pkiFolder: `${pki.path}/server`, tickMs: 100 });
  source = new OpcuaSource(config(server.endpoint), { logger, pkiFolder: `${pki.path}/client` });
  await source.start(recorder.emit);
});

afterAll(async () => {
  await source?.stop();
  await server?.stop();
  pki.remove();
});

describe('OpcuaSource values end to end', () => {
  it('emits analog values with asset, signal, source, quality and the server timestamp, in batches', async () => {
    const first = await recorder.waitForSignal('pump-01', 'flow');
    const later = await recorder.waitFor((s) => s.signal === 'flow' && s.ts > first.ts, 'pump-01/flow after the next tick');
    for (const flow of [first, later]) {
      expect(flow).toMatchObject({ asset: 'pump-01', signal: 'flow', source: 'plc-values', quality: 'good' });
      expect(Number.isFinite(flow.value)).toBe(true);
      expect(flow.ts).toBeGreaterThanOrEqual(startedAt - 5000);
      expect(flow.ts).toBeLessThanOrEqual(Date.now() + 1000);
    }
    const pressure = await recorder.waitForSignal('pump-01', 'pressure');
    expect(pressure.value).toBeGreaterThanOrEqual(3);
    expect(pressure.value).toBeLessThan(4);
    expect(recorder.batches.some((batch) => batch.length > 1)).toBe(true);
    expect(recorder.batches.length).toBeLessThan(recorder.samples.length);
  });

  it('maps Boolean to 1/0 and integer types (UInt32, Int64) to numbers', async () => {
    await recorder.waitForSignal('pump-01', 'running', 1);
    await recorder.waitForSignal('pump-01', 'running', 0);
    expect(new Set(recorder.of('pump-01', 'running').map((s) => s.value))).toEqual(new Set([0, 1]));
    expect((await recorder.waitForSignal('pump-01', 'state')).value).toBe(1);
    const starts = await recorder.waitFor((s) => s.signal === 'starts' && s.value > 7, 'pump-01/starts above 7');
    expect(Number.isInteger(starts.value)).toBe(true);
  });

  it('turns a Bad status into a bad sample (NaN without a value) and Uncertain into uncertain', async () => {
    const vibration = await recorder.waitForSignal('pump-01', 'vibration');
    expect(vibration.quality).toBe('bad');
    expect(vibration.value).toBeNaN();
    const temperature = await recorder.waitForSignal('pump-01', 'bearing_temperature');
    expect(temperature).toMatchObject({ quality: 'uncertain', value: 61.5 });

    const since = recorder.samples.length;
    server.plant.set('vibration', 4.2, StatusCodes.BadSensorFailure);
    const badWithValue = await recorder.waitFor((s) => s.signal === 'vibration' && !Number.isNaN(s.value), 'vibration with a value', { since });
    expect(badWithValue).toMatchObject({ quality: 'bad', value: 4.2 });
    server.plant.set('vibration', 4.5);
    expect(await recorder.waitForSignal('pump-01', 'vibration', 4.5, { since })).toMatchObject({ quality: 'good' });
  });

  it('rejects and counts non-numeric values, logging once per node', async () => {
    await waitUntil(() => (source.health().rejected['not_a_number'] ?? 0) >= 2, 'the string and the array are rejected');
    const before = source.health().rejected['not_a_number'] ?? 0;
    const since = recorder.samples.length;
    server.plant.set('mode', 'MANUAL');
    server.plant.set('flow', 77);
    await recorder.waitForSignal('pump-01', 'flow', 77, { since });
    server.plant.set('mode', 'AUTO');
    server.plant.set('flow', 78);
    await recorder.waitForSignal('pump-01', 'flow', 78, { since });

    expect(source.health().rejected['not_a_number']).toBeGreaterThanOrEqual(before + 2);
    expect(recorder.samples.some((s) => s.signal === 'mode' || s.signal === 'history')).toBe(false);
    const modeLines = lines.filter((line) => line.msg.includes(PLANT_NODE.mode) && line.msg.includes('not_a_number'));
    expect(modeLines).toHaveLength(1);
    expect(modeLines[0]?.msg).toContain('pump-01/mode');
    expect(lines.filter((line) => line.msg.includes(PLANT_NODE.history))).toHaveLength(1);
  });

  it('reports unknown and malformed node ids, by node and status, and reads the others', async () => {
    const health = source.health();
    expect(health.failedNodes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ nodeId: 'ns=1;s=pump-01.ghost', asset: 'pump-01', signal: 'ghost', status: expect.stringMatching(/BadNodeIdUnknown/) }),
        expect.objectContaining({ nodeId: 'pump-01 flow', signal: 'typo', status: expect.stringMatching(/BadNodeIdInvalid/) }),
      ]),
    );
    expect(health.failedNodes).toHaveLength(2);
    expect(health.rejected['monitor_failed']).toBe(2);
    const ghostLine = lines.find((line) => line.msg.includes('ns=1;s=pump-01.ghost'));
    expect(ghostLine?.msg).toMatch(/cannot monitor node ns=1;s=pump-01\.ghost \(pump-01\/ghost\).*BadNodeIdUnknown/);
    expect(recorder.of('pump-01', 'flow').length).toBeGreaterThan(1);
  });

  it('reports its health and stops cleanly', async () => {
    const health = source.health();
    expect(health).toMatchObject({ id: 'plc-values', kind: 'opcua', state: 'connected', target: server.endpoint, reconnects: 0, watchdogRebuilds: 0 });
    expect(health.samplesIn).toBe(recorder.samples.length);
    expect(health.lastSampleAt).toBeGreaterThanOrEqual(startedAt);

    await source.stop();
    expect(source.health().state).toBe('stopped');
    expect(OPCUAClientBase.registry.count()).toBe(0);
  });
});
