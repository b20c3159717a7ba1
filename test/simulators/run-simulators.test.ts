import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AttributeIds, OPCUACertificateManager, OPCUAClient, StatusCodes, makeBrowsePath, type ClientSession, type DataValue } from 'node-opcua';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulators, type SimulatorsHandle } from '../../simulators/run-simulators.js';
import { SimControlClient, SimControlError } from '../../simulators/sim-control-client.js';
import { recordMessages, startTestBroker, type TestBroker } from './test-broker.js';

const logger = pino({ level: 'silent' });

/** The plant contract: every OPC UA machine, its line and signals. */
const OPCUA_CONTRACT = {
  'pump-01': {
    line: 'Utilities',
    signals: ['speed', 'motor_current', 'motor_voltage', 'motor_temp', 'vibration_de', 'vibration_nde', 'bearing_temp_de', 'bearing_temp_nde', 'suction_pressure', 'discharge_pressure', 'flow', 'fluid_temp'],
  },
  'compressor-01': { line: 'Utilities', signals: ['discharge_pressure', 'discharge_temp', 'oil_temp', 'motor_current', 'vibration', 'loaded', 'duty_cycle'] },
  'spindle-01': { line: 'Machining', signals: ['speed', 'load', 'motor_current', 'bearing_temp', 'vibration', 'coolant_temp'] },
} as const;

const CSV = [
  'datetime;Accelerometer1RMS;Accelerometer2RMS;Current;Pressure;Temperature;Thermocouple;Voltage;Volume Flow RateRMS;anomaly;changepoint',
  '2020-03-09 10:14:33;0.0265878;0.0401113;1.3302;0.054711;79.3366;26.0199;233.062;32.0;0.0;0.0',
  '2020-03-09 10:14:34;0.0261697;0.0404525;1.35399;0.382638;79.5158;26.0258;236.04;32.0;0.0;0.0',
  '2020-03-09 10:14:35;0.026199;0.0394189;1.54006;0.710565;79.3756;26.0265;251.38;32.0;1.0;1.0',
];

let folder: string;
let broker: TestBroker;
let subscriber: Awaited<ReturnType<typeof recordMessages>>;
let simulators: SimulatorsHandle;
let client: OPCUAClient;
let session: ClientSession;

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'millwright-run-sim-'));
  const csv = join(folder, 'valve.csv');
  writeFileSync(csv, `${CSV.join('\n')}\n`);
  broker = await startTestBroker();
  subscriber = await recordMessages(broker.url, 'millbrook/#');
  simulators = await startSimulators({
    plcPort: 0,
    mqttUrl: broker.url,
    seed: 7,
    tickMs: 50,
    publishIntervalMs: 500,
    scenarioFile: 'smoke-short',
    replay: [
      { file: csv, as: 'opcua', loop: true },
      { file: csv, as: 'mqtt', machineId: 'skab-02', loop: true },
    ],
    pkiFolder: join(folder, 'pki'),
    logger,
  });
  client = OPCUAClient.create({
    endpointMustExist: false,
    connectionStrategy: { maxRetry: 0 },
    clientCertificateManager: new OPCUACertificateManager({ rootFolder: join(folder, 'client-pki'), automaticallyAcceptUnknownCertificate: true }),
  });
  await client.connect(simulators.plcEndpoint);
  session = await client.createSession();
});

afterAll(async () => {
  await session?.close();
  await client?.disconnect();
  await simulators?.stop();
  await subscriber?.close();
  await broker?.close();
  rmSync(folder, { recursive: true, force: true });
});

async function valueAt(path: string): Promise<{ nodeId: string; value: DataValue }> {
  const [result] = await session.translateBrowsePath([makeBrowsePath('RootFolder', path)]);
  expect(result?.statusCode, path).toEqual(StatusCodes.Good);
  const nodeId = result!.targets![0]!.targetId.toString();
  return { nodeId, value: await session.read({ nodeId, attributeId: AttributeIds.Value }) };
}

