import type {
  ActiveFault,
  FaultKind,
  FaultRequest,
  OperatingState,
  PlacedMachine,
  Reading,
  SignalSpec,
  SimulatedMachine,
} from '../../simulators/machine.js';

/**
 * A small deterministic machine for front-end tests. With the default signals: `speed` follows the load
 * setpoint while running, `temp` rises with time, `vibration` grows with an injected bearing-wear's
 * severity, `alarm` is a boolean. Other signal lists read `(index + 1) × 10 + time`. Supports
 * bearing-wear, sensor-dropout and comm-loss; refuses the rest like a real machine.
 */
const STUB_SIGNALS: readonly SignalSpec[] = [
  { id: 'speed', displayName: 'Speed', unit: 'rpm', range: [0, 3600], kind: 'analog' },
  { id: 'temp', displayName: 'Temperature', unit: '°C', range: [0, 150], kind: 'analog' },
  { id: 'vibration', displayName: 'Vibration', unit: 'mm/s', range: [0, 30], kind: 'analog' },
  { id: 'alarm', displayName: 'Alarm', unit: '', range: [0, 1], kind: 'boolean' },
];

export function analogSignals(...ids: string[]): SignalSpec[] {
  return ids.map((id) => ({ id, displayName: id, unit: '', range: [0, 1000], kind: 'analog' }));
}

export class StubMachine implements SimulatedMachine {
  readonly supportedFaults: readonly FaultKind[] = ['bearing-wear', 'sensor-dropout', 'comm-loss'];
  state: OperatingState = 'running';
  faultCode = 0;
  activeFaults: ActiveFault[] = [];
  load = 50;
  time = 0;
  readonly commands: string[] = [];

  constructor(
    readonly id: string,
    readonly kind = 'stub-pump',
    readonly signals: readonly SignalSpec[] = STUB_SIGNALS,
  ) {}

  step(dtSeconds: number): void {
    this.time += dtSeconds;
  }

  readings(): Reading[] {
    const wear = this.activeFaults.find((fault) => fault.fault === 'bearing-wear');
    const commLoss = this.activeFaults.some((fault) => fault.fault === 'comm-loss');
    const dropped = new Set(this.activeFaults.filter((fault) => fault.fault === 'sensor-dropout').map((fault) => fault.signal));
    const running = this.state === 'running';
    const values: Record<string, number> = {
      speed: running ? 30 * this.load : 0,
      temp: 20 + this.time,
      vibration: 1 + (wear ? 10 * wear.severity : 0),
      alarm: this.faultCode !== 0 ? 1 : 0,
    };
    return this.signals.map((spec, index) => ({
      signal: spec.id,
      value: values[spec.id] ?? (index + 1) * 10 + this.time,
      status: commLoss ? 'no-communication' : dropped.has(spec.id) ? 'sensor-failure' : 'good',
    }));
  }

  inject(request: FaultRequest): void {
    if (!this.supportedFaults.includes(request.fault)) {
      throw new Error(`${this.id} (${this.kind}) cannot develop ${request.fault}; supported: ${this.supportedFaults.join(', ')}`);
    }
    this.activeFaults = [...this.activeFaults.filter((fault) => fault.fault !== request.fault), { ...request, since: this.time }];
  }

  clearFaults(fault?: FaultKind): void {
    this.activeFaults = fault ? this.activeFaults.filter((active) => active.fault !== fault) : [];
  }

  command(command: 'start' | 'stop' | 'reset'): void {
    this.commands.push(command);
    if (command === 'start') this.state = 'running';
    if (command === 'stop') this.state = 'stopped';
    if (command === 'reset') this.faultCode = 0;
  }

  setLoad(percent: number): void {
    this.load = percent;
  }
}

export function placeStub(
  id: string,
  transport: 'opcua' | 'mqtt',
  line = 'Utilities',
  kind = 'stub-pump',
  signals: readonly SignalSpec[] = STUB_SIGNALS,
): PlacedMachine & { machine: StubMachine } {
  return { site: 'Millbrook', line, transport, machine: new StubMachine(id, kind, signals) };
}
