import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MqttSensors } from '../../simulators/mqtt-sensors.js';
import { ReplayMachine } from '../../simulators/replay/replay-machine.js';
import { loadSkabCsv, snakeCaseSignalId } from '../../simulators/replay/skab-csv.js';
import { Simulation } from '../../simulators/simulation.js';
import { recordMessages, startTestBroker } from './test-broker.js';

const logger = pino({ level: 'silent' });
const HEADER = 'datetime;Accelerometer1RMS;Accelerometer2RMS;Current;Pressure;Temperature;Thermocouple;Voltage;Volume Flow RateRMS;anomaly;changepoint';

/** Rows one second apart; row i has Current = 1 + i/100 so each row is recognisable. */
function skabRows(count: number, start = Date.UTC(2020, 2, 9, 10, 14, 33)): string[] {
  return Array.from({ length: count }, (_, index) => {
    const time = new Date(start + index * 1000).toISOString().replace('T', ' ').slice(0, 19);
    return `${time};0.0265;0.0401;${(1 + index / 100).toFixed(2)};0.0547;79.3;26.0;233.0;32.0;${index === 3 ? '1.0' : '0.0'};0.0`;
  });
}

let folder: string;
beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), 'millwright-replay-'));
});
afterAll(() => rmSync(folder, { recursive: true, force: true }));

