import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../gateway/logger.js';
import type { Escalation } from '../../../edge/console/assistant-port.js';
import { withDemoOverrides } from '../../../edge/cli/demo-command.js';
import { loadConfigFile } from '../../../edge/config/load-config.js';
import { EdgeRuntime } from '../../../edge/edge-runtime.js';
import { DEMO_CONFIG_FILE } from '../../../edge/package-paths.js';
import { startSimulators, type SimulatorsHandle } from '../../../simulators/run-simulators.js';
import { SimControlClient } from '../../../simulators/sim-control-client.js';
import { freePort } from '../../support/free-port.js';
import { tempFolder } from '../../support/temp-folder.js';

/**
 * What issue 5 calls done: the demo as `npm start` runs it, with no language model, explains an injected
 * fault unasked, citing the right troubleshooting row and a procedure's safety steps.
 */
describe('the demo explains an injected bearing fault', () => {
  const data = tempFolder('demo-escalation');
  let edge: EdgeRuntime;
  let simulators: SimulatorsHandle;

  beforeAll(async () => {
    const plcPort = await freePort();
    const config = { ...withDemoOverrides(await loadConfigFile(DEMO_CONFIG_FILE), { seed: 5, speed: 10, plcPort, mqttPort: 0, consolePort: 0, dataDir: data.path }), statusIntervalSeconds: 0 };
    edge = await EdgeRuntime.create(config, silentLogger);
    simulators = await startSimulators({ plcPort, mqttUrl: edge.brokerUrl!, seed: 5, speed: 10, pkiFolder: `${data.path}/pki/simulator`, logger: silentLogger });
    await edge.startSources();
  }, 120_000);

  afterAll(async () => {
    await edge?.stop();
    await simulators?.stop();
    data.remove();
  });

  it('posts an explanation of the pump alert citing T-PUMP-01 and the safety steps of its procedure', async () => {
    const assistant = (await edge.assistantReady())!;
    expect(assistant.model).toBeNull();
    const explained = new Promise<Escalation>((resolve) => {
      assistant.onEscalation((escalation) => {
        const alert = edge.alerts.get(escalation.alertId)?.alert;
        if (alert?.asset === 'pump-01' && (alert.kind === 'model' || alert.conditionId.includes('vibration_de'))) resolve(escalation);
      });
    });
    const control = await SimControlClient.connect({ endpoint: simulators.plcEndpoint, pkiFolder: `${data.path}/pki/control`, timeoutMs: 30_000 });
    try {
      await control.inject('pump-01', 'bearing-wear', { severity: 0.8 });
    } finally {
      await control.close();
    }
    const escalation = await explained;
    const sections = escalation.cards.filter((card) => card.kind === 'manual').map((card) => (card.data as { sectionId: string }).sectionId);
    expect(sections[0]).toBe('T-PUMP-01');
    expect(sections.some((section) => section.startsWith('P-PUMP-'))).toBe(true);
    expect(escalation.text).toContain('worn or damaged DE rolling bearing');
    expect(escalation.text).toContain('**Safety first**');
    expect(escalation.text).toContain('No language model is attached');
  }, 180_000);
});
