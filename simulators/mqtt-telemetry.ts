import type { PlacedMachine, Reading } from './machine.js';
import { isRecordedMachine } from './recorded-machine.js';
import type { Tick } from './simulation.js';

export interface OutgoingMessage {
  readonly topic: string;
  readonly payload: string;
}

/**
 * How one machine's sensor talks MQTT: it samples every tick and, at each publish interval, turns
 * what it sampled into messages. A machine that has lost communication sends nothing; a failed
 * sensor channel sends null in its field.
 */
export interface TelemetryChannel {
  readonly machineId: string;
  collect(tick: Tick): void;
  flush(tick: Tick): OutgoingMessage[];
}

/** Values rounded as a sensor would send them. */
function field(reading: Reading | undefined): number | null {
  const value = recordedField(reading);
  return value === null ? null : Math.round(value * 1000) / 1000;
}

/** Recorded values go out as recorded: rounding would erase the small variations of e.g. vibration in g. */
function recordedField(reading: Reading | undefined): number | null {
  if (!reading || reading.status !== 'good' || !Number.isFinite(reading.value)) return null;
  return reading.value;
}

function linkLost(readings: readonly Reading[]): boolean {
  return readings.length > 0 && readings.every((reading) => reading.status === 'no-communication');
}

function bySignal(readings: readonly Reading[]): Map<string, Reading> {
  return new Map(readings.map((reading) => [reading.signal, reading]));
}

function topicBase(placed: PlacedMachine): string {
  return `${placed.site}/${placed.line}/${placed.machine.id}`.toLowerCase();
}

/** Conveyor drive sensor: `<site>/<line>/<id>/motor/vt`, `{"sensor":"vt-<id>","readings":[{"t","vib_rms","temp_c"},...]}`. */
function vibrationTemperatureChannel(placed: PlacedMachine): TelemetryChannel {
  const { machine } = placed;
  let buffered: { t: number; vib_rms: number | null; temp_c: number | null }[] = [];
  return {
    machineId: machine.id,
    collect(tick) {
      const readings = machine.readings();
      if (linkLost(readings)) return;
      const signals = bySignal(readings);
      buffered.push({ t: tick.wallTime, vib_rms: field(signals.get('motor_vibration')), temp_c: field(signals.get('motor_temp')) });
    },
    flush() {
      const batch = buffered;
      buffered = [];
      // Readings sampled before the link went down go down with it.
      if (batch.length === 0 || linkLost(machine.readings())) return [];
      return [{ topic: `${topicBase(placed)}/motor/vt`, payload: JSON.stringify({ sensor: `vt-${machine.id}`, readings: batch }) }];
    },
  };
}

/** Energy meter: `<base>/power` one object of the latest values, `<base>/energy` the kWh register as a bare number. */
function energyMeterChannel(placed: PlacedMachine): TelemetryChannel {
  const { machine } = placed;
  return {
    machineId: machine.id,
    collect() {},
    flush(tick) {
      const readings = machine.readings();
      if (linkLost(readings)) return [];
      const signals = bySignal(readings);
      const power = {
        time: new Date(tick.wallTime).toISOString(),
        power_kw: field(signals.get('power')),
        voltage: { l1: field(signals.get('voltage_l1')), l2: field(signals.get('voltage_l2')), l3: field(signals.get('voltage_l3')) },
        pf: field(signals.get('power_factor')),
        freq_hz: field(signals.get('frequency')),
      };
      return [
        { topic: `${topicBase(placed)}/power`, payload: JSON.stringify(power) },
        { topic: `${topicBase(placed)}/energy`, payload: JSON.stringify(field(signals.get('energy'))) },
      ];
    },
  };
}

function telemetryObject(ts: number, readings: readonly Reading[], value: (reading: Reading) => number | null): string {
  return JSON.stringify(Object.fromEntries([['ts', ts], ...readings.map((reading) => [reading.signal, value(reading)])]));
}

/**
 * A replayed recording: `<base>/telemetry`, one `{"ts":<epoch ms>,"<signal>":..}` per row. Rows due
 * within a tick get the wall time at which they fell due, so accelerated replay keeps their order and spacing.
 */
function recordedRowsChannel(placed: PlacedMachine, simSpeed: number): TelemetryChannel {
  const { machine } = placed;
  if (!isRecordedMachine(machine)) throw new Error(`${machine.id} is not a recorded machine`);
  let buffered: string[] = [];
  return {
    machineId: machine.id,
    collect(tick) {
      for (const row of machine.rowsOfLastStep()) {
        if (linkLost(row.readings)) continue;
        buffered.push(telemetryObject(Math.round(tick.wallTime - (row.ageSeconds * 1000) / simSpeed), row.readings, recordedField));
      }
    },
    flush() {
      const messages = buffered.map((payload) => ({ topic: `${topicBase(placed)}/telemetry`, payload }));
      buffered = [];
      return messages;
    },
  };
}

/** Any other machine on MQTT: `<base>/telemetry`, one object of the latest readings per publish interval. */
function latestReadingsChannel(placed: PlacedMachine): TelemetryChannel {
  const { machine } = placed;
  return {
    machineId: machine.id,
    collect() {},
    flush(tick) {
      const readings = machine.readings();
      if (linkLost(readings)) return [];
      return [{ topic: `${topicBase(placed)}/telemetry`, payload: telemetryObject(tick.wallTime, readings, field) }];
    },
  };
}

/** The channel for a machine placed on MQTT: by kind as the plant contract says, else by what the machine is. */
export function telemetryChannelFor(placed: PlacedMachine, simSpeed: number): TelemetryChannel {
  if (placed.machine.kind === 'conveyor-motor') return vibrationTemperatureChannel(placed);
  if (placed.machine.kind === 'energy-meter') return energyMeterChannel(placed);
  if (isRecordedMachine(placed.machine)) return recordedRowsChannel(placed, simSpeed);
  return latestReadingsChannel(placed);
}
