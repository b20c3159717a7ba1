import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpcuaSource } from '../../../gateway/opcua/opcua-source.js';
import type { OpcuaSourceConfig } from '../../../gateway/opcua/opcua-source-config.js';
import { startFixtureServer, type FixtureServer } from './fixtures/fixture-server.js';
import { PLANT_NODE, type PlantVariable } from './fixtures/plant-address-space.js';
import { SampleRecorder } from './fixtures/sample-recorder.js';
import { tempFolder } from '../../support/temp-folder.js';

const pki = tempFolder('opcua-deadband');
let server: FixtureServer;
let source: OpcuaSource;
const recorder = new SampleRecorder();

/**
 * Each filtered signal has a twin without deadband on the same node: the twin proves the server published
 * every value, so what the filtered one misses was suppressed by the deadband, not lost to timing.
 */
function config(endpoint: string): OpcuaSourceConfig {
  return {
    id: 'plc-deadband',
    kind: 'opcua',
    endpoint,
    subscription: { publishingInterval: 50 },
    defaults: { samplingInterval: 0, deadband: { type: 'absolute', value: 1 } },
    nodes: [
      { nodeId: PLANT_NODE.level, asset: 'tank-01', signal: 'level' },
      { nodeId: PLANT_NODE.level, asset: 'tank-01', signal: 'level_raw', deadband: { type: 'none', value: 0 } },
      // EURange 0..120: 10 % is 12 m³/h.
      { nodeId: PLANT_NODE.flow, asset: 'pump-01', signal: 'flow', deadband: { type: 'percent', value: 10 } },
      { nodeId: PLANT_NODE.flow, asset: 'pump-01', signal: 'flow_raw', deadband: { type: 'none', value: 0 } },
      // volume has no EURange, mode is a String: the server refuses these filters.
      { nodeId: PLANT_NODE.volume, asset: 'tank-01', signal: 'volume', deadband: { type: 'percent', value: 5 } },
      { nodeId: PLANT_NODE.mode, asset: 'pump-01', signal: 'mode' },
    ],
  };
}

beforeAll(async () => {
  server = await startFixtureServer({ pkiFolder: `${pki.path}/server` });
  source = new OpcuaSource(config(server.endpoint), { pkiFolder: `${pki.path}/client` });
  await source.start(recorder.emit);
});

afterAll(async () => {
  await source?.stop();
  await server?.stop();
  pki.remove();
});

/** Sets each value in turn and waits until the unfiltered twin has seen it. */
async function step(variable: PlantVariable, asset: string, rawSignal: string, values: number[]): Promise<void> {
  for (const value of values) {
    const since = recorder.samples.length;
    server.plant.set(variable, value);
    await recorder.waitForSignal(asset, rawSignal, value, { since });
  }
}

describe('OpcuaSource deadband', () => {
  it('absolute: changes smaller than the deadband are not reported, a larger one is', async () => {
    await recorder.waitForSignal('tank-01', 'level', 50);
    await recorder.waitForSignal('tank-01', 'level_raw', 50);
    await step('level', 'tank-01', 'level_raw', [50.3, 50.6, 50.9, 50.2]);
    await step('level', 'tank-01', 'level_raw', [52]);
    await recorder.waitForSignal('tank-01', 'level', 52);

    expect(recorder.of('tank-01', 'level').map((s) => s.value)).toEqual([50, 52]);
    expect(recorder.of('tank-01', 'level_raw').map((s) => s.value)).toEqual([50, 50.3, 50.6, 50.9, 50.2, 52]);
  });

  it('percent: relative to the EURange (10 % of 0..120 = 12)', async () => {
    await recorder.waitForSignal('pump-01', 'flow', 42.5);
    await step('flow', 'pump-01', 'flow_raw', [50, 54]);
    await step('flow', 'pump-01', 'flow_raw', [55]);
    await recorder.waitForSignal('pump-01', 'flow', 55);

    expect(recorder.of('pump-01', 'flow').map((s) => s.value)).toEqual([42.5, 55]);
  });

  it('a node refusing the filter is reported with its status and does not stop the others', () => {
    const failed = source.health().failedNodes;
    expect(failed).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ nodeId: PLANT_NODE.volume, signal: 'volume', status: expect.stringMatching(/BadMonitoredItemFilterUnsupported/) }),
        expect.objectContaining({ nodeId: PLANT_NODE.mode, signal: 'mode', status: expect.stringMatching(/BadFilterNotAllowed/) }),
      ]),
    );
    expect(failed).toHaveLength(2);
    expect(source.health().lastError).toMatch(/cannot monitor node ns=1;s=/);
  });
});
