import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { Aedes } from 'aedes';
import type { MqttClient } from 'mqtt';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../../gateway/mqtt/embedded-broker.js';
import type { MqttSourceConfig } from '../../../gateway/mqtt/mqtt-source-config.js';
import { MqttSource } from '../../../gateway/mqtt/mqtt-source.js';
import { SampleCollector } from './sample-collector.js';
import { connectPublisher, publish } from './test-publisher.js';

const KNOWN = new Set([
  'conveyor-01/motor_vibration',
  'conveyor-01/motor_temp',
  'conveyor-02/motor_vibration',
  'conveyor-02/motor_temp',
  ...['power', 'energy', 'voltage_l1', 'voltage_l2', 'voltage_l3', 'power_factor', 'frequency'].map((s) => `meter-01/${s}`),
]);
const knownSignal = (asset: string, signal: string) => KNOWN.has(`${asset}/${signal}`);

function sensorsConfig(overrides: Partial<MqttSourceConfig> = {}): MqttSourceConfig {
  return {
    id: 'sensors',
    kind: 'mqtt',
    url: 'embedded',
    clientId: `test-${randomUUID()}`,
    mappings: [
      {
        topic: 'millbrook/packaging/+asset/motor/vt',
        asset: '{asset}',
        samples: 'readings',
        timestamp: { path: 't', format: 'epoch-ms' },
        signals: { motor_vibration: 'vib_rms', motor_temp: 'temp_c' },
      },
      {
        topic: 'millbrook/packaging/meter-01/power',
        asset: 'meter-01',
        timestamp: { path: 'time', format: 'iso8601' },
        signals: { power: 'power_kw', voltage_l1: 'voltage.l1', voltage_l2: 'voltage.l2', voltage_l3: 'voltage.l3', power_factor: 'pf', frequency: 'freq_hz' },
      },
      { topic: 'millbrook/packaging/meter-01/energy', asset: 'meter-01', signal: 'energy', value: '$' },
    ],
    ...overrides,
  };
}

function conveyorMessage(values: readonly number[], start = Date.now() - 1000) {
  return { sensor: 'vt-conveyor-01', readings: values.map((v, i) => ({ t: start + i * 100, vib_rms: v, temp_c: 40 + v })) };
}