function writeCsv(name: string, lines: string[]): string {
  const file = join(folder, name);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

describe('SKAB CSV', () => {
  it.each([
    ['Accelerometer1RMS', 'accelerometer1_rms'],
    ['Accelerometer2RMS', 'accelerometer2_rms'],
    ['Volume Flow RateRMS', 'volume_flow_rate_rms'],
    ['Current', 'current'],
    ['Thermocouple', 'thermocouple'],
  ])('names %s as %s', (header, id) => {
    expect(snakeCaseSignalId(header)).toBe(id);
  });

  it('reads signals with SKAB units, leaves the labels out, and keeps bad rows aside with their lines', async () => {
    const rows = skabRows(4);
    const file = writeCsv('mixed.csv', [HEADER, rows[0]!, 'yesterday;1;1;1;1;1;1;1;1;0;0', rows[1]!.replace(';1.01;', ';n/a;'), rows[2]!, '2020-03-09 10:14:36;1;2', rows[3]!]);
    const recording = await loadSkabCsv(file);
    expect(recording.signals.map((signal) => [signal.id, signal.unit])).toEqual([
      ['accelerometer1_rms', 'g'],
      ['accelerometer2_rms', 'g'],
      ['current', 'A'],
      ['pressure', 'bar'],
      ['temperature', '°C'],
      ['thermocouple', '°C'],
      ['voltage', 'V'],
      ['volume_flow_rate_rms', 'l/min'],
    ]);
    expect(recording.rows.map((row) => row.offsetSeconds)).toEqual([0, 1, 2, 3]);
    expect(recording.rows[1]?.values[2]).toBeNaN();
    expect(recording.badCells).toBe(1);
    expect(recording.rejected).toEqual([
      { line: 3, reason: expect.stringMatching(/datetime "yesterday" is not a date/) },
      { line: 6, reason: '3 fields where the header has 11' },
    ]);
  });

  it('says what the header should be when it is not SKAB', async () => {
    const file = writeCsv('other.csv', ['timestamp,value', '2020-01-01 00:00:00,1']);
    await expect(loadSkabCsv(file)).rejects.toThrow(/other\.csv: line 1 must be a SKAB header, ";"-separated with a "datetime" column/);
    await expect(loadSkabCsv(join(folder, 'missing.csv'))).rejects.toThrow(/cannot read the replay file .*missing\.csv/);
  });
});

describe('replay machine', () => {
  it('steps through rows at the recording pace times its speed, and stops at the end', async () => {
    const recording = await loadSkabCsv(writeCsv('pace.csv', [HEADER, ...skabRows(5)]));
    const replay = new ReplayMachine(recording, { id: 'skab-01', kind: 'skab-testbed', speed: 2 });
    const current = () => replay.readings().find((reading) => reading.signal === 'current')?.value;
    expect(current()).toBe(1);
    replay.step(0.25); // 0.5 recorded seconds: row 0 comes due
    expect(replay.rowsOfLastStep().map((row) => row.readings[2]?.value)).toEqual([1]);
    replay.step(1); // to 2.5 recorded seconds: rows 1 and 2
    expect(replay.rowsOfLastStep().map((row) => [row.readings[2]?.value, row.ageSeconds])).toEqual([
      [1.01, 0.75],
      [1.02, 0.25],
    ]);
    expect(current()).toBe(1.02);
    replay.step(10);
    expect(replay.rowsOfLastStep()).toHaveLength(2);
    expect(replay.finished).toBe(true);
    expect(replay.state).toBe('stopped');
    replay.command('start');
    replay.step(0.1);
    expect(current()).toBe(1);
  });

  it('loops without repeating a timestamp, and overlays comm-loss and sensor-dropout', async () => {
    const recording = await loadSkabCsv(writeCsv('loop.csv', [HEADER, ...skabRows(3)]));
    const replay = new ReplayMachine(recording, { id: 'skab-01', kind: 'skab-testbed', loop: true });
    const seen: number[] = [];
    for (let step = 0; step < 10; step++) {
      replay.step(0.75);
      seen.push(...replay.rowsOfLastStep().map((row) => row.readings[2]?.value ?? Number.NaN));
    }
    expect(seen).toEqual([1, 1.01, 1.02, 1, 1.01, 1.02, 1, 1.01]);
    replay.inject({ fault: 'sensor-dropout', severity: 1, rampSeconds: 0, signal: 'pressure' });
    expect(replay.readings().map((reading) => reading.status)).toEqual(['good', 'good', 'good', 'sensor-failure', 'good', 'good', 'good', 'good']);
    replay.inject({ fault: 'comm-loss', severity: 1, rampSeconds: 0 });
    expect(new Set(replay.readings().map((reading) => reading.status))).toEqual(new Set(['no-communication']));
    expect(() => replay.inject({ fault: 'bearing-wear', severity: 1, rampSeconds: 0 })).toThrow(/can only overlay sensor-dropout, comm-loss/);
    expect(() => replay.setLoad()).toThrow(/no load setpoint/);
  });
});

describe('replay over MQTT', () => {
  const cleanups: (() => Promise<unknown> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('publishes one telemetry object per row with ts and a field per signal, accelerated', async () => {
    const broker = await startTestBroker();
    cleanups.push(() => broker.close());
    const recording = await loadSkabCsv(writeCsv('mqtt.csv', [HEADER, ...skabRows(12)]));
    const replay = new ReplayMachine(recording, { id: 'skab-01', kind: 'skab-testbed', speed: 10 });
    const simulation = new Simulation({ machines: [{ site: 'Millbrook', line: 'Testbed', transport: 'mqtt', machine: replay }], tickMs: 20, logger });
    const subscriber = await recordMessages(broker.url, 'millbrook/testbed/#');
    cleanups.push(() => subscriber.close());
    const sensors = new MqttSensors({ simulation, brokerUrl: broker.url, publishIntervalMs: 200, logger });
    cleanups.push(() => sensors.stop());
    await sensors.waitUntilConnected(5000);
    simulation.start();
    cleanups.push(() => simulation.stop());

    await subscriber.next((message) => (message.payload as { current?: number }).current === 1.11, 0, 10_000);
    const rows = subscriber.messages.map((message) => {
      expect(message.topic).toBe('millbrook/testbed/skab-01/telemetry');
      return message.payload as Record<string, number>;
    });
    expect(rows.map((row) => row.current)).toEqual(Array.from({ length: 12 }, (_, index) => Number((1 + index / 100).toFixed(2))));
    expect(Object.keys(rows[0]!)).toEqual(['ts', ...recording.signals.map((signal) => signal.id)]);
    expect(rows[0]).not.toHaveProperty('anomaly');
    expect(rows[0]?.accelerometer1_rms).toBe(0.0265); // as recorded, not rounded
    const gaps = rows.slice(1).map((row, index) => row.ts! - rows[index]!.ts!);
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(60); // 1 s rows at 10× speed are ~100 ms apart
    expect(Math.max(...gaps)).toBeLessThan(1000);
  });
});
