import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AttributeIds,
  DataType,
  MessageSecurityMode,
  OPCUACertificateManager,
  OPCUAClient,
  SecurityPolicy,
  StatusCodes,
  TimestampsToReturn,
  UserTokenType,
  Variant,
  makeBrowsePath,
  type ClientSession,
  type DataValue,
  type NodeIdLike,
} from 'node-opcua';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpcuaPlcServer } from '../../simulators/opcua-plc-server.js';
import { SimControlClient } from '../../simulators/sim-control-client.js';
import { SimulatorControls } from '../../simulators/simulator-controls.js';
import { Simulation } from '../../simulators/simulation.js';
import { placeStub } from './stub-machine.js';

const logger = pino({ level: 'silent' });
const pump = placeStub('pump-01', 'opcua');
const spindle = placeStub('spindle-01', 'opcua', 'Machining');
const conveyor = placeStub('conveyor-01', 'mqtt', 'Packaging');
const simulation = new Simulation({ machines: [pump, spindle, conveyor], tickMs: 50, logger });
const controls = new SimulatorControls(simulation.machines, logger);

let pki: string;
let plc: OpcuaPlcServer;
let client: OPCUAClient;
let session: ClientSession;

beforeAll(async () => {
  pki = mkdtempSync(join(tmpdir(), 'millwright-sim-opcua-'));
  plc = await OpcuaPlcServer.start({
    simulation,
    controls,
    port: 0,
    pkiFolder: join(pki, 'server'),
    users: [{ username: 'operator', password: 'secret' }],
    logger,
  });
  simulation.start();
  client = OPCUAClient.create({
    endpointMustExist: false,
    connectionStrategy: { maxRetry: 0 },
    clientCertificateManager: new OPCUACertificateManager({ rootFolder: join(pki, 'client'), automaticallyAcceptUnknownCertificate: true }),
  });
  await client.connect(plc.endpointUrl);
  session = await client.createSession();
});

afterAll(async () => {
  simulation.stop();
  await session?.close();
  await client?.disconnect();
  await plc?.stop();
  rmSync(pki, { recursive: true, force: true });
});

async function nodeIdAt(path: string): Promise<string> {
  const [result] = await session.translateBrowsePath([makeBrowsePath('RootFolder', path)]);
  expect(result?.statusCode, `browse path ${path}`).toEqual(StatusCodes.Good);
  return result!.targets![0]!.targetId.toString();
}

async function readValue(nodeId: NodeIdLike): Promise<DataValue> {
  return session.read({ nodeId, attributeId: AttributeIds.Value });
}

