import type { MillwrightConfig } from '../../edge/config/config-schema.js';
import { configFromObject } from '../../edge/config/load-config.js';
import { testUsers } from '../edge/console/fixtures/console-harness.js';

/**
 * The smallest whole box: embedded broker, the console with the test users, and one MQTT source feeding
 * pump-01's flow from `plant/pump-01/flow` (low limit 60 m³/h, alerting at once). `source` names the
 * configuration in its errors.
 */
export async function onePumpBoxConfig(dataDir: string, source: string): Promise<MillwrightConfig> {
  return configFromObject(
    {
      dataDir,
      statusIntervalSeconds: 0,
      embeddedBroker: { port: 0 },
      console: { port: 0, users: await testUsers() },
      alerts: { delays: { byKind: { limit: { onSeconds: 0 } } } },
      sources: [{ id: 'sensors', kind: 'mqtt', url: 'embedded', mappings: [{ topic: 'plant/pump-01/flow', asset: 'pump-01', signal: 'flow', value: '$' }] }],
      assets: { 'pump-01': { kind: 'pump', signals: { flow: { unit: 'm³/h', limits: { low: 60 } } } } },
    },
    source,
    dataDir,
  );
}
