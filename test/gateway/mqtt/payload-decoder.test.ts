import { describe, expect, it } from 'vitest';
import { compileMapping } from '../../../gateway/mqtt/mqtt-mapping.js';
import type { MqttMapping } from '../../../gateway/mqtt/mqtt-source-config.js';
import { PayloadDecoder, type KnownSignal } from '../../../gateway/mqtt/payload-decoder.js';
import type { Reject } from '../../../gateway/mqtt/reject.js';
import type { Sample } from '../../../gateway/sample.js';

const ARRIVAL = Date.UTC(2024, 4, 1, 10, 0, 0);

const conveyorMapping: MqttMapping = {
  topic: 'millbrook/packaging/+asset/motor/vt',
  asset: '{asset}',
  samples: 'readings',
  timestamp: { path: 't', format: 'epoch-ms' },
  signals: { motor_vibration: 'vib_rms', motor_temp: 'temp_c' },
};
const meterPowerMapping: MqttMapping = {
  topic: 'millbrook/packaging/meter-01/power',
  asset: 'meter-01',
  timestamp: { path: 'time', format: 'iso8601' },
  signals: {
    power: 'power_kw',
    voltage_l1: 'voltage.l1',
    voltage_l2: 'voltage.l2',
    voltage_l3: 'voltage.l3',
    power_factor: 'pf',
    frequency: 'freq_hz',
  },
};
const meterEnergyMapping: MqttMapping = { topic: 'millbrook/packaging/meter-01/energy', asset: 'meter-01', signal: 'energy', value: '$' };

function decoderFor(mappings: MqttMapping[], options: { knownSignal?: KnownSignal; maxPayloadBytes?: number } = {}) {
  const decoder = new PayloadDecoder({
    sourceId: 'sensors',
    mappings: mappings.map((mapping, index) => compileMapping(mapping, index)),
    maxPayloadBytes: options.maxPayloadBytes ?? 256 * 1024,
    ...(options.knownSignal === undefined ? {} : { knownSignal: options.knownSignal }),
  });
  return (topic: string, payload: string | object, arrival = ARRIVAL) => {
    const samples: Sample[] = [];
    const rejects: Reject[] = [];
    const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
    decoder.decode(topic, Buffer.from(body), arrival, samples, rejects);
    return { samples, rejects };
  };
}

const byReason = (rejects: readonly Reject[]) => rejects.map((reject) => reject.reason);