/** Reads the node until the predicate holds; simulation ticks every 50 ms. */
async function readUntil(nodeId: string, predicate: (value: DataValue) => boolean, timeoutMs = 10_000): Promise<DataValue> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await readValue(nodeId);
    if (predicate(value)) return value;
    if (Date.now() > deadline) throw new Error(`${nodeId} never matched; last ${value.toString()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function callSimulator(method: string, args: Variant[]) {
  return session.call({ objectId: 'ns=1;s=Simulator', methodId: `ns=1;s=Simulator.${method}`, inputArguments: args });
}
const s = (value: string) => new Variant({ dataType: DataType.String, value });
const d = (value: number) => new Variant({ dataType: DataType.Double, value });

describe('simulated PLC address space', () => {
  it('reports a real endpoint URL for port 0 and serves namespace 1 as its own', async () => {
    expect(plc.endpointUrl).toMatch(/^opc\.tcp:\/\/127\.0\.0\.1:\d+$/);
    expect(plc.endpointUrl).not.toMatch(/:0$/);
    const namespaces = await readValue('ns=0;i=2255');
    expect((namespaces.value.value as string[]).length).toBeGreaterThanOrEqual(2);
  });

  it('places machines under Objects/Millbrook/<Line>/<machine> with the contract node ids', async () => {
    expect(await nodeIdAt('/Objects/1:Millbrook/1:Utilities/1:pump-01/1:speed')).toBe('ns=1;s=pump-01.speed');
    expect(await nodeIdAt('/Objects/1:Millbrook/1:Machining/1:spindle-01/1:vibration')).toBe('ns=1;s=spindle-01.vibration');
    expect(await nodeIdAt('/Objects/1:Millbrook/1:Utilities/1:pump-01/1:state')).toBe('ns=1;s=pump-01.state');
    expect(await nodeIdAt('/Objects/1:Millbrook/1:Utilities/1:pump-01/1:fault_code')).toBe('ns=1;s=pump-01.fault_code');
    const [mqttMachine] = await session.translateBrowsePath([makeBrowsePath('RootFolder', '/Objects/1:Millbrook/1:Packaging')]);
    expect(mqttMachine?.statusCode.isGood()).toBe(false);
  });

  it('makes analog signals AnalogItems with EngineeringUnits (UNECE code) and EURange', async () => {
    const unitsId = await nodeIdAt('/Objects/1:Millbrook/1:Utilities/1:pump-01/1:temp.EngineeringUnits');
    const units = (await readValue(unitsId)).value.value as { unitId: number; displayName: { text: string } };
    expect(units.displayName.text).toBe('°C');
    expect(units.unitId).toBe(0x43454c); // "CEL"
    const rangeId = await nodeIdAt('/Objects/1:Millbrook/1:Utilities/1:pump-01/1:speed.EURange');
    const range = (await readValue(rangeId)).value.value as { low: number; high: number };
    expect([range.low, range.high]).toEqual([0, 3600]);
    const typeDefinition = await session.read({ nodeId: 'ns=1;s=pump-01.speed', attributeId: AttributeIds.DataType });
    expect(typeDefinition.value.value.toString()).toBe('ns=0;i=11'); // Double
    const sampling = await session.read({ nodeId: 'ns=1;s=pump-01.speed', attributeId: AttributeIds.MinimumSamplingInterval });
    expect(sampling.value.value).toBeLessThanOrEqual(100);
  });

  it('exposes boolean signals as TwoStateDiscrete, state as MultiStateDiscrete and fault_code as UInt32', async () => {
    const alarm = await readValue('ns=1;s=pump-01.alarm');
    expect(alarm.value.dataType).toBe(DataType.Boolean);
    await nodeIdAt('/Objects/1:Millbrook/1:Utilities/1:pump-01/1:alarm.TrueState');
    const enumStringsId = await nodeIdAt('/Objects/1:Millbrook/1:Utilities/1:pump-01/1:state.EnumStrings');
    const enumStrings = (await readValue(enumStringsId)).value.value as { text: string }[];
    expect(enumStrings.map((text) => text.text)).toEqual(['stopped', 'starting', 'running', 'stopping', 'tripped']);
    const state = await readValue('ns=1;s=pump-01.state');
    expect(state.value.dataType).toBe(DataType.UInt32);
    expect(state.value.value).toBe(2);
    const faultCode = await readValue('ns=1;s=pump-01.fault_code');
    expect(faultCode.value.dataType).toBe(DataType.UInt32);
    expect(faultCode.value.value).toBe(0);
  });

  it('pushes changing values with Good status and a fresh source timestamp every tick', async () => {
    const subscription = await session.createSubscription2({ requestedPublishingInterval: 100, publishingEnabled: true, maxNotificationsPerPublish: 100 });
    const item = await subscription.monitor(
      { nodeId: 'ns=1;s=pump-01.temp', attributeId: AttributeIds.Value },
      { samplingInterval: 100, queueSize: 10, discardOldest: true },
      TimestampsToReturn.Both,
    );
    const seen: DataValue[] = [];
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${seen.length} changes of pump-01.temp within 5 s`)), 5000);
      item.on('changed', (value: DataValue) => {
        seen.push(value);
        if (seen.length >= 3) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    await subscription.terminate();
    const values = seen.map((value) => value.value.value as number);
    expect(new Set(values).size).toBe(values.length);
    for (const value of seen) {
      expect(value.statusCode).toEqual(StatusCodes.Good);
      expect(Math.abs(Date.now() - value.sourceTimestamp!.getTime())).toBeLessThan(10_000);
    }
  });
});

