import { InvalidArgumentError, Option, type Command } from 'commander';
import { shippedScenarioNames } from '../../simulators/scenario-files.js';
import { DEFAULT_PLC_PORT, DEFAULT_SIM_ENDPOINT } from '../../simulators/sim-defaults.js';
import type { OpcuaUser, SecurityModeName } from '../../simulators/opcua-plc-server.js';
import { durationSeconds, integerIn, numberIn } from './option-parsers.js';

/** The actions load node-opcua and the simulators only when a sim command runs. */
const actions = () => import('./sim-actions.js');

export interface SimOptions {
  plcPort: number;
  host: string;
  mqtt?: string;
  seed?: number;
  speed?: number;
  scenario?: string;
  replay?: string;
  replayAs: 'opcua' | 'mqtt';
  replaySpeed?: number;
  replayLoop?: boolean;
  plant: boolean;
  sensorInterval: number;
  data: string;
  security: readonly SecurityModeName[];
  user: readonly OpcuaUser[];
  anonymous: boolean;
  trustClients: boolean;
}

/** `millwright sim ...`: the simulators alone, and their remote controls over OPC UA. */
export function addSimCommands(program: Command): void {
  const sim = program
    .command('sim')
    .description('run the simulated PLC and sensors alone, so a gateway on this or another box can be pointed at them')
    .option('--plc-port <port>', 'OPC UA port of the simulated PLC (0 = any free port)', integerIn(0, 65535), DEFAULT_PLC_PORT)
    .option('--host <address>', 'interface to listen on and name in the endpoint URL', '127.0.0.1')
    .option('--mqtt <url>', 'MQTT broker for the wireless sensors (without it, they do not run)')
    .option('--seed <n>', 'random seed (same seed, same plant)', integerIn(0, 2 ** 31 - 1))
    .option('--speed <factor>', 'simulated seconds per real second', numberIn(0.01, 1000))
    .option('--scenario <file-or-name>', `timeline of faults and commands (shipped: ${shippedScenarioNames().join(', ')})`)
    .option('--replay <csv>', 'replay a recording in the SKAB layout as a machine (skab-01)')
    .addOption(new Option('--replay-as <protocol>', 'expose the replay as OPC UA variables or MQTT messages').choices(['opcua', 'mqtt']).default('opcua'))
    .option('--replay-speed <factor>', 'recorded seconds per simulated second', numberIn(0.01, 10000))
    .option('--replay-loop', 'start the recording again at its end')
    .option('--no-plant', 'do not simulate the demo plant (e.g. a replay alone)')
    .option('--sensor-interval <ms>', 'milliseconds between MQTT sensor messages', integerIn(50, 600_000), 1000)
    .option('--data <dir>', 'folder for the simulator\'s certificates', 'data')
    .option('--security <modes>', 'OPC UA security modes offered, comma-separated: None, Sign, SignAndEncrypt (the secure ones with Basic256Sha256, Aes128_Sha256_RsaOaep and Aes256_Sha256_RsaPss)', securityModes, ['None', 'Sign', 'SignAndEncrypt'])
    .option('--user <name:password>', 'an OPC UA user the PLC accepts (repeat for more); a test tool: the password shows in the process list', collectUser, [])
    .option('--no-anonymous', 'refuse anonymous OPC UA sessions (give --user)')
    .option('--no-trust-clients', "refuse client certificates until they are moved from <data>/pki/simulator/rejected to its trusted/certs, as a real PLC does")
    .action(async (options: SimOptions) => (await actions()).runSimulators(options));

  const endpointOption = ['--endpoint <url>', 'OPC UA endpoint of the running simulator', DEFAULT_SIM_ENDPOINT] as const;

  sim
    .command('inject <machine> <fault>')
    .description('inject a fault: bearing-wear, cavitation, blockage, motor-overheating, air-leak, sensor-stuck|drift|spike|dropout (with --signal), comm-loss')
    .option('--severity <0..1>', 'how bad the fault becomes', numberIn(0, 1), 0.8)
    .option('--ramp <duration>', 'time to full severity, e.g. 30s or 10m (simulated)', durationSeconds, 0)
    .option('--signal <signal>', 'for sensor faults: the signal whose sensor misbehaves')
    .option(...endpointOption)
    .action(async (machine: string, fault: string, options: { severity: number; ramp: number; signal?: string; endpoint: string }) =>
      (await actions()).control(options.endpoint, (client) => client.inject(machine, fault, { severity: options.severity, rampSeconds: options.ramp, ...(options.signal ? { signal: options.signal } : {}) })),
    );

  sim
    .command('clear <machine> [fault]')
    .description('remove one fault, or all of the machine\'s faults')
    .option(...endpointOption)
    .action(async (machine: string, fault: string | undefined, options: { endpoint: string }) => (await actions()).control(options.endpoint, (client) => client.clearFaults(machine, fault)));

  sim
    .command('command <machine> <command>')
    .description('operate a machine: start, stop, or reset a trip')
    .option(...endpointOption)
    .action(async (machine: string, command: string, options: { endpoint: string }) => (await actions()).control(options.endpoint, (client) => client.command(machine, command)));

  sim
    .command('load <machine> <percent>')
    .description('set a machine\'s load or demand in percent of rated duty')
    .option(...endpointOption)
    .action(async (machine: string, percent: string, options: { endpoint: string }) =>
      (await actions()).control(options.endpoint, (client) => client.setLoad(machine, numberIn(0, 1000)(percent))),
    );

  sim
    .command('machines')
    .description('list the simulated machines with their state, faults and signals')
    .option(...endpointOption)
    .action(async (options: { endpoint: string }) => (await actions()).listMachines(options.endpoint));
}

function securityModes(text: string): SecurityModeName[] {
  const modes = text.split(',').map((mode) => mode.trim());
  const known: readonly string[] = ['None', 'Sign', 'SignAndEncrypt'];
  const unknown = modes.filter((mode) => !known.includes(mode));
  if (unknown.length > 0 || modes.length === 0) throw new InvalidArgumentError(`expected None, Sign and/or SignAndEncrypt separated by commas, got "${text}"`);
  return modes as SecurityModeName[];
}

function collectUser(text: string, users: readonly OpcuaUser[]): OpcuaUser[] {
  const separator = text.indexOf(':');
  if (separator < 1) throw new InvalidArgumentError('expected name:password (a user name, a colon, then the password)');
  return [...users, { username: text.slice(0, separator), password: text.slice(separator + 1) }];
}