describe('PayloadDecoder with the simulated plant payloads', () => {
  it('reads a conveyor sensor message: an array of timestamped readings, two signals each', () => {
    const decode = decoderFor([conveyorMapping]);
    const { samples, rejects } = decode('millbrook/packaging/conveyor-01/motor/vt', {
      sensor: 'vt-conveyor-01',
      readings: [
        { t: ARRIVAL - 200, vib_rms: 2.4, temp_c: 41.5 },
        { t: ARRIVAL - 100, vib_rms: 2.5, temp_c: 41.6 },
      ],
    });
    expect(rejects).toEqual([]);
    expect(samples).toEqual([
      { asset: 'conveyor-01', signal: 'motor_vibration', value: 2.4, ts: ARRIVAL - 200, quality: 'good', source: 'sensors' },
      { asset: 'conveyor-01', signal: 'motor_temp', value: 41.5, ts: ARRIVAL - 200, quality: 'good', source: 'sensors' },
      { asset: 'conveyor-01', signal: 'motor_vibration', value: 2.5, ts: ARRIVAL - 100, quality: 'good', source: 'sensors' },
      { asset: 'conveyor-01', signal: 'motor_temp', value: 41.6, ts: ARRIVAL - 100, quality: 'good', source: 'sensors' },
    ]);
  });

  it('records a failed channel (null) as a bad-quality sample and keeps the good channel', () => {
    const decode = decoderFor([conveyorMapping]);
    const { samples, rejects } = decode('millbrook/packaging/conveyor-02/motor/vt', {
      sensor: 'vt-conveyor-02',
      readings: [
        { t: ARRIVAL - 200, vib_rms: null, temp_c: 39 },
        { t: ARRIVAL - 100, vib_rms: 1.5, temp_c: 39.1 },
      ],
    });
    expect(samples.map((s) => [s.signal, s.value, s.quality])).toEqual([
      ['motor_vibration', Number.NaN, 'bad'],
      ['motor_temp', 39, 'good'],
      ['motor_vibration', 1.5, 'good'],
      ['motor_temp', 39.1, 'good'],
    ]);
    expect(samples[0]?.ts).toBe(ARRIVAL - 200);
    expect(rejects).toEqual([]);
  });

  it('reads the energy meter object with its ISO 8601 time and nested voltages', () => {
    const decode = decoderFor([meterPowerMapping, meterEnergyMapping]);
    const { samples, rejects } = decode('millbrook/packaging/meter-01/power', {
      time: '2024-05-01T09:59:59.500Z',
      power_kw: 84.2,
      voltage: { l1: 231.2, l2: 230.8, l3: 229.9 },
      pf: 0.93,
      freq_hz: 50.01,
    });
    expect(rejects).toEqual([]);
    expect(Object.fromEntries(samples.map((s) => [s.signal, s.value]))).toEqual({
      power: 84.2,
      voltage_l1: 231.2,
      voltage_l2: 230.8,
      voltage_l3: 229.9,
      power_factor: 0.93,
      frequency: 50.01,
    });
    expect(new Set(samples.map((s) => s.ts))).toEqual(new Set([ARRIVAL - 500]));
    expect(new Set(samples.map((s) => s.asset))).toEqual(new Set(['meter-01']));
  });

  it('reads the energy register, a bare JSON number stamped with its arrival time', () => {
    const decode = decoderFor([meterPowerMapping, meterEnergyMapping]);
    expect(decode('millbrook/packaging/meter-01/energy', '123456.7')).toEqual({
      samples: [{ asset: 'meter-01', signal: 'energy', value: 123456.7, ts: ARRIVAL, quality: 'good', source: 'sensors' }],
      rejects: [],
    });
  });
});

describe('PayloadDecoder: topic captures and templates', () => {
  it('fills asset and signal templates from named wildcards, "#name" included', () => {
    const decode = decoderFor([
      { topic: 'plant/+line/+asset/+signal', asset: '{line}-{asset}', signal: '{signal}', value: 'v' },
      { topic: 'raw/#path', asset: 'line-{path}', signal: 'level', value: '$' },
    ]);
    expect(decode('plant/l2/pump-07/flow', { v: 12 }).samples).toMatchObject([{ asset: 'l2-pump-07', signal: 'flow', value: 12 }]);
    expect(decode('raw/a/b', '5').samples).toMatchObject([{ asset: 'line-a/b', signal: 'level', value: 5 }]);
  });

  it('applies every mapping whose topic matches, parsing the payload once', () => {
    const decode = decoderFor([
      { topic: 'm/+asset', asset: '{asset}', signals: { a: 'a' } },
      { topic: 'm/#', asset: 'all', signal: 'b', value: 'b' },
    ]);
    expect(decode('m/x', { a: 1, b: 2 }).samples.map((s) => `${s.asset}/${s.signal}=${s.value}`)).toEqual(['x/a=1', 'all/b=2']);
  });

  it('rejects an empty capture used as an asset id', () => {
    const decode = decoderFor([{ topic: 'p/+asset/v', asset: '{asset}', signal: 'x', value: '$' }]);
    const { samples, rejects } = decode('p//v', '1');
    expect(samples).toEqual([]);
    expect(byReason(rejects)).toEqual(['empty_name']);
    expect(rejects[0]?.detail).toContain('mappings[0].asset');
  });
});