describe('startSimulators with the demo plant', () => {
  it('reports the endpoint, the seed and speed (from the scenario) and every machine', () => {
    expect(simulators.plcEndpoint).toMatch(/^opc\.tcp:\/\/127\.0\.0\.1:\d+$/);
    expect(simulators.seed).toBe(7);
    expect(simulators.speed).toBe(20);
    expect(simulators.machines.map((machine) => [machine.id, machine.kind, machine.transport])).toEqual([
      ['pump-01', 'centrifugal-pump', 'opcua'],
      ['compressor-01', 'air-compressor', 'opcua'],
      ['spindle-01', 'cnc-spindle', 'opcua'],
      ['conveyor-01', 'conveyor-motor', 'mqtt'],
      ['conveyor-02', 'conveyor-motor', 'mqtt'],
      ['meter-01', 'energy-meter', 'mqtt'],
      ['skab-01', 'skab-testbed', 'opcua'],
      ['skab-02', 'skab-testbed', 'mqtt'],
    ]);
  });

  it('serves every contract signal of the PLC machines at its browse path and node id, Good and within range', async () => {
    for (const [machine, { line, signals }] of Object.entries(OPCUA_CONTRACT)) {
      for (const signal of [...signals, 'state', 'fault_code']) {
        const { nodeId, value } = await valueAt(`/Objects/1:Millbrook/1:${line}/1:${machine}/1:${signal}`);
        expect(nodeId).toBe(`ns=1;s=${machine}.${signal}`);
        expect(value.statusCode, `${machine}.${signal}`).toEqual(StatusCodes.Good);
      }
    }
    const flowUnits = await valueAt('/Objects/1:Millbrook/1:Utilities/1:pump-01/1:flow.EngineeringUnits');
    expect((flowUnits.value.value.value as { displayName: { text: string } }).displayName.text).toBe('m³/h');
    const loaded = await valueAt('/Objects/1:Millbrook/1:Utilities/1:compressor-01/1:loaded');
    expect(typeof loaded.value.value.value).toBe('boolean');
  });

  it('serves an OPC UA replay under Testbed with SKAB units', async () => {
    const { nodeId, value } = await valueAt('/Objects/1:Millbrook/1:Testbed/1:skab-01/1:volume_flow_rate_rms');
    expect(nodeId).toBe('ns=1;s=skab-01.volume_flow_rate_rms');
    expect(value.value.value).toBe(32);
    const units = await valueAt('/Objects/1:Millbrook/1:Testbed/1:skab-01/1:accelerometer1_rms.EngineeringUnits');
    expect((units.value.value.value as { displayName: { text: string } }).displayName.text).toBe('g');
    const [label] = await session.translateBrowsePath([makeBrowsePath('RootFolder', '/Objects/1:Millbrook/1:Testbed/1:skab-01/1:anomaly')]);
    expect(label?.statusCode.isGood()).toBe(false);
  });

  it('publishes every MQTT machine on its contract topic', async () => {
    const vt = await subscriber.next((message) => message.topic === 'millbrook/packaging/conveyor-02/motor/vt');
    expect(vt.payload).toMatchObject({ sensor: 'vt-conveyor-02', readings: expect.arrayContaining([expect.objectContaining({ t: expect.any(Number) })]) });
    const power = await subscriber.next((message) => message.topic === 'millbrook/packaging/meter-01/power');
    expect(power.payload).toMatchObject({ time: expect.any(String), power_kw: expect.any(Number), voltage: { l1: expect.any(Number), l2: expect.any(Number), l3: expect.any(Number) }, pf: expect.any(Number), freq_hz: expect.any(Number) });
    const energy = await subscriber.next((message) => message.topic === 'millbrook/packaging/meter-01/energy');
    expect(typeof energy.payload).toBe('number');
    const row = await subscriber.next((message) => message.topic === 'millbrook/testbed/skab-02/telemetry');
    expect(row.payload).toMatchObject({ ts: expect.any(Number), current: expect.any(Number), volume_flow_rate_rms: 32 });
  });

  it('fires the shipped short scenario against the real plant without a refusal', async () => {
    await simulators.scenario!.finished;
    expect(simulators.scenario!.fired.map((fired) => [fired.event.machine, fired.ok, fired.message])).toEqual(
      simulators.scenario!.fired.map((fired) => [fired.event.machine, true, fired.message]),
    );
    expect(simulators.scenario!.fired).toHaveLength(6);
  });

  it('stops comm-lost MQTT machines from publishing', async () => {
    simulators.controls.inject({ machine: 'conveyor-01', fault: 'comm-loss', severity: 1, rampSeconds: 0 });
    await subscriber.next((message) => message.topic === 'millbrook/packaging/conveyor-02/motor/vt', subscriber.messages.length);
    const from = subscriber.messages.length;
    await subscriber.next((message) => message.topic === 'millbrook/packaging/conveyor-02/motor/vt', from);
    await subscriber.next((message) => message.topic === 'millbrook/packaging/conveyor-02/motor/vt', subscriber.messages.length);
    expect(subscriber.messages.slice(from).filter((message) => message.topic.includes('conveyor-01'))).toEqual([]);
    simulators.controls.clearFaults('conveyor-01', 'all');
  });
});

