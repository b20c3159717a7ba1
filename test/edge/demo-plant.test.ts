import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../gateway/logger.js';
import type { Sample } from '../../gateway/sample.js';
import { withDemoOverrides } from '../../edge/cli/demo-command.js';
import type { MillwrightConfig } from '../../edge/config/config-schema.js';
import { loadConfigFile } from '../../edge/config/load-config.js';
import { EdgeRuntime } from '../../edge/edge-runtime.js';
import { DEMO_CONFIG_FILE } from '../../edge/package-paths.js';
import { startSimulators, type SimulatorsHandle } from '../../simulators/run-simulators.js';
import { SimControlClient } from '../../simulators/sim-control-client.js';
import { freePort } from '../support/free-port.js';
import { nextAlert } from '../support/next-alert.js';
import { tempFolder } from '../support/temp-folder.js';
import { waitUntil } from '../support/wait-until.js';

/** Resolves with the first published sample that matches, or rejects after `timeoutMs` naming what was awaited. */
function nextSample(edge: EdgeRuntime, predicate: (sample: Sample) => boolean, what: string, timeoutMs = 15_000): Promise<Sample> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
    }, timeoutMs);
    const unsubscribe = edge.bus.subscribe((batch) => {
      const found = batch.find(predicate);
      if (!found) return;
      clearTimeout(timer);
      unsubscribe();
      resolve(found);
    });
  });
}

function configuredSignals(config: MillwrightConfig): [string, string][] {
  return Object.entries(config.assets).flatMap(([asset, { signals }]) => Object.keys(signals).map((signal): [string, string] => [asset, signal]));
}

/** The demo as `npm start` runs it — shipped config, embedded broker, simulated plant — on free ports. */
describe('the demo plant through the gateway', () => {
  const data = tempFolder('demo');
  let plcPort: number;
  let config: MillwrightConfig;
  let edge: EdgeRuntime;
  let simulators: SimulatorsHandle;
  const speed = 10;

  const inject = async (machine: string, fault: string, options: { severity: number; signal?: string }) => {
    const control = await SimControlClient.connect({ endpoint: simulators.plcEndpoint, pkiFolder: `${data.path}/pki/control`, timeoutMs: 30_000 });
    try {
      await control.inject(machine, fault, options);
    } finally {
      await control.close();
    }
  };

  const startPlant = (seed: number) =>
    startSimulators({ plcPort, mqttUrl: edge.brokerUrl!, seed, speed, pkiFolder: `${data.path}/pki/simulator`, logger: silentLogger });

  beforeAll(async () => {
    plcPort = await freePort();
    config = { ...withDemoOverrides(await loadConfigFile(DEMO_CONFIG_FILE), { seed: 1, speed, plcPort, mqttPort: 0, consolePort: 0, dataDir: data.path }), statusIntervalSeconds: 0, silentAfterSeconds: 3 };
    edge = await EdgeRuntime.create(config, silentLogger);
    simulators = await startPlant(1);
    await edge.startSources();
  });

  afterAll(async () => {
    await edge?.stop();
    await simulators?.stop();
    data.remove();
  });

  it('delivers every configured signal of every machine and sensor, good and inside its normal range', async () => {
    const expected = configuredSignals(config);
    const missing = () => expected.filter(([asset, signal]) => edge.bus.latest(asset, signal) === undefined);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`signals never seen: ${missing().map((s) => s.join('/')).join(', ')}`)), 20_000);
      const check = () => {
        if (missing().length > 0) return;
        clearTimeout(timer);
        unsubscribe();
        resolve();
      };
      const unsubscribe = edge.bus.subscribe(check);
      check();
    });
    for (const [asset, signal] of expected) {
      const latest = edge.bus.latest(asset, signal)!;
      expect(latest.quality, `${asset}/${signal}`).toBe('good');
      const normal = config.assets[asset]!.signals[signal]!.normal;
      if (normal) expect(latest.value, `${asset}/${signal} within its normal range`).toSatisfy((v: number) => v >= normal[0] && v <= normal[1]);
    }
    expect(edge.sources.map((source) => source.health().state)).toEqual(['connected', 'connected']);
    expect(edge.overview.outOfNormal()).toEqual([]);
    expect(edge.overview.silentAssets(5000)).toEqual([]);
    expect(edge.alerts.list()).toEqual([]);
    expect(edge.sources.flatMap((source) => Object.keys(source.health().rejected))).toEqual([]);
  });

  it('shows an injected bearing fault in that pump\'s vibration and bearing temperature', async () => {
    const baselineVibration = edge.bus.latest('pump-01', 'vibration_de')!.value;
    const baselineTemperature = edge.bus.latest('pump-01', 'bearing_temp_de')!.value;
    const alerted = nextAlert(edge.alerts, 'pump-01/limit/vibration_de.high');
    await inject('pump-01', 'bearing-wear', { severity: 0.8 });
    const vibration = await nextSample(edge, (s) => s.asset === 'pump-01' && s.signal === 'vibration_de' && s.value > baselineVibration + 3, 'pump-01 vibration_de up by 3 mm/s');
    expect(vibration.quality).toBe('good');
    expect(edge.overview.outOfNormal()).toContainEqual(expect.objectContaining({ asset: 'pump-01', signal: 'vibration_de' }));
    await nextSample(edge, (s) => s.asset === 'pump-01' && s.signal === 'bearing_temp_de' && s.value > baselineTemperature + 1, 'pump-01 bearing_temp_de up by 1 K');
    expect(edge.bus.latest('compressor-01', 'vibration')!.value).toBeLessThan(3);
    const alert = await alerted;
    expect(alert).toMatchObject({ asset: 'pump-01', kind: 'limit', priority: 'medium', state: 'active-unacked' });
    expect(alert.message).toMatch(/^vibration_de [\d.]+ mm\/s above its high limit 4.5 mm\/s$/);
  });

  it('tells a failed sensor from lost communication', async () => {
    const sensorAlert = nextAlert(edge.alerts, 'compressor-01/quality/oil_temp');
    await inject('compressor-01', 'sensor-dropout', { severity: 1, signal: 'oil_temp' });
    expect((await sensorAlert).message).toBe('oil_temp reports bad quality while the rest of compressor-01 is fine: sensor failure?');
    const linkAlert = nextAlert(edge.alerts, 'conveyor-02/quality/communication');
    await inject('conveyor-02', 'comm-loss', { severity: 1 });
    expect((await linkAlert).message).toBe('no data from conveyor-02 for 3 s: lost communication?');
    expect(edge.alerts.list({ assets: ['compressor-01'] }).map((a) => a.conditionId)).toEqual(['compressor-01/quality/oil_temp']);
  });

  it('recovers on its own when the simulator is stopped and started again', async () => {
    const plc = edge.sources.find((source) => source.id === 'plc-sim')!;
    await simulators.stop();
    await waitUntil(() => plc.health().state !== 'connected', 'the OPC UA source notices the simulator is gone');
    const reconnectsBefore = plc.health().reconnects;
    simulators = await startPlant(2);
    const restartedAt = Date.now();
    const sample = await nextSample(edge, (s) => s.source === 'plc-sim' && s.asset === 'pump-01' && s.ts >= restartedAt, 'pump-01 data from the restarted simulator');
    expect(sample.quality).toBe('good');
    expect(plc.health()).toMatchObject({ state: 'connected' });
    expect(plc.health().reconnects).toBeGreaterThan(reconnectsBefore);
    await nextSample(edge, (s) => s.source === 'wireless-sensors' && s.ts >= restartedAt, 'sensor data from the restarted simulator');
  });
});
