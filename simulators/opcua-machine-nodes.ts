import {
  DataType,
  StatusCodes,
  Variant,
  type Namespace,
  type StatusCode,
  type UAObject,
  type UAVariable,
} from 'node-opcua';
import type { OperatingState, PlacedMachine, ReadingStatus } from './machine.js';
import { engineeringUnits } from './opcua-units.js';

/** EnumStrings of the `state` MultiStateDiscrete: index = value. */
const OPERATING_STATES: readonly OperatingState[] = ['stopped', 'starting', 'running', 'stopping', 'tripped'];

const READING_STATUS: Readonly<Record<ReadingStatus, StatusCode>> = {
  good: StatusCodes.Good,
  'sensor-failure': StatusCodes.BadSensorFailure,
  'no-communication': StatusCodes.BadNoCommunication,
};

export interface MachineNodes {
  readonly placed: PlacedMachine;
  readonly object: UAObject;
  /** Pushes the machine's current readings, state and trip code with this source timestamp. */
  update(sourceTimestamp: Date): void;
}

/**
 * Adds `<parent>/<site>/<line>/<machine-id>` with one variable per signal (AnalogItem Double with
 * EngineeringUnits and EURange, or TwoStateDiscrete Boolean), `state` (MultiStateDiscrete UInt32) and
 * `fault_code` (UInt32). Node ids are `ns=<namespace>;s=<machine-id>.<signal-id>`.
 */
export function addMachineNodes(
  namespace: Namespace,
  lineFolder: UAObject,
  placed: PlacedMachine,
  minimumSamplingInterval: number,
): MachineNodes {
  const { machine } = placed;
  const object = namespace.addObject({
    browseName: machine.id,
    nodeId: `s=${machine.id}`,
    organizedBy: lineFolder,
    description: `${machine.kind} ${machine.id} (${placed.line}, ${placed.site})`,
  });
  const readOnly = { accessLevel: 'CurrentRead', userAccessLevel: 'CurrentRead', minimumSamplingInterval } as const;

  const signalNodes: { variable: UAVariable; boolean: boolean }[] = machine.signals.map((spec) => {
    const common = { ...readOnly, componentOf: object, browseName: spec.id, nodeId: `s=${machine.id}.${spec.id}`, displayName: spec.displayName };
    if (spec.kind === 'boolean') {
      return { variable: namespace.addTwoStateDiscrete({ ...common, trueState: 'true', falseState: 'false', value: false }), boolean: true };
    }
    const variable = namespace.addAnalogDataItem({
      ...common,
      dataType: 'Double',
      engineeringUnits: engineeringUnits(spec.unit),
      engineeringUnitsRange: { low: spec.range[0], high: spec.range[1] },
    });
    return { variable, boolean: false };
  });
  const state = namespace.addMultiStateDiscrete({
    ...readOnly,
    componentOf: object,
    browseName: 'state',
    nodeId: `s=${machine.id}.state`,
    dataType: 'UInt32',
    enumStrings: [...OPERATING_STATES],
    value: 0,
  });
  const faultCode = namespace.addVariable({
    ...readOnly,
    componentOf: object,
    browseName: 'fault_code',
    nodeId: `s=${machine.id}.fault_code`,
    description: '0 while healthy, else the PLC trip code',
    dataType: 'UInt32',
  });

  return {
    placed,
    object,
    update(sourceTimestamp) {
      const readings = machine.readings();
      readings.forEach((reading, index) => {
        const node = signalNodes[index];
        if (!node) return;
        const variant = node.boolean
          ? new Variant({ dataType: DataType.Boolean, value: reading.value !== 0 })
          : new Variant({ dataType: DataType.Double, value: reading.value });
        node.variable.setValueFromSource(variant, READING_STATUS[reading.status], sourceTimestamp);
      });
      const linkLost = readings.length > 0 && readings.every((reading) => reading.status === 'no-communication');
      const machineStatus = linkLost ? StatusCodes.BadNoCommunication : StatusCodes.Good;
      const stateIndex = OPERATING_STATES.indexOf(machine.state);
      state.setValueFromSource(new Variant({ dataType: DataType.UInt32, value: Math.max(0, stateIndex) }), machineStatus, sourceTimestamp);
      faultCode.setValueFromSource(new Variant({ dataType: DataType.UInt32, value: machine.faultCode }), machineStatus, sourceTimestamp);
    },
  };
}