describe('Simulator methods', () => {
  it('InjectFault through Objects/Simulator changes the machine, and ClearFaults undoes it', async () => {
    const result = await callSimulator('InjectFault', [s('pump-01'), s('bearing-wear'), d(0.8), d(0), s('')]);
    expect(result.statusCode).toEqual(StatusCodes.Good);
    expect(result.outputArguments?.[0]?.value).toContain('bearing-wear');
    await readUntil('ns=1;s=pump-01.vibration', (value) => value.value.value === 9);
    const cleared = await callSimulator('ClearFaults', [s('pump-01'), s('')]);
    expect(cleared.statusCode).toEqual(StatusCodes.Good);
    await readUntil('ns=1;s=pump-01.vibration', (value) => value.value.value === 1);
  });

  it('also answers on the machine object itself', async () => {
    const result = await session.call({ objectId: 'ns=1;s=spindle-01', methodId: 'ns=1;s=spindle-01.SetLoad', inputArguments: [d(80)] });
    expect(result.statusCode).toEqual(StatusCodes.Good);
    await readUntil('ns=1;s=spindle-01.speed', (value) => value.value.value === 2400);
    const stop = await session.call({ objectId: 'ns=1;s=spindle-01', methodId: 'ns=1;s=spindle-01.Command', inputArguments: [s('stop')] });
    expect(stop.statusCode).toEqual(StatusCodes.Good);
    await readUntil('ns=1;s=spindle-01.state', (value) => value.value.value === 0);
    await session.call({ objectId: 'ns=1;s=spindle-01', methodId: 'ns=1;s=spindle-01.Command', inputArguments: [s('start')] });
  });

  it('reaches machines on MQTT too', async () => {
    const result = await callSimulator('SetLoad', [s('conveyor-01'), d(70)]);
    expect(result.statusCode).toEqual(StatusCodes.Good);
    expect(conveyor.machine.load).toBe(70);
  });

  it('refuses requests that do not apply with a bad status and a message saying what is supported', async () => {
    const unknownMachine = await callSimulator('Command', [s('pump-99'), s('start')]);
    expect(unknownMachine.statusCode).toEqual(StatusCodes.BadNotFound);
    expect(unknownMachine.outputArguments?.[0]?.value).toMatch(/pump-99.*pump-01, spindle-01, conveyor-01/);

    const unsupported = await callSimulator('InjectFault', [s('pump-01'), s('air-leak'), d(0.5), d(0), s('')]);
    expect(unsupported.statusCode).toEqual(StatusCodes.BadNotSupported);
    expect(unsupported.outputArguments?.[0]?.value).toMatch(/air-leak.*bearing-wear, sensor-dropout, comm-loss/);

    const unknownFault = await callSimulator('InjectFault', [s('pump-01'), s('gremlins'), d(0.5), d(0), s('')]);
    expect(unknownFault.statusCode).toEqual(StatusCodes.BadInvalidArgument);
    expect(unknownFault.outputArguments?.[0]?.value).toMatch(/unknown fault 'gremlins'/);

    const severity = await callSimulator('InjectFault', [s('pump-01'), s('bearing-wear'), d(3), d(0), s('')]);
    expect(severity.statusCode).toEqual(StatusCodes.BadOutOfRange);
    expect(severity.outputArguments?.[0]?.value).toMatch(/severity must be between 0 and 1/);

    const noSignal = await callSimulator('InjectFault', [s('pump-01'), s('sensor-dropout'), d(1), d(0), s('')]);
    expect(noSignal.statusCode).toEqual(StatusCodes.BadInvalidArgument);
    expect(noSignal.outputArguments?.[0]?.value).toMatch(/needs the signal.*speed, temp, vibration, alarm/);

    const badCommand = await callSimulator('Command', [s('pump-01'), s('explode')]);
    expect(badCommand.statusCode).toEqual(StatusCodes.BadInvalidArgument);
    expect(badCommand.outputArguments?.[0]?.value).toMatch(/start, stop, reset/);
    expect(pump.machine.commands).not.toContain('explode');
  });

  it('lists every machine with kind, transport, faults and signals', async () => {
    const result = await callSimulator('ListMachines', []);
    const machines = JSON.parse(result.outputArguments?.[0]?.value as string) as { id: string; transport: string; supportedFaults: string[]; signals: { id: string }[] }[];
    expect(machines.map((machine) => [machine.id, machine.transport])).toEqual([
      ['pump-01', 'opcua'],
      ['spindle-01', 'opcua'],
      ['conveyor-01', 'mqtt'],
    ]);
    expect(machines[0]?.supportedFaults).toContain('bearing-wear');
    expect(machines[0]?.signals.map((signal) => signal.id)).toEqual(['speed', 'temp', 'vibration', 'alarm']);
  });
});

