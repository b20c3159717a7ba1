import { Command } from 'commander';
import path from 'node:path';
import { ConfigError } from '../config/config-error.js';
import { addBrowseCommand } from './browse-command.js';
import { addCertsCommands } from './certs-command.js';
import { integerIn, numberIn } from './option-parsers.js';
import { addSimCommands } from './sim-command.js';

// Each command's module is loaded when it runs, so `check-config` or `--help` does not wait for node-opcua.
const program = new Command('millwright')
  .description('Factory-floor edge assistant: OPC UA and MQTT telemetry, anomaly detection, and a grounded maintenance assistant')
  .showHelpAfterError();

program
  .command('demo', { isDefault: false })
  .description('the whole product on its embedded defaults: MQTT broker, simulated PLC and sensors, gateway')
  .option('--seed <n>', 'random seed of the simulated plant', integerIn(0, 2 ** 31 - 1), 1)
  .option('--speed <factor>', 'simulated seconds per real second', numberIn(0.01, 1000), 1)
  .option('--scenario <file-or-name>', 'a timeline of faults to play (e.g. bearing-wear-and-air-leak)')
  .option('--plc-port <port>', 'OPC UA port of the simulated PLC', integerIn(1, 65535), 4840)
  .option('--mqtt-port <port>', 'port of the embedded MQTT broker', integerIn(1, 65535), 1883)
  .option('--console-port <port>', 'port of the operator console (0 = any free port)', integerIn(0, 65535), 8080)
  .option('--data <dir>', 'folder for certificates and state', 'data')
  .action((options: { seed: number; speed: number; scenario?: string; plcPort: number; mqttPort: number; consolePort: number; data: string }) =>
    import('./demo-command.js').then(({ runDemo }) => runDemo({ ...options, dataDir: path.resolve(options.data) })),
  );

program
  .command('start')
  .description('run against the real endpoints of a configuration file, no simulators')
  .requiredOption('-c, --config <file>', 'the YAML configuration')
  .action(async (options: { config: string }) => (await import('./start-command.js')).runStart(options.config));

program
  .command('check-config <file>')
  .description('validate a configuration file and summarise it, without connecting to anything')
  .action(async (file: string) => (await import('./check-config-command.js')).runCheckConfig(file));

program
  .command('hash-password')
  .description('print the hash of a password for console.users[].passwordHash (read from the terminal, or the first line of stdin)')
  .option('--cost <ln>', 'scrypt cost as log2 of N (each step doubles the time and memory)', integerIn(10, 20), 15)
  .action(async (options: { cost: number }) => (await import('./hash-password-command.js')).runHashPassword(options));

program
  .command('calibrate <asset>')
  .description("fit an asset's own anomaly model from its stored history; a running box picks it up from <dataDir>/models")
  .option('--from <time>', 'start of the stretch: ISO 8601 (2025-01-06T08:00Z) or relative (-2h, -1d); default: the oldest stored data')
  .option('--to <time>', 'end of the stretch, as --from; default: now')
  .option('-c, --config <file>', "the box's configuration: its data folder, the asset's kind, running condition and signals")
  .option('--data <dir>', 'the data folder, when no configuration is given', 'data')
  .action(async (asset: string, options: { from?: string; to?: string; config?: string; data: string }) => {
    await (await import('./calibrate-command.js')).runCalibrate(asset, options);
  });

program
  .command('ask <question>')
  .description("ask a running box's assistant and stream its answer (manual citations listed at the end)")
  .option('--url <url>', "the console's address", process.env['MILLWRIGHT_URL'] ?? 'http://127.0.0.1:8080')
  .option('--token <token>', 'a bearer token from POST /api/tokens (or MILLWRIGHT_TOKEN)')
  .option('--user <name>', 'log in as this console user; the password comes from MILLWRIGHT_PASSWORD, or is asked')
  .option('--conversation <id>', 'continue a conversation (its id is printed after each answer), or alert:<id> to follow up an escalation')
  .action(async (question: string, options: { url: string; token?: string; user?: string; conversation?: string }) => (await import('./ask-command.js')).runAsk(question, options));

program
  .command('bench')
  .description('benchmarks of the box')
  .command('detect')
  .description('detection quality on public recordings: every SKAB-layout file and NAB folder under --data, scored as their leaderboards do')
  .option('--data <dir>', 'folder to search for SKAB-layout CSV files and NAB folders', '../shared/datasets')
  .option('--out <dir>', 'where the per-row predictions, NAB results and fitted models go', 'bench-results')
  .option('--skab-period <ms>', 'grid period of the SKAB models (0: the recordings\' own rows)', integerIn(0, 3_600_000), 0)
  .option('--margin <factor>', 'threshold margin of the machine-mode fit (calibrated once on SKAB\'s anomaly-free recording)', numberIn(0.1, 100), 2.81)
  .option('--calibrate-margin', 'derive the margin from the SKAB-layout recordings without labels instead (about 30 s)')
  .action(async (options: { data: string; out: string; skabPeriod: number; margin: number; calibrateMargin?: boolean }) => (await import('./bench-detect-command.js')).runBenchDetect(options));

addSimCommands(program);
addBrowseCommand(program);
addCertsCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(2);
  }
  console.error(`millwright: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