describe('PayloadDecoder: values', () => {
  const decode = decoderFor([{ topic: 'v', asset: 'a', signal: 's', value: 'x' }]);

  it.each([
    [12.5, 12.5],
    [-3, -3],
    [0, 0],
    [true, 1],
    [false, 0],
    ['23.5', 23.5],
    [' 7 ', 7],
    ['1e3', 1000],
  ])('accepts %j as %j', (x, expected) => {
    expect(decode('v', { x })).toMatchObject({ samples: [{ value: expected, quality: 'good' }], rejects: [] });
  });

  it.each([
    ['NaN', 'the string "NaN"'],
    ['Infinity', 'the string "Infinity"'],
    ['abc', 'the string "abc"'],
    ['', 'the string ""'],
    ['0x10', 'the string "0x10"'],
    ['12 V', 'the string "12 V"'],
    [{ v: 1 }, 'an object'],
    [[1], 'an array'],
  ])('rejects %j as not_a_number', (x, found) => {
    const { samples, rejects } = decode('v', { x });
    expect(samples).toEqual([]);
    expect(byReason(rejects)).toEqual(['not_a_number']);
    expect(rejects[0]?.detail).toContain(found);
    expect(rejects[0]?.detail).toContain('topic "v": x is');
  });

  it('rejects a number too large for a double (1e400 parses to Infinity)', () => {
    expect(byReason(decode('v', '{"x": 1e400}').rejects)).toEqual(['not_a_number']);
  });

  it('rejects a missing field as missing_field', () => {
    const { rejects } = decode('v', { y: 1 });
    expect(byReason(rejects)).toEqual(['missing_field']);
    expect(rejects[0]?.detail).toBe('topic "v": x is missing (signal "s" of "a")');
  });
});

describe('PayloadDecoder: timestamps', () => {
  const mappingWith = (format?: 'auto' | 'epoch-ms' | 'epoch-s' | 'iso8601'): MqttMapping => ({
    topic: 't',
    asset: 'a',
    signal: 's',
    value: 'v',
    timestamp: format === undefined ? { path: 'ts' } : { path: 'ts', format },
  });
  const tsOf = (format: 'auto' | 'epoch-ms' | 'epoch-s' | 'iso8601' | undefined, ts: unknown) => {
    const { samples, rejects } = decoderFor([mappingWith(format)])('t', { ts, v: 1 });
    return samples.length === 1 ? samples[0]?.ts : rejects.map((r) => r.reason).join();
  };
  const EPOCH_S = ARRIVAL / 1000 - 60;

  it.each([
    ['epoch-ms', ARRIVAL - 5, ARRIVAL - 5],
    ['epoch-ms', String(ARRIVAL - 5), ARRIVAL - 5],
    ['epoch-s', EPOCH_S, EPOCH_S * 1000],
    ['epoch-s', EPOCH_S + 0.25, EPOCH_S * 1000 + 250],
    ['iso8601', '2024-05-01T09:59:00Z', ARRIVAL - 60_000],
    ['iso8601', '2024-05-01T11:59:00+02:00', ARRIVAL - 60_000],
    ['iso8601', '2024-05-01T11:59:00.250+0200', ARRIVAL - 59_750],
    ['auto', ARRIVAL - 5, ARRIVAL - 5],
    ['auto', EPOCH_S, EPOCH_S * 1000],
    ['auto', '2024-05-01T09:59:00Z', ARRIVAL - 60_000],
    [undefined, EPOCH_S, EPOCH_S * 1000],
  ] as const)('%s reads %j', (format, ts, expected) => {
    expect(tsOf(format, ts)).toBe(expected);
  });

  it.each([
    ['iso8601', '2024-05-01T09:59:00', /no|offset/],
    ['iso8601', 'May 1 2024 09:59', /ISO 8601/],
    ['iso8601', ARRIVAL, /ISO 8601/],
    ['epoch-ms', 'yesterday', /epoch milliseconds/],
    ['epoch-ms', EPOCH_S, /before 2000/],
    ['epoch-s', ARRIVAL, /more than a day after/],
    ['auto', 12345, /before 2000/],
    ['auto', true, /found a boolean/],
    ['auto', null, /found null/],
  ] as const)('%s rejects %j as bad_timestamp', (format, ts, detail) => {
    const { samples, rejects } = decoderFor([mappingWith(format)])('t', { ts, v: 1 });
    expect(samples).toEqual([]);
    expect(byReason(rejects)).toEqual(['bad_timestamp']);
    expect(rejects[0]?.detail).toMatch(/^topic "t": timestamp ts: /);
    expect(rejects[0]?.detail).toMatch(detail);
  });

  it('rejects a reading without its configured timestamp as missing_field, keeping the other readings', () => {
    const decode = decoderFor([conveyorMapping]);
    const { samples, rejects } = decode('millbrook/packaging/conveyor-01/motor/vt', {
      readings: [{ vib_rms: 1, temp_c: 2 }, { t: ARRIVAL, vib_rms: 3, temp_c: 4 }, { t: 'soon', vib_rms: 5, temp_c: 6 }],
    });
    expect(samples.map((s) => s.value)).toEqual([3, 4]);
    expect(byReason(rejects)).toEqual(['missing_field', 'bad_timestamp']);
    expect(rejects[0]?.detail).toContain('timestamp readings[0].t is missing');
    expect(rejects[1]?.detail).toContain('timestamp readings[2].t: found the string "soon"');
  });
});

