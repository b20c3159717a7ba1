import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { pino, type Logger } from 'pino';
import type { PlacedMachine } from './machine.js';
import { createDemoPlant } from './machines/demo-plant.js';
import { MqttSensors } from './mqtt-sensors.js';
import { OpcuaPlcServer, type OpcuaUser, type SecurityModeName } from './opcua-plc-server.js';
import { ReplayMachine } from './replay/replay-machine.js';
import { loadSkabCsv } from './replay/skab-csv.js';
import { parseScenario, type Scenario } from './scenario.js';
import { resolveScenarioFile, shippedScenarioNames } from './scenario-files.js';
import { ScenarioRunner } from './scenario-runner.js';
import { SimulatorControls, type MachineInfo } from './simulator-controls.js';
import { Simulation } from './simulation.js';
import { DEFAULT_PLC_PORT } from './sim-defaults.js';

export interface ReplaySpec {
  /** CSV in the SKAB layout. */
  readonly file: string;
  /** 'opcua': variables under Objects/Millbrook/Testbed/<id>; 'mqtt': millbrook/testbed/<id>/telemetry. */
  readonly as: 'opcua' | 'mqtt';
  /** Default skab-01 (skab-02, ... for further replays). */
  readonly machineId?: string;
  /** Recorded seconds per simulated second (default 1: the recording's own pace). */
  readonly speed?: number;
  readonly loop?: boolean;
}

export interface StartSimulatorsOptions {
  /** OPC UA port, default 4840; 0 = any free port (see plcEndpoint). */
  readonly plcPort?: number;
  /** Interface the OPC UA server listens on and names in its endpoint URL, default 127.0.0.1. */
  readonly host?: string;
  /** Broker for the MQTT sensors; without it they are not started. */
  readonly mqttUrl?: string;
  /** Default: the scenario's seed, else 1. */
  readonly seed?: number;
  /** Simulation speed factor. Default: the scenario's speed, else 1. */
  readonly speed?: number;
  /** Real ms per simulation tick, default 100. */
  readonly tickMs?: number;
  /** Real ms between messages of an MQTT sensor, default 1000. */
  readonly publishIntervalMs?: number;
  /** Path of a scenario YAML, or the name of a shipped one (e.g. "bearing-wear-and-air-leak"). */
  readonly scenarioFile?: string;
  readonly replay?: readonly ReplaySpec[];
  /** Machines to simulate instead of the demo plant (false: none, e.g. for a replay alone). */
  readonly plant?: readonly PlacedMachine[] | false;
  /** OPC UA server PKI, default ./data/pki/simulator. */
  readonly pkiFolder?: string;
  readonly opcua?: {
    readonly securityModes?: readonly SecurityModeName[];
    readonly users?: readonly OpcuaUser[];
    readonly allowAnonymous?: boolean;
    /** Default true: any client certificate is accepted (see OpcuaPlcServerOptions). */
    readonly acceptUnknownCertificates?: boolean;
  };
  /** How long start-up waits for the MQTT broker before going on (it keeps retrying), default 3000 ms. */
  readonly mqttConnectTimeoutMs?: number;
  readonly logger?: Logger;
}

export type MachineSummary = Pick<MachineInfo, 'id' | 'kind' | 'site' | 'line' | 'transport' | 'supportedFaults' | 'signals'>;

export interface SimulatorsHandle {
  /** The OPC UA endpoint actually listening, e.g. opc.tcp://127.0.0.1:4840. */
  readonly plcEndpoint: string;
  readonly machines: readonly MachineSummary[];
  readonly seed: number;
  readonly speed: number;
  readonly simulation: Simulation;
  readonly controls: SimulatorControls;
  readonly scenario?: ScenarioRunner;
  readonly mqttSensors?: MqttSensors;
  /** Stops the clock, the scenario, the sensors and the server; releases every timer and socket. */
  stop(): Promise<void>;
}

const REPLAY_SITE = 'Millbrook';
const REPLAY_LINE = 'Testbed';
const REPLAY_KIND = 'skab-testbed';

