import path from 'node:path';
import { startSimulators, type ReplaySpec } from '../../simulators/run-simulators.js';
import { SimControlClient } from '../../simulators/sim-control-client.js';
import { createLogger } from '../logging.js';
import { routeNodeOpcuaLogs } from '../../gateway/opcua/node-opcua-logs.js';
import { announceEndpoints } from './announce.js';
import { stopOnSignals } from './shutdown.js';
import type { SimOptions } from './sim-command.js';

/** One request to a running simulator's Simulator object; prints its answer. */
export async function control(endpoint: string, request: (client: SimControlClient) => Promise<string>): Promise<void> {
  routeNodeOpcuaLogs(createLogger('warn', { destination: 'stderr' }));
  const client = await SimControlClient.connect({ endpoint, pkiFolder: path.resolve('data', 'pki', 'sim-control') });
  try {
    console.log(await request(client));
  } finally {
    await client.close();
  }
}

export async function runSimulators(options: SimOptions): Promise<void> {
  const logger = createLogger('info');
  routeNodeOpcuaLogs(logger);
  const replay: ReplaySpec[] = options.replay
    ? [{ file: options.replay, as: options.replayAs, ...(options.replaySpeed ? { speed: options.replaySpeed } : {}), loop: options.replayLoop ?? false }]
    : [];
  const simulators = await startSimulators({
    plcPort: options.plcPort,
    host: options.host,
    ...(options.mqtt ? { mqttUrl: options.mqtt } : {}),
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    ...(options.speed !== undefined ? { speed: options.speed } : {}),
    ...(options.scenario ? { scenarioFile: options.scenario } : {}),
    replay,
    ...(options.plant ? {} : { plant: false as const }),
    publishIntervalMs: options.sensorInterval,
    pkiFolder: path.resolve(options.data, 'pki', 'simulator'),
    opcua: { securityModes: options.security, users: options.user, allowAnonymous: options.anonymous, acceptUnknownCertificates: options.trustClients },
    logger,
  });
  stopOnSignals(() => simulators.stop(), logger);
  announceEndpoints(
    [{ name: 'simulated PLC (OPC UA)', url: simulators.plcEndpoint }, ...(simulators.mqttSensors ? [{ name: 'MQTT sensors publish to', url: simulators.mqttSensors.brokerUrl }] : [])],
    logger,
  );
  logger.info(`seed ${simulators.seed}, speed ${simulators.speed}; machines: ${simulators.machines.map((m) => `${m.id} (${m.transport})`).join(', ')}`);
}

export function listMachines(endpoint: string): Promise<void> {
  return control(endpoint, async (client) => {
    const machines = await client.listMachines();
    return machines
      .map((m) => {
        const faults = m.activeFaults.length > 0 ? ` faults: ${m.activeFaults.join(', ')}` : '';
        const trip = m.faultCode !== 0 ? ` trip ${m.faultCode}` : '';
        return `${m.id.padEnd(14)} ${m.kind.padEnd(17)} ${m.transport.padEnd(5)} ${m.state}${trip}${faults}\n  signals: ${m.signals.map((s) => s.id).join(', ')}\n  faults it can develop: ${m.supportedFaults.join(', ')}`;
      })
      .join('\n');
  });
}