describe('sim control client against the running simulators', () => {
  let control: SimControlClient;
  beforeAll(async () => {
    control = await SimControlClient.connect({ endpoint: simulators.plcEndpoint, pkiFolder: join(folder, 'control-pki') });
  });
  afterAll(async () => {
    await control?.close();
  });

  it('injects and clears faults on OPC UA and MQTT machines alike, and lists them', async () => {
    expect(await control.inject('compressor-01', 'bearing-wear', { severity: 0.4, rampSeconds: 30 })).toMatch(/injected bearing-wear into compressor-01: severity 0.4, full after 30 s/);
    await control.inject('conveyor-02', 'sensor-dropout', { signal: 'motor_temp' });
    const machines = await control.listMachines();
    expect(machines.find((machine) => machine.id === 'compressor-01')?.activeFaults).toEqual(['bearing-wear']);
    expect(machines.find((machine) => machine.id === 'conveyor-02')?.activeFaults).toEqual(['sensor-dropout(motor_temp)']);
    const nulls = await subscriber.next(
      (message) => message.topic === 'millbrook/packaging/conveyor-02/motor/vt' && (message.payload as { readings: { temp_c: unknown }[] }).readings.every((reading) => reading.temp_c === null),
    );
    expect(nulls).toBeDefined();
    expect(await control.clearFaults('compressor-01')).toMatch(/cleared 1 active fault\(s\) of compressor-01/);
    await control.clearFaults('conveyor-02', 'sensor-dropout');
    expect((await control.listMachines()).flatMap((machine) => machine.activeFaults)).toEqual([]);
  });

  it('makes an injected sensor dropout visible as BadSensorFailure on the PLC', async () => {
    await control.inject('spindle-01', 'sensor-dropout', { signal: 'coolant_temp' });
    await expect.poll(async () => (await valueAt('/Objects/1:Millbrook/1:Machining/1:spindle-01/1:coolant_temp')).value.statusCode.name, { timeout: 10_000 }).toBe('BadSensorFailure');
    await control.clearFaults('spindle-01');
    await expect.poll(async () => (await valueAt('/Objects/1:Millbrook/1:Machining/1:spindle-01/1:coolant_temp')).value.statusCode.name, { timeout: 10_000 }).toBe('Good');
  });

  it('sends commands and load setpoints', async () => {
    expect(await control.setLoad('conveyor-01', 70)).toMatch(/load of conveyor-01 set to 70 %/);
    await control.command('compressor-01', 'stop');
    await expect.poll(async () => (await valueAt('/Objects/1:Millbrook/1:Utilities/1:compressor-01/1:state')).value.value.value, { timeout: 10_000 }).not.toBe(2);
    await control.command('compressor-01', 'start');
  });

  it('throws the simulator’s own explanation with the status code', async () => {
    const refusal = await control.inject('meter-01', 'cavitation').catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(SimControlError);
    expect((refusal as SimControlError).statusCode).toBe('BadNotSupported');
    expect((refusal as SimControlError).message).toMatch(/^InjectFault refused \(BadNotSupported\): .*meter-01.*cavitation/);
    await expect(control.command('mill-07', 'start')).rejects.toThrow(/no simulated machine 'mill-07'; machines: pump-01, compressor-01, spindle-01, conveyor-01/);
    await expect(control.setLoad('compressor-01', 500)).rejects.toThrow(/load must be from 0 to 150/);
    await expect(control.inject('pump-01', 'sensor-drift')).rejects.toThrow(/sensor-drift needs the signal whose sensor misbehaves; pump-01 signals: speed, motor_current/);
  });

  it('fails fast and clearly when nothing listens at the endpoint', async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port } = server.address() as AddressInfo;
        server.close(() => resolve(port));
      });
    });
    const failure = SimControlClient.connect({ endpoint: `opc.tcp://127.0.0.1:${closedPort}`, pkiFolder: join(folder, 'control-pki'), timeoutMs: 5000 });
    await expect(failure).rejects.toThrow(
      new RegExp(`cannot reach the simulator's OPC UA server at opc.tcp://127.0.0.1:${closedPort}: .*Start the simulators with \`millwright sim\`, or point at a running one with --endpoint`),
    );
  });
});

