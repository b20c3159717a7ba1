import type { Sample } from '../../gateway/sample.js';
import type { OperatingState, PlacedMachine, Reading } from '../../simulators/machine.js';

/** The `state` enumeration the simulated PLC publishes (index = value). */
const OPERATING_STATES: readonly OperatingState[] = ['stopped', 'starting', 'running', 'stopping', 'tripped'];

/** Source ids of the demo configuration. */
const PLC_SOURCE = 'plc-sim';
const SENSOR_SOURCE = 'wireless-sensors';

export interface SimulatedTelemetryOptions {
  /** Epoch ms of the first timestamp. */
  readonly startMs: number;
  /** Timestamp ms per tick: the simulators' 100 ms. */
  readonly tickMs?: number;
  /** Simulated seconds per second of timestamps, as the demo's --speed (each tick steps tickMs × speed). Default 1. */
  readonly speed?: number;
  /** How often the MQTT sensors publish what they sampled (timestamp ms): the simulators' 1000. */
  readonly publishMs?: number;
}

interface OpcuaLast {
  value: number;
  quality: Sample['quality'];
}

/**
 * The demo plant's physics stepped in process on simulated time, read out as the box receives it from
 * the demo's gateway: every tick, the PLC machines' readings that changed (OPC UA data changes: a failed
 * sensor or a lost link is a `bad` sample without a value; `state` and `fault_code` as the PLC has
 * them); the conveyor sensors' readings of the last second once a second (several per message, values
 * rounded to 3 decimals, `null` → bad, nothing at all while the link is lost); the meter's latest values
 * once a second. Timestamps are simulated time at speed 1 (a day runs in a minute or two and stays
 * comparable with a day on the box), or compressed like the demo's at a higher speed.
 */
export class SimulatedTelemetry {
  private ticks = 0;
  private readonly tickMs: number;
  private readonly stepSeconds: number;
  private readonly ticksPerPublish: number;
  private readonly lastOpcua = new Map<string, OpcuaLast>();
  private readonly conveyorBuffers = new Map<string, Sample[]>();

  constructor(
    readonly plant: readonly PlacedMachine[],
    private readonly options: SimulatedTelemetryOptions,
  ) {
    this.tickMs = options.tickMs ?? 100;
    this.stepSeconds = (this.tickMs * (options.speed ?? 1)) / 1000;
    this.ticksPerPublish = Math.max(1, Math.round((options.publishMs ?? 1000) / this.tickMs));
  }

  /** The timestamp of the last tick (epoch ms). */
  get now(): number {
    return this.options.startMs + this.ticks * this.tickMs;
  }

  /** Simulated seconds stepped so far. */
  get simulatedSeconds(): number {
    return this.ticks * this.stepSeconds;
  }

  machine(id: string): PlacedMachine['machine'] {
    const placed = this.plant.find((candidate) => candidate.machine.id === id);
    if (!placed) throw new Error(`the simulated plant has no machine ${id} (it has ${this.plant.map((p) => p.machine.id).join(', ')})`);
    return placed.machine;
  }

  /** Advances every machine by one tick and returns what the box receives for it. */
  tick(): Sample[] {
    for (const { machine } of this.plant) machine.step(this.stepSeconds);
    this.ticks += 1;
    const ts = this.now;
    const publish = this.ticks % this.ticksPerPublish === 0;
    const out: Sample[] = [];
    for (const placed of this.plant) {
      const { machine } = placed;
      const readings = machine.readings();
      if (placed.transport === 'opcua') this.opcuaSamples(machine.id, readings, machine.state, machine.faultCode, ts, out);
      else if (machine.kind === 'energy-meter') {
        if (publish) meterSamples(machine.id, readings, ts, out);
      } else {
        const buffer = this.conveyorBuffers.get(machine.id) ?? [];
        this.conveyorBuffers.set(machine.id, buffer);
        if (!linkLost(readings)) for (const reading of readings) buffer.push(mqttSample(machine.id, reading, ts));
        if (publish) {
          // Readings sampled before the link went down go down with it, as the sensor gateway's do.
          if (!linkLost(readings)) out.push(...buffer);
          buffer.length = 0;
        }
      }
    }
    return out;
  }

  private opcuaSamples(machine: string, readings: readonly Reading[], state: OperatingState, faultCode: number, ts: number, out: Sample[]): void {
    const lost = linkLost(readings);
    for (const reading of readings) {
      const good = reading.status === 'good' && Number.isFinite(reading.value);
      this.changed(machine, reading.signal, good ? reading.value : Number.NaN, good ? 'good' : 'bad', ts, out);
    }
    this.changed(machine, 'state', lost ? Number.NaN : Math.max(0, OPERATING_STATES.indexOf(state)), lost ? 'bad' : 'good', ts, out);
    this.changed(machine, 'fault_code', lost ? Number.NaN : faultCode, lost ? 'bad' : 'good', ts, out);
  }

  /** An OPC UA data change: only when the value or its status differs from the last one sent. */
  private changed(machine: string, signal: string, value: number, quality: Sample['quality'], ts: number, out: Sample[]): void {
    const key = `${machine}/${signal}`;
    const last = this.lastOpcua.get(key);
    if (last && last.quality === quality && (last.value === value || (Number.isNaN(last.value) && Number.isNaN(value)))) return;
    this.lastOpcua.set(key, { value, quality });
    out.push({ asset: machine, signal, value, ts, quality, source: PLC_SOURCE });
  }
}

function linkLost(readings: readonly Reading[]): boolean {
  return readings.length > 0 && readings.every((reading) => reading.status === 'no-communication');
}

function mqttSample(machine: string, reading: Reading, ts: number): Sample {
  const good = reading.status === 'good' && Number.isFinite(reading.value);
  return { asset: machine, signal: reading.signal, value: good ? Math.round(reading.value * 1000) / 1000 : Number.NaN, ts, quality: good ? 'good' : 'bad', source: SENSOR_SOURCE };
}

/** The meter's power message (latest values) and its energy register, stamped on arrival. */
function meterSamples(machine: string, readings: readonly Reading[], ts: number, out: Sample[]): void {
  if (linkLost(readings)) return;
  for (const reading of readings) out.push(mqttSample(machine, reading, ts));
}
