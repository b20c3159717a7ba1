import { loadConfigFile } from '../config/load-config.js';
import { EdgeRuntime } from '../edge-runtime.js';
import { routeNodeOpcuaLogs } from '../../gateway/opcua/node-opcua-logs.js';
import { createLogger } from '../logging.js';
import { announceEndpoints } from './announce.js';
import { stopOnSignals } from './shutdown.js';

/** `millwright start --config FILE`: the box against real endpoints, no simulators. */
export async function runStart(configFile: string): Promise<void> {
  const config = await loadConfigFile(configFile);
  const logger = createLogger(config.logLevel);
  routeNodeOpcuaLogs(logger);
  logger.info(`Millwright starting with ${configFile} (${config.sources.length} sources, ${Object.keys(config.assets).length} assets)`);
  const edge = await EdgeRuntime.create(config, logger);
  stopOnSignals(() => edge.stop(), logger);
  await edge.startSources();
  announceEndpoints(edge.endpoints(), logger);
}