/** Starts the simulated plant: machines, the simulated PLC (OPC UA), the MQTT sensors, a scenario and replays. */
export async function startSimulators(options: StartSimulatorsOptions = {}): Promise<SimulatorsHandle> {
  const logger = options.logger ?? pino({ level: 'silent' });
  const scenarioSource = options.scenarioFile !== undefined ? await readScenario(options.scenarioFile) : undefined;
  const firstPass = scenarioSource ? parseScenario(scenarioSource.text, scenarioSource.file) : undefined;
  const seed = options.seed ?? firstPass?.seed ?? 1;
  const speed = options.speed ?? firstPass?.speed ?? 1;

  const machines: PlacedMachine[] = [...(options.plant === false ? [] : (options.plant ?? createDemoPlant(seed)))];
  for (const [index, spec] of (options.replay ?? []).entries()) {
    if (spec.as === 'mqtt' && options.mqttUrl === undefined) {
      throw new Error(`replaying ${spec.file} as MQTT needs a broker: give an MQTT URL (--mqtt mqtt://HOST:PORT), or replay it as opcua`);
    }
    const recording = await loadSkabCsv(spec.file);
    const id = spec.machineId ?? `skab-${String(index + 1).padStart(2, '0')}`;
    if (recording.rejected.length > 0 || recording.badCells > 0) {
      logger.warn(
        { file: spec.file, rejectedRows: recording.rejected.length, firstRejected: recording.rejected.slice(0, 3), cellsWithoutNumber: recording.badCells },
        'replay file has unusable rows or cells: rows are left out, cells replay as failed sensors',
      );
    }
    machines.push({
      site: REPLAY_SITE,
      line: REPLAY_LINE,
      transport: spec.as,
      machine: new ReplayMachine(recording, { id, kind: REPLAY_KIND, ...(spec.speed !== undefined ? { speed: spec.speed } : {}), ...(spec.loop !== undefined ? { loop: spec.loop } : {}) }),
    });
    logger.info({ file: spec.file, machine: id, as: spec.as, rows: recording.rows.length, signals: recording.signals.map((signal) => signal.id) }, 'replaying a recording');
  }
  const scenario: Scenario | undefined = scenarioSource
    ? parseScenario(scenarioSource.text, scenarioSource.file, { machineIds: machines.map((placed) => placed.machine.id) })
    : undefined;

  const simulation = new Simulation({ machines, tickMs: options.tickMs ?? 100, speed, logger });
  const controls = new SimulatorControls(machines, logger.child({ part: 'controls' }));
  const mqttMachines = machines.filter((placed) => placed.transport === 'mqtt');
  if (options.mqttUrl === undefined && mqttMachines.length > 0) {
    logger.warn({ machines: mqttMachines.map((placed) => placed.machine.id) }, 'no MQTT broker given: these sensors are simulated but not published (give --mqtt URL)');
  }

  const plc = await OpcuaPlcServer.start({
    simulation,
    controls,
    port: options.plcPort ?? DEFAULT_PLC_PORT,
    host: options.host ?? '127.0.0.1',
    pkiFolder: options.pkiFolder ?? path.resolve('data', 'pki', 'simulator'),
    ...(options.opcua?.securityModes ? { securityModes: options.opcua.securityModes } : {}),
    ...(options.opcua?.users ? { users: options.opcua.users } : {}),
    ...(options.opcua?.allowAnonymous !== undefined ? { allowAnonymous: options.opcua.allowAnonymous } : {}),
    ...(options.opcua?.acceptUnknownCertificates !== undefined ? { acceptUnknownCertificates: options.opcua.acceptUnknownCertificates } : {}),
    logger: logger.child({ part: 'opcua' }),
  });
  let mqttSensors: MqttSensors | undefined;
  try {
    if (options.mqttUrl !== undefined) {
      mqttSensors = new MqttSensors({
        simulation,
        brokerUrl: options.mqttUrl,
        ...(options.publishIntervalMs !== undefined ? { publishIntervalMs: options.publishIntervalMs } : {}),
        logger: logger.child({ part: 'mqtt' }),
      });
      await mqttSensors.waitUntilConnected(options.mqttConnectTimeoutMs ?? 3000).catch((error: Error) => logger.warn(error.message));
    }
  } catch (error) {
    await plc.stop();
    throw error;
  }

  const unwatchReplays = watchReplaysFinishing(simulation, logger);
  const runner = scenario ? new ScenarioRunner({ scenario, simulation, controls, logger: logger.child({ part: 'scenario' }) }) : undefined;
  simulation.start();
  runner?.start();
  logger.info({ seed, speed, tickMs: simulation.tickMs, machines: machines.length }, 'simulation running');

  let stopping: Promise<void> | undefined;
  return {
    plcEndpoint: plc.endpointUrl,
    machines: controls.listMachines().map(({ id, kind, site, line, transport, supportedFaults, signals }) => ({ id, kind, site, line, transport, supportedFaults, signals })),
    seed,
    speed,
    simulation,
    controls,
    ...(runner ? { scenario: runner } : {}),
    ...(mqttSensors ? { mqttSensors } : {}),
    stop() {
      stopping ??= (async () => {
        runner?.stop();
        unwatchReplays();
        simulation.stop();
        await Promise.all([mqttSensors?.stop(), plc.stop()]);
      })();
      return stopping;
    },
  };
}

async function readScenario(nameOrPath: string): Promise<{ file: string; text: string }> {
  const file = resolveScenarioFile(nameOrPath);
  if (!existsSync(file)) {
    throw new Error(`no scenario file ${nameOrPath}; give a path to a YAML file or one of the shipped scenarios: ${shippedScenarioNames().join(', ')}`);
  }
  return { file, text: await readFile(file, 'utf8') };
}

/** Logs once when a non-looping replay reaches its end. */
function watchReplaysFinishing(simulation: Simulation, logger: Logger): () => void {
  const pending = new Set(simulation.machines.map((placed) => placed.machine).filter((machine) => machine instanceof ReplayMachine));
  if (pending.size === 0) return () => undefined;
  return simulation.onTick(() => {
    for (const replay of pending) {
      if (!replay.finished) continue;
      pending.delete(replay);
      logger.info({ machine: replay.id }, 'replay reached the end of its recording (send start to play it again)');
    }
  });
}
