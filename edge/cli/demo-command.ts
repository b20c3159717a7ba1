import path from 'node:path';
import { startSimulators } from '../../simulators/run-simulators.js';
import type { MillwrightConfig } from '../config/config-schema.js';
import { loadConfigFile } from '../config/load-config.js';
import { EdgeRuntime } from '../edge-runtime.js';
import { routeNodeOpcuaLogs } from '../../gateway/opcua/node-opcua-logs.js';
import { createLogger } from '../logging.js';
import { DEMO_CONFIG_FILE } from '../package-paths.js';
import { announceEndpoints } from './announce.js';
import { stopOnSignals } from './shutdown.js';

export interface DemoOptions {
  readonly seed: number;
  readonly speed: number;
  readonly scenario?: string;
  readonly plcPort: number;
  readonly mqttPort: number;
  /** Port of the operator console; the demo configuration's (8080) when not given. */
  readonly consolePort?: number;
  readonly dataDir: string;
}

/**
 * `npm start` / `millwright demo`: the whole product on its embedded defaults — an MQTT broker in
 * process, the simulated PLC and sensors, and the box reading them through the shipped demo config.
 */
export async function runDemo(options: DemoOptions): Promise<void> {
  const config = withDemoOverrides(await loadConfigFile(DEMO_CONFIG_FILE), options);
  const logger = createLogger(config.logLevel);
  routeNodeOpcuaLogs(logger);
  logger.info(`Millwright demo: simulated plant "${config.site}", seed ${options.seed}${options.scenario ? `, scenario ${options.scenario}` : ''}`);

  const edge = await EdgeRuntime.create(config, logger);
  const simulators = await startSimulators({
    plcPort: options.plcPort,
    host: '127.0.0.1',
    mqttUrl: edge.brokerUrl ?? undefined,
    seed: options.seed,
    speed: options.speed,
    scenarioFile: options.scenario,
    pkiFolder: path.join(config.dataDir, 'pki', 'simulator'),
    logger: logger.child({ in: 'simulators' }),
  });
  stopOnSignals(async () => {
    await edge.stop();
    await simulators.stop();
  }, logger);
  await edge.startSources();

  announceEndpoints(
    [
      { name: 'simulated PLC (OPC UA)', url: simulators.plcEndpoint },
      ...edge.endpoints(),
    ],
    logger,
  );
  logger.info(`machines: ${simulators.machines.map((m) => `${m.id} (${m.kind}, ${m.transport})`).join(', ')}`);
  logger.info('inject a fault from another terminal: npx millwright sim inject pump-01 bearing-wear --severity 0.8 --ramp 30s');
  if (edge.console) logger.info(`open the console at ${edge.console.url} and log in as operator / operator-demo (demo users in edge/config/demo.yaml)`);
}

/** The demo config names fixed ports; the CLI (and tests) may move them and the data folder. */
export function withDemoOverrides(config: MillwrightConfig, options: DemoOptions): MillwrightConfig {
  return {
    ...config,
    dataDir: options.dataDir,
    embeddedBroker: config.embeddedBroker && { ...config.embeddedBroker, port: options.mqttPort },
    console: config.console && { ...config.console, port: options.consolePort ?? config.console.port },
    uplink: config.uplink && { ...config.uplink, buffer: { ...config.uplink.buffer, file: path.join(options.dataDir, path.relative(config.dataDir, config.uplink.buffer.file)) } },
    // Time runs faster in the simulated plant: the models' grids follow, so they see real-time behaviour.
    detection: { ...config.detection, timeScale: options.speed },
    sources: config.sources.map((source) =>
      source.kind === 'opcua' ? { ...source, endpoint: source.endpoint.replace(/:\d+(\/|$)/, `:${options.plcPort}$1`) } : source,
    ),
  };
}