describe('stopping', () => {
  it('releases the port, the clock and the broker connection, and may be called twice', async () => {
    const alone = await startSimulators({ plcPort: 0, plant: false, mqttUrl: broker.url, pkiFolder: join(folder, 'pki'), logger });
    expect(alone.machines).toEqual([]);
    expect(alone.simulation.running).toBe(true);
    const port = Number(new URL(alone.plcEndpoint.replace('opc.tcp:', 'http:')).port);
    await Promise.all([alone.stop(), alone.stop()]);
    expect(alone.simulation.running).toBe(false);
    expect(alone.mqttSensors?.connected).toBe(false);
    const refused = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(false);
      });
      socket.once('error', () => resolve(true));
    });
    expect(refused).toBe(true);
  });
});

describe('startSimulators errors', () => {
  it('names the shipped scenarios when the scenario is unknown', async () => {
    await expect(startSimulators({ plcPort: 0, scenarioFile: 'no-such-story', pkiFolder: join(folder, 'pki'), logger })).rejects.toThrow(
      /no scenario file no-such-story; .*shipped scenarios: bearing-wear-and-air-leak, smoke-short/,
    );
  });

  it('refuses a scenario naming a machine the plant does not have, with its line', async () => {
    const file = join(folder, 'wrong-machine.yaml');
    writeFileSync(file, 'name: wrong\nevents:\n  - { at: 1s, machine: pump-99, command: stop }\n');
    await expect(startSimulators({ plcPort: 0, scenarioFile: file, pkiFolder: join(folder, 'pki'), logger })).rejects.toThrow(
      /wrong-machine\.yaml:3:\d+ events\[0\]\.machine: no simulated machine 'pump-99'/,
    );
  });

  it('says a replay over MQTT needs a broker', async () => {
    await expect(startSimulators({ plcPort: 0, replay: [{ file: join(folder, 'valve.csv'), as: 'mqtt' }], pkiFolder: join(folder, 'pki'), logger })).rejects.toThrow(
      /needs a broker: give an MQTT URL \(--mqtt/,
    );
  });
});
