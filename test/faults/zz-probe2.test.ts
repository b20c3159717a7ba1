import path from 'node:path';
import { it } from 'vitest';
import { silentLogger } from '../../gateway/logger.js';
import { startSimulators } from '../../simulators/run-simulators.js';
import { freePort } from '../support/free-port.js';
import { tempFolder } from '../support/temp-folder.js';
import { writeDemoBoxConfig } from './fixtures/demo-box-config.js';
import { startEdgeBox } from './fixtures/edge-box-process.js';
it('probe', async () => {
  const folder = tempFolder('probe');
  const plcPort = await freePort(); const mqttPort = await freePort();
  const plant = await startSimulators({ plcPort, host: '127.0.0.1', mqttUrl: `mqtt://127.0.0.1:${mqttPort}`, mqttConnectTimeoutMs: 100, seed: 1, pkiFolder: path.join(folder.path, 'pki'), logger: silentLogger });
  plant.controls.inject({ machine: 'conveyor-02', fault: 'bearing-wear', severity: 0.6, rampSeconds: 0 });
  const cfg = await writeDemoBoxConfig(folder.path, path.join(folder.path, 'data'), { plcPort, mqttPort });
  let box = await startEdgeBox(cfg);
  const login = async () => ((await (await fetch(`${box.consoleUrl}/api/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'operator', password: 'operator-demo' }) })).json()) as any).token;
  let token = await login();
  const alerts = async () => ((await (await fetch(`${box.consoleUrl}/api/alerts`, { headers: { authorization: `Bearer ${token}` } })).json()) as any).alerts.map((a: any) => `${a.id} ${a.conditionId} ${a.state} active=${a.conditionActive}`);
  for (let i = 0; i < 30; i++) { const a = await alerts(); if (a.length) { console.log('before', a); break; } await new Promise((r) => setTimeout(r, 1000)); }
  await box.kill();
  plant.controls.clearFaults('conveyor-02', 'bearing-wear');
  box = await startEdgeBox(cfg);
  token = await login();
  for (let i = 0; i < 25; i++) { console.log('after', i, await alerts()); await new Promise((r) => setTimeout(r, 1000)); }
  await box.stop(); await plant.stop(); folder.remove();
}, 200_000);
