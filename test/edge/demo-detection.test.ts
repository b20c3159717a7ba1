import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../gateway/logger.js';
import type { AlertEvent } from '../../edge/alerts/alert.js';
import { withDemoOverrides } from '../../edge/cli/demo-command.js';
import { loadConfigFile } from '../../edge/config/load-config.js';
import type { ModelAlertDetails } from '../../edge/detect/live/finding-alerts.js';
import { EdgeRuntime } from '../../edge/edge-runtime.js';
import { DEMO_CONFIG_FILE } from '../../edge/package-paths.js';
import { startSimulators, type SimulatorsHandle } from '../../simulators/run-simulators.js';
import { SimControlClient } from '../../simulators/sim-control-client.js';
import { freePort } from '../support/free-port.js';
import { nextAlert } from '../support/next-alert.js';
import { tempFolder } from '../support/temp-folder.js';
import { waitUntil } from '../support/wait-until.js';

/**
 * Detection in the demo as `npm start` runs it — shipped models, the simulated plant on loopback, at
 * speed 10 (the models' grids follow the speed) — and what the console shows of it.
 */
describe('anomaly detection in the demo plant', () => {
  const data = tempFolder('demo-detection');
  let edge: EdgeRuntime;
  let simulators: SimulatorsHandle;
  let token: string;
  const modelEvents: AlertEvent[] = [];

  const api = async <T>(route: string): Promise<T> => (await (await fetch(`${edge.console!.url}${route}`, { headers: { authorization: `Bearer ${token}` } })).json()) as T;

  beforeAll(async () => {
    const plcPort = await freePort();
    const config = { ...withDemoOverrides(await loadConfigFile(DEMO_CONFIG_FILE), { seed: 3, speed: 10, plcPort, mqttPort: 0, consolePort: 0, dataDir: data.path }), statusIntervalSeconds: 0 };
    edge = await EdgeRuntime.create(config, silentLogger);
    edge.alerts.subscribe((event) => {
      if (event.alert?.kind === 'model') modelEvents.push(event);
    });
    simulators = await startSimulators({ plcPort, mqttUrl: edge.brokerUrl!, seed: 3, speed: 10, pkiFolder: `${data.path}/pki/simulator`, logger: silentLogger });
    await edge.startSources();
    const login = await fetch(`${edge.console!.url}/api/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'viewer', password: 'viewer-demo' }) });
    token = ((await login.json()) as { token: string }).token;
  });

  afterAll(async () => {
    await edge?.stop();
    await simulators?.stop();
    data.remove();
  });

  it('scores every machine with its kind\'s shipped model and stays quiet in normal operation', async () => {
    const scored = (asset: string) => edge.detection!.models().find((model) => model.asset === asset && model.state === 'active')?.rowsScored ?? 0;
    // 150 rows: 2.5 simulated minutes past the 50 rows that settle the starting reference.
    await waitUntil(() => ['pump-01', 'compressor-01', 'spindle-01', 'conveyor-01', 'conveyor-02'].every((asset) => scored(asset) > 150), 'every machine is scored', 40_000);
    expect(modelEvents).toEqual([]);

    const { models } = await api<{ models: { id: string; asset: string | null; state: string; scoreSignal?: string; threshold?: number }[] }>('/api/models');
    expect(models.filter((model) => model.state === 'active').map((model) => [model.asset, model.id])).toEqual([
      ['pump-01', 'centrifugal-pump'],
      ['compressor-01', 'air-compressor'],
      ['spindle-01', 'cnc-spindle'],
      ['conveyor-01', 'conveyor-motor'],
      ['conveyor-02', 'conveyor-motor'],
    ]);
    const pumpModel = models.find((model) => model.asset === 'pump-01')!;
    expect(pumpModel.scoreSignal).toBe('pump-01/anomaly_score');
    const asset = await api<{ signals: { id: string; key: string; limits: { high?: number }; derived?: boolean; latest: { value: number } | null }[] }>('/api/assets/pump-01');
    const score = asset.signals.find((signal) => signal.key === pumpModel.scoreSignal);
    expect(score).toMatchObject({ id: 'anomaly_score', derived: true, limits: { high: pumpModel.threshold } });
    expect(score?.latest?.value).toBeLessThan(pumpModel.threshold!);
    const history = await api<{ points: unknown[] }>('/api/assets/pump-01/signals/anomaly_score/history?points=100');
    expect(history.points.length).toBeGreaterThan(10);
    const metrics = await (await fetch(`${edge.console!.url}/metrics`)).text();
    expect(metrics).toMatch(/millwright_models\{state="active"\} 5/);
    expect(metrics).toMatch(/millwright_model_findings_total\{asset="pump-01",model="centrifugal-pump"\} [1-9]\d*/);
  });

  it('raises a model alert on pump-01 for a worn bearing, with its vibration as the top contributor', async () => {
    const alerted = nextAlert(edge.alerts, 'pump-01/model/centrifugal-pump');
    const control = await SimControlClient.connect({ endpoint: simulators.plcEndpoint, pkiFolder: `${data.path}/pki/control`, timeoutMs: 30_000 });
    try {
      await control.inject('pump-01', 'bearing-wear', { severity: 0.6 });
    } finally {
      await control.close();
    }
    const alert = await alerted;
    expect(alert).toMatchObject({ asset: 'pump-01', kind: 'model', priority: 'medium', state: 'active-unacked' });
    expect(alert.message).toMatch(/^pump-01 deviates from normal: vibration_de \(\d+ %\)/);
    const details = alert.details as ModelAlertDetails;
    expect(details.contributions[0]?.signal).toBe('vibration_de');
    expect(details.score).toBeGreaterThan(details.threshold);
    expect(modelEvents.filter((other) => other.asset !== 'pump-01')).toEqual([]);
  });
});