describe('PayloadDecoder: malformed messages', () => {
  const decode = decoderFor([conveyorMapping, meterEnergyMapping], {
    maxPayloadBytes: 1024,
    knownSignal: (asset, signal) => asset !== 'conveyor-09' && signal !== 'motor_temp',
  });

  it('rejects a payload over maxPayloadBytes before parsing it', () => {
    const { samples, rejects } = decode('millbrook/packaging/meter-01/energy', `${'1'.repeat(1025)}`);
    expect(samples).toEqual([]);
    expect(rejects).toEqual([
      { reason: 'payload_too_large', detail: 'topic "millbrook/packaging/meter-01/energy": payload of 1025 bytes exceeds maxPayloadBytes (1024); not parsed' },
    ]);
  });

  it.each([['{"readings": [1, 2'], ['hello'], ['NaN'], ['']])('rejects %j as malformed_json', (payload) => {
    const { samples, rejects } = decode('millbrook/packaging/meter-01/energy', payload);
    expect(samples).toEqual([]);
    expect(byReason(rejects)).toEqual(['malformed_json']);
    expect(rejects[0]?.detail).toMatch(/^topic "millbrook\/packaging\/meter-01\/energy": the payload (is empty|is not JSON)/);
  });

  it('rejects a topic that no mapping matches', () => {
    expect(byReason(decode('millbrook/elsewhere', '1').rejects)).toEqual(['no_matching_mapping']);
  });

  it('rejects a missing or wrongly shaped readings array', () => {
    const topic = 'millbrook/packaging/conveyor-01/motor/vt';
    const missing = decode(topic, { sensor: 'x' });
    expect(missing.samples).toEqual([]);
    expect(missing.rejects).toContainEqual({ reason: 'missing_field', detail: `topic "${topic}": readings is missing (mappings[0])` });
    const notArray = decode(topic, { readings: { t: 1 } });
    expect(notArray.samples).toEqual([]);
    expect(notArray.rejects).toContainEqual({
      reason: 'not_an_array',
      detail: `topic "${topic}": readings is an object, expected an array of readings (mappings[0])`,
    });
  });

  it('rejects unknown assets and signals once per message, keeping the known ones', () => {
    const readings = [{ t: ARRIVAL, vib_rms: 1, temp_c: 2 }, { t: ARRIVAL, vib_rms: 3, temp_c: 4 }];
    const known = decode('millbrook/packaging/conveyor-01/motor/vt', { readings });
    expect(known.samples.map((s) => `${s.signal}=${s.value}`)).toEqual(['motor_vibration=1', 'motor_vibration=3']);
    expect(byReason(known.rejects)).toEqual(['unknown_signal']);
    expect(known.rejects[0]?.detail).toContain('asset "conveyor-01" signal "motor_temp" (mappings[0]) is not in the gateway\'s asset configuration');

    const unknownAsset = decode('millbrook/packaging/conveyor-09/motor/vt', { readings });
    expect(unknownAsset.samples).toEqual([]);
    expect(byReason(unknownAsset.rejects)).toEqual(['unknown_signal', 'unknown_signal']);
  });
});