describe('MqttSource', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function broker(port = 0): Promise<EmbeddedBroker> {
    const started = await startEmbeddedBroker({ port });
    cleanups.push(() => started.stop());
    return started;
  }
  async function publisher(url: string): Promise<MqttClient> {
    const client = await connectPublisher(url);
    cleanups.push(() => client.endAsync(true));
    return client;
  }
  async function startSource(config: MqttSourceConfig, brokerUrl: string, collector = new SampleCollector(), logger?: pino.Logger) {
    const source = new MqttSource(config, { brokerUrl, knownSignal, ...(logger === undefined ? {} : { logger }) });
    cleanups.push(() => source.stop());
    await source.start(collector.emit);
    return { source, collector };
  }

  it('turns the simulated sensors\' three payload shapes into samples', async () => {
    const { url } = await broker();
    const { source, collector } = await startSource(sensorsConfig(), url);
    expect(source.health()).toMatchObject({ id: 'sensors', kind: 'mqtt', state: 'connected', target: url, samplesIn: 0 });

    const sensor = await publisher(url);
    const t0 = Date.now() - 1000;
    await publish(sensor, 'millbrook/packaging/conveyor-01/motor/vt', conveyorMessage([1.1, 1.2, 1.3], t0));
    await publish(sensor, 'millbrook/packaging/meter-01/power', {
      time: new Date(t0).toISOString(),
      power_kw: 80.5,
      voltage: { l1: 230, l2: 231, l3: 232 },
      pf: 0.9,
      freq_hz: 50,
    });
    await publish(sensor, 'millbrook/packaging/meter-01/energy', '4321.5');
    await collector.until((samples) => samples.length === 13, '13 samples');

    expect(collector.samples.filter((s) => s.asset === 'conveyor-01' && s.signal === 'motor_vibration').map((s) => [s.value, s.ts])).toEqual([
      [1.1, t0],
      [1.2, t0 + 100],
      [1.3, t0 + 200],
    ]);
    expect(collector.samples.filter((s) => s.asset === 'meter-01' && s.signal !== 'energy').every((s) => s.ts === t0)).toBe(true);
    const energy = collector.samples.find((s) => s.signal === 'energy');
    expect(energy).toMatchObject({ asset: 'meter-01', value: 4321.5, quality: 'good', source: 'sensors' });
    expect(energy?.ts).toBeGreaterThan(t0);
    expect(source.health()).toMatchObject({ samplesIn: 13, rejected: {}, reconnects: 0, lastError: null });
    expect(source.health().lastSampleAt).toBeGreaterThanOrEqual(t0);
  });

  it('counts and dead-letters every kind of bad message, logs them at a bounded rate, and keeps delivering good ones', async () => {
    const { url } = await broker();
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, new Writable({ write: (chunk: Buffer, _e, done) => (lines.push(chunk.toString()), done()) }));
    const { source, collector } = await startSource(sensorsConfig({ maxPayloadBytes: 4096, deadLetterCapacity: 50 }), url, undefined, logger);
    const sensor = await publisher(url);
    const vt = 'millbrook/packaging/conveyor-01/motor/vt';
    const now = Date.now();

    const bad: [string, string | object][] = [
      [vt, 'definitely not json'],
      [vt, '{"readings": ['],
      ['millbrook/packaging/meter-01/energy', 'x'.repeat(5000)],
      ['millbrook/packaging/meter-01/energy', 'NaN'],
      ['millbrook/packaging/meter-01/energy', '"lots"'],
      ['millbrook/packaging/meter-01/energy', 'null'],
      [vt, { readings: [{ t: now, vib_rms: null, temp_c: 'hot' }] }],
      [vt, { readings: [{ t: now }] }],
      [vt, { sensor: 'no readings' }],
      ['millbrook/packaging/conveyor-77/motor/vt', conveyorMessage([1])],
      [vt, { readings: [{ t: '2024-05-01 10:00', vib_rms: 1, temp_c: 2 }] }],
      [vt, { readings: [{ t: 5, vib_rms: 1, temp_c: 2 }] }],
    ];
    for (const [topic, payload] of bad) await publish(sensor, topic, payload);
    for (let i = 0; i < 200; i++) await publish(sensor, vt, 'flood');
    await publish(sensor, vt, conveyorMessage([9.5]));
    await collector.untilValue('conveyor-01', 'motor_vibration', 9.5);

    expect(collector.samples.map((s) => `${s.asset}/${s.signal}=${s.value} ${s.quality}`)).toEqual([
      'meter-01/energy=NaN bad',
      'conveyor-01/motor_vibration=NaN bad',
      'conveyor-01/motor_vibration=9.5 good',
      'conveyor-01/motor_temp=49.5 good',
    ]);
    const health = source.health();
    expect(health.state).toBe('connected');
    expect(health.rejected).toEqual({
      malformed_json: 203,
      payload_too_large: 1,
      not_a_number: 2,
      missing_field: 3,
      unknown_signal: 2,
      bad_timestamp: 2,
    });

    const letters = source.deadLetters();
    expect(letters).toHaveLength(50);
    // The flood pushed the first twelve out (capacity 50); the next test looks at those kinds one by one.
    expect(letters.every((letter) => letter.topic === vt && letter.reason === 'malformed_json' && letter.payloadExcerpt === 'flood')).toBe(true);
    expect(lines.length).toBeLessThanOrEqual(3);
    expect(lines[0]).toContain('rejected MQTT message: topic');
  });

  it('keeps each rejected message with its topic, reason, detail and payload excerpt', async () => {
    const { url } = await broker();
    const { source, collector } = await startSource(sensorsConfig({ maxPayloadBytes: 4096 }), url);
    const sensor = await publisher(url);
    const vt = 'millbrook/packaging/conveyor-02/motor/vt';
    await publish(sensor, vt, { readings: [{ t: Date.now(), vib_rms: null, temp_c: 41 }] });
    await publish(sensor, 'millbrook/packaging/meter-01/energy', 'x'.repeat(5000));
    await publish(sensor, 'millbrook/packaging/meter-01/power', { time: 'now', power_kw: 1 });
    await publish(sensor, 'millbrook/packaging/meter-01/energy', '17');
    await collector.untilValue('meter-01', 'energy', 17);

    expect(collector.samples.map((s) => `${s.asset}/${s.signal}=${s.value}`)).toEqual([
      'conveyor-02/motor_vibration=NaN',
      'conveyor-02/motor_temp=41',
      'meter-01/energy=17',
    ]);
    const [badTime, tooLarge, ...older] = source.deadLetters();
    expect(older).toEqual([]);
    expect(tooLarge).toMatchObject({ topic: 'millbrook/packaging/meter-01/energy', reason: 'payload_too_large', payloadBytes: 5000 });
    expect(tooLarge?.payloadExcerpt).toBe(`${'x'.repeat(200)}…`);
    expect(badTime).toMatchObject({ topic: 'millbrook/packaging/meter-01/power', reason: 'bad_timestamp' });
    expect(badTime?.detail).toContain('timestamp time: found the string "now"');
  });

  it('reconnects after the broker restarts on the same port and data flows again', async () => {
    const first = await startEmbeddedBroker({ port: 0 });
    const { source, collector } = await startSource(sensorsConfig(), first.url);
    const before = await connectPublisher(first.url);
    await publish(before, 'millbrook/packaging/meter-01/energy', '1');
    await collector.untilValue('meter-01', 'energy', 1);

    await first.stop();
    await before.endAsync(true);
    await expect.poll(() => source.health().state, { timeout: 10_000 }).not.toBe('connected');

    const second = await broker(first.port);
    const after = await publisher(second.url);
    // Publish until the source has subscribed on the new broker (a restarted broker has no session).
    let value = 2;
    const republish = setInterval(() => void publish(after, 'millbrook/packaging/meter-01/energy', String(value++)).catch(() => undefined), 200);
    try {
      await collector.until((samples) => samples.some((s) => s.signal === 'energy' && s.value >= 2), 'energy after the restart', 15_000);
    } finally {
      clearInterval(republish);
    }
    expect(source.health()).toMatchObject({ state: 'connected', reconnects: 1 });
    expect(source.health().lastError).toMatch(/^connection lost at |ECONNREFUSED/);
  });

  it('gets what the broker kept for its persistent session while it was away', async () => {
    const { url } = await broker();
    const config = sensorsConfig();
    const first = await startSource(config, url);
    await first.source.stop();
    expect(first.source.health().state).toBe('stopped');

    const sensor = await publisher(url);
    await publish(sensor, 'millbrook/packaging/meter-01/energy', '77');
    const { collector } = await startSource(config, url);
    await collector.untilValue('meter-01', 'energy', 77);
  });

  it('starts while the broker is down, says why in health(), and connects once it is up', async () => {
    const probe = await startEmbeddedBroker({ port: 0 });
    await probe.stop();
    const { source, collector } = await startSource(sensorsConfig(), probe.url);
    expect(source.health().state).not.toBe('connected');
    await expect.poll(() => source.health().lastError).toMatch(/ECONNREFUSED.*is the broker running/);

    const late = await broker(probe.port);
    await expect.poll(() => source.health().state, { timeout: 10_000 }).toBe('connected');
    const sensor = await publisher(late.url);
    await publish(sensor, 'millbrook/packaging/meter-01/energy', '5');
    await collector.untilValue('meter-01', 'energy', 5);
    expect(source.health().reconnects).toBe(0);
  });

  it('subscribes once to topics covered by another mapping, and applies both mappings', async () => {
    const { url } = await broker();
    const config = sensorsConfig({
      mappings: [
        { topic: 'millbrook/packaging/meter-01/energy', asset: 'meter-01', signal: 'energy', value: '$' },
        { topic: 'millbrook/packaging/+asset/#', asset: '{asset}', signal: 'power', value: '$' },
      ],
    });
    const { collector } = await startSource(config, url);
    const sensor = await publisher(url);
    await publish(sensor, 'millbrook/packaging/meter-01/energy', '3');
    await publish(sensor, 'millbrook/packaging/meter-01/energy', '4');
    await collector.untilValue('meter-01', 'energy', 4);
    expect(collector.samples.map((s) => `${s.signal}=${s.value}`)).toEqual(['energy=3', 'power=3', 'energy=4', 'power=4']);
  });

  it('refuses configurations that cannot work, naming the source and the mapping', async () => {
    expect(() => new MqttSource(sensorsConfig())).toThrow('mqtt source "sensors": url is "embedded" but no embedded broker URL was given');
    const bad = sensorsConfig({ url: 'mqtt://127.0.0.1:1883', mappings: [...sensorsConfig().mappings, { topic: 'x/+a', asset: '{asset}', signal: 's', value: '$' }] });
    expect(() => new MqttSource(bad)).toThrow(/^mqtt source "sensors": mappings\[3\]\.asset: template "\{asset\}" uses "\{asset\}"/);
    expect(() => new MqttSource(sensorsConfig({ url: 'localhost' }))).toThrow('url "localhost" is not a URL');
    expect(() => new MqttSource(sensorsConfig({ url: 'http://127.0.0.1' }))).toThrow('uses http: but only mqtt://');
    expect(() => new MqttSource(sensorsConfig({ url: 'mqtt://127.0.0.1', tls: { caFile: 'ca.pem' } }))).toThrow('use mqtts:// or wss://');
    const missingCa = new MqttSource(sensorsConfig({ url: 'mqtts://127.0.0.1:8883', tls: { caFile: '/nonexistent/ca.pem' } }));
    await expect(missingCa.start(() => undefined)).rejects.toThrow('mqtt source "sensors": cannot read tls.caFile "/nonexistent/ca.pem": ENOENT');
    expect(missingCa.health().state).toBe('stopped');
  });

  it('logs in with auth from the config, hides URL credentials from health(), and explains a refused login', async () => {
    const aedes = await Aedes.createBroker({
      authenticate: (_client, username, password, done) => done(null, username === 'gateway' && password?.toString() === 'secret'),
    });
    const server = createServer(aedes.handle);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    cleanups.push(async () => {
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      await new Promise((resolve) => server.close(resolve));
    });
    const url = `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const good = await startSource(sensorsConfig({ auth: { username: 'gateway', password: 'secret' } }), url);
    expect(good.source.health().state).toBe('connected');

    const inUrl = await startSource(sensorsConfig(), url.replace('mqtt://', 'mqtt://gateway:secret@'));
    expect(inUrl.source.health()).toMatchObject({ state: 'connected', target: url });

    const refused = await startSource(sensorsConfig({ auth: { username: 'gateway', password: 'wrong' } }), url);
    expect(refused.source.health().state).not.toBe('connected');
    await expect.poll(() => refused.source.health().lastError).toMatch(
      /^Connection refused: (Not authorized|Bad username or password) \(check auth\.username and auth\.password in the source config/,
    );
  });
});
