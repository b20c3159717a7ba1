import {
  DataType,
  StatusCodes,
  Variant,
  type ArgumentOptions,
  type CallMethodResultOptions,
  type ISessionContext,
  type Namespace,
  type StatusCode,
  type UAMethod,
  type UAObject,
} from 'node-opcua';
import { ControlError, type ControlErrorKind, type SimulatorControls } from './simulator-controls.js';

const ERROR_STATUS: Readonly<Record<ControlErrorKind, StatusCode>> = {
  'unknown-machine': StatusCodes.BadNotFound,
  'invalid-argument': StatusCodes.BadInvalidArgument,
  'out-of-range': StatusCodes.BadOutOfRange,
  'not-supported': StatusCodes.BadNotSupported,
};

const MESSAGE_OUTPUT: ArgumentOptions = {
  name: 'Message',
  dataType: DataType.String,
  description: 'What was done, or why the request was refused and what would be accepted',
};

const MACHINE_ARGUMENT: ArgumentOptions = { name: 'machine', dataType: DataType.String, description: 'Machine id, e.g. pump-01' };

const ARGUMENTS = {
  InjectFault: [
    { name: 'fault', dataType: DataType.String, description: 'bearing-wear, cavitation, blockage, motor-overheating, air-leak, sensor-stuck, sensor-drift, sensor-spike, sensor-dropout, comm-loss' },
    { name: 'severity', dataType: DataType.Double, description: '0..1, how bad the fault becomes once fully developed' },
    { name: 'rampSeconds', dataType: DataType.Double, description: 'simulated seconds from onset to full severity (0 = at once)' },
    { name: 'signal', dataType: DataType.String, description: 'for sensor-* faults: the signal whose sensor misbehaves; "" otherwise' },
  ],
  ClearFaults: [{ name: 'fault', dataType: DataType.String, description: 'fault kind to clear; "" or "all" clears every fault' }],
  Command: [{ name: 'command', dataType: DataType.String, description: 'start, stop or reset (a trip)' }],
  SetLoad: [{ name: 'percent', dataType: DataType.Double, description: 'load setpoint in % of rated duty (100 = rated; the machine sets the upper limit)' }],
} satisfies Record<string, ArgumentOptions[]>;

type MethodName = keyof typeof ARGUMENTS;

/** Turns a method's input variants into the control call; returns the control's message. */
type ControlCall = (machine: string, args: readonly unknown[]) => string;

function controlCalls(controls: SimulatorControls): Record<MethodName, ControlCall> {
  return {
    InjectFault: (machine, [fault, severity, rampSeconds, signal]) =>
      controls.inject({ machine, fault: String(fault ?? ''), severity: Number(severity), rampSeconds: Number(rampSeconds), signal: String(signal ?? '') }),
    ClearFaults: (machine, [fault]) => controls.clearFaults(machine, String(fault ?? '')),
    Command: (machine, [command]) => controls.command(machine, String(command ?? '')),
    SetLoad: (machine, [percent]) => controls.setLoad(machine, Number(percent)),
  };
}

function messageResult(statusCode: StatusCode, message: string): CallMethodResultOptions {
  return { statusCode, outputArguments: [new Variant({ dataType: DataType.String, value: message })] };
}

/** node-opcua tells a promise-returning method from a callback one by its arity, so the handler takes exactly two parameters. */
function bindHandler(method: UAMethod, handler: (args: unknown[]) => CallMethodResultOptions): void {
  method.bindMethod(async (inputArguments: Variant[], _context: ISessionContext) => handler(inputArguments.map((variant) => variant.value as unknown)));
}

function runControl(action: () => string): CallMethodResultOptions {
  try {
    return messageResult(StatusCodes.Good, action());
  } catch (error) {
    if (error instanceof ControlError) return messageResult(ERROR_STATUS[error.kind], error.message);
    return messageResult(StatusCodes.BadInternalError, `simulator error: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** InjectFault(fault, severity, rampSeconds, signal), ClearFaults(fault), Command(command), SetLoad(percent) on one machine's object. */
export function addMachineMethods(namespace: Namespace, object: UAObject, machineId: string, controls: SimulatorControls): void {
  const calls = controlCalls(controls);
  for (const name of Object.keys(ARGUMENTS) as MethodName[]) {
    const method = namespace.addMethod(object, {
      browseName: name,
      nodeId: `s=${machineId}.${name}`,
      inputArguments: ARGUMENTS[name],
      outputArguments: [MESSAGE_OUTPUT],
    });
    bindHandler(method, (args) => runControl(() => calls[name](machineId, args)));
  }
}

/**
 * `Objects/Simulator`: the same methods with a leading `machine` argument, reaching every machine
 * whatever its transport, plus ListMachines() → Machines (JSON) and SimulatedTime (s).
 */
export function addSimulatorObject(namespace: Namespace, objectsFolder: UAObject, controls: SimulatorControls, simTime: () => number): UAObject {
  const simulator = namespace.addObject({
    browseName: 'Simulator',
    nodeId: 's=Simulator',
    organizedBy: objectsFolder,
    description: 'Simulator controls (not PLC writes): fault injection, operator commands, load setpoints',
  });
  const calls = controlCalls(controls);
  for (const name of Object.keys(ARGUMENTS) as MethodName[]) {
    const method = namespace.addMethod(simulator, {
      browseName: name,
      nodeId: `s=Simulator.${name}`,
      inputArguments: [MACHINE_ARGUMENT, ...ARGUMENTS[name]],
      outputArguments: [MESSAGE_OUTPUT],
    });
    bindHandler(method, ([machine, ...rest]) => runControl(() => calls[name](String(machine ?? ''), rest)));
  }
  const list = namespace.addMethod(simulator, {
    browseName: 'ListMachines',
    nodeId: 's=Simulator.ListMachines',
    inputArguments: [],
    outputArguments: [{ name: 'Machines', dataType: DataType.String, description: 'JSON array: id, kind, site, line, transport, supportedFaults, signals, state, faultCode, activeFaults' }],
  });
  bindHandler(list, () => ({
    statusCode: StatusCodes.Good,
    outputArguments: [new Variant({ dataType: DataType.String, value: JSON.stringify(controls.listMachines()) })],
  }));
  namespace.addVariable({
    componentOf: simulator,
    browseName: 'SimulatedTime',
    nodeId: 's=Simulator.SimulatedTime',
    description: 'Simulated seconds since the simulation began',
    dataType: 'Double',
    accessLevel: 'CurrentRead',
    userAccessLevel: 'CurrentRead',
    minimumSamplingInterval: 100,
    value: { get: () => new Variant({ dataType: DataType.Double, value: simTime() }) },
  });
  return simulator;
}