describe('reading status codes', () => {
  it('a sensor-dropout gives BadSensorFailure on that signal only', async () => {
    await callSimulator('InjectFault', [s('pump-01'), s('sensor-dropout'), d(1), d(0), s('temp')]);
    await readUntil('ns=1;s=pump-01.temp', (value) => value.statusCode.equals(StatusCodes.BadSensorFailure));
    expect((await readValue('ns=1;s=pump-01.speed')).statusCode).toEqual(StatusCodes.Good);
    await callSimulator('ClearFaults', [s('pump-01'), s('sensor-dropout')]);
    await readUntil('ns=1;s=pump-01.temp', (value) => value.statusCode.equals(StatusCodes.Good));
  });

  it('comm-loss gives BadNoCommunication on every variable of the machine, state and fault_code included', async () => {
    await callSimulator('InjectFault', [s('spindle-01'), s('comm-loss'), d(1), d(0), s('')]);
    await readUntil('ns=1;s=spindle-01.speed', (value) => value.statusCode.equals(StatusCodes.BadNoCommunication));
    for (const signal of ['temp', 'vibration', 'alarm', 'state', 'fault_code']) {
      expect((await readValue(`ns=1;s=spindle-01.${signal}`)).statusCode, signal).toEqual(StatusCodes.BadNoCommunication);
    }
    expect((await readValue('ns=1;s=pump-01.speed')).statusCode).toEqual(StatusCodes.Good);
    await callSimulator('ClearFaults', [s('spindle-01'), s('all')]);
    await readUntil('ns=1;s=spindle-01.state', (value) => value.statusCode.equals(StatusCodes.Good));
  });
});

describe('Simulator object', () => {
  it('shows the simulated time advancing', async () => {
    const first = (await readValue('ns=1;s=Simulator.SimulatedTime')).value.value as number;
    await readUntil('ns=1;s=Simulator.SimulatedTime', (value) => (value.value.value as number) > first);
  });
});

describe('security', () => {
  it('offers None, and Sign and SignAndEncrypt with the three current policies', async () => {
    const endpoints = await client.getEndpoints();
    const offered = new Set(endpoints.map((endpoint) => `${MessageSecurityMode[endpoint.securityMode]} ${endpoint.securityPolicyUri?.split('#')[1]}`));
    const expected = ['None None'];
    for (const mode of ['Sign', 'SignAndEncrypt']) {
      for (const policy of ['Basic256Sha256', 'Aes128_Sha256_RsaOaep', 'Aes256_Sha256_RsaPss']) expected.push(`${mode} ${policy}`);
    }
    expect([...offered].sort()).toEqual(expected.sort());
    expect(endpoints.every((endpoint) => endpoint.endpointUrl === plc.endpointUrl)).toBe(true);
  });

  it('lets the control client in with a configured user and says so when the password is wrong', async () => {
    const options = { endpoint: plc.endpointUrl, pkiFolder: join(pki, 'client'), username: 'operator' };
    await expect(SimControlClient.connect({ ...options, password: 'wrong' })).rejects.toThrow(
      /reached opc\.tcp:\/\/127\.0\.0\.1:\d+ but could not open a session as user operator: .*Check the user name and password/,
    );
    const control = await SimControlClient.connect({ ...options, password: 'secret' });
    try {
      expect((await control.listMachines()).map((machine) => machine.id)).toEqual(['pump-01', 'spindle-01', 'conveyor-01']);
    } finally {
      await control.close();
    }
  });

  it('accepts SignAndEncrypt with Basic256Sha256 and a configured user, and refuses a wrong password', async () => {
    const secureClient = OPCUAClient.create({
      endpointMustExist: false,
      securityMode: MessageSecurityMode.SignAndEncrypt,
      securityPolicy: SecurityPolicy.Basic256Sha256,
      connectionStrategy: { maxRetry: 0 },
      clientCertificateManager: new OPCUACertificateManager({ rootFolder: join(pki, 'client'), automaticallyAcceptUnknownCertificate: true }),
    });
    await secureClient.connect(plc.endpointUrl);
    try {
      await expect(secureClient.createSession({ type: UserTokenType.UserName, userName: 'operator', password: 'wrong' })).rejects.toThrow();
      const secureSession = await secureClient.createSession({ type: UserTokenType.UserName, userName: 'operator', password: 'secret' });
      expect((await secureSession.read({ nodeId: 'ns=1;s=pump-01.speed', attributeId: AttributeIds.Value })).statusCode).toEqual(StatusCodes.Good);
      await secureSession.close();
    } finally {
      await secureClient.disconnect();
    }
  });
});
