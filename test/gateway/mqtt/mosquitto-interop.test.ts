import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MqttSourceConfig } from '../../../gateway/mqtt/mqtt-source-config.js';
import { MqttSource } from '../../../gateway/mqtt/mqtt-source.js';
import { hasMosquittoPub, startTestMosquitto, type TestMosquitto } from '../../support/mosquitto-process.js';
import { SampleCollector } from './sample-collector.js';
import { connectPublisher, publish } from './test-publisher.js';

const run = promisify(execFile);

describe('MqttSource with mosquitto', () => {
  // A prefix of our own: a broker given by MILLWRIGHT_TEST_MOSQUITTO_URL may be shared.
  const prefix = `millwright-test-${randomUUID()}`;
  const config: MqttSourceConfig = {
    id: 'sensors',
    kind: 'mqtt',
    url: 'set in beforeAll',
    clientId: `millwright-test-${randomUUID()}`,
    mappings: [
      {
        topic: `${prefix}/millbrook/packaging/+asset/motor/vt`,
        asset: '{asset}',
        samples: 'readings',
        timestamp: { path: 't' },
        signals: { motor_vibration: 'vib_rms', motor_temp: 'temp_c' },
      },
      { topic: `${prefix}/millbrook/packaging/meter-01/energy`, asset: 'meter-01', signal: 'energy', value: '$' },
      {
        topic: `${prefix}/millbrook/packaging/meter-01/power`,
        asset: 'meter-01',
        timestamp: { path: 'time', format: 'iso8601' },
        signals: { power: 'power_kw', voltage_l1: 'voltage.l1' },
      },
    ],
  };
  let mosquitto: TestMosquitto;
  let source: MqttSource;
  let sensor: MqttClient;
  const collector = new SampleCollector();

  beforeAll(async () => {
    mosquitto = await startTestMosquitto();
    source = new MqttSource({ ...config, url: mosquitto.url });
    await source.start(collector.emit);
    sensor = await connectPublisher(mosquitto.url);
  });
  afterAll(async () => {
    await sensor?.endAsync(true);
    await source?.stop();
    await mosquitto?.stop();
  });

  const mosquittoPub = (topic: string, message: string, ...args: string[]) =>
    run('mosquitto_pub', ['-L', `${mosquitto.url}/${topic}`, '-q', '1', '-m', message, ...args], { timeout: 10_000 });

  it('subscribes on mosquitto and decodes what mqtt.js publishes', async () => {
    expect(source.health().state).toBe('connected');
    const t = Date.now() - 500;
    await publish(sensor, `${prefix}/millbrook/packaging/conveyor-02/motor/vt`, {
      sensor: 'vt-conveyor-02',
      readings: [{ t, vib_rms: 3.25, temp_c: 55.5 }],
    });
    await collector.untilValue('conveyor-02', 'motor_temp', 55.5);
    expect(collector.samples.filter((s) => s.asset === 'conveyor-02')).toEqual([
      { asset: 'conveyor-02', signal: 'motor_vibration', value: 3.25, ts: t, quality: 'good', source: 'sensors' },
      { asset: 'conveyor-02', signal: 'motor_temp', value: 55.5, ts: t, quality: 'good', source: 'sensors' },
    ]);
  });

  it.skipIf(!hasMosquittoPub)('decodes what mosquitto_pub publishes, over MQTT 3.1.1 and 5', async () => {
    await mosquittoPub(`${prefix}/millbrook/packaging/meter-01/energy`, '98765.25');
    await mosquittoPub(
      `${prefix}/millbrook/packaging/meter-01/power`,
      JSON.stringify({ time: '2024-05-01T10:00:00Z', power_kw: 91.5, voltage: { l1: 229.5 } }),
      '-V',
      'mqttv5',
    );
    await collector.untilValue('meter-01', 'voltage_l1', 229.5);
    await collector.untilValue('meter-01', 'energy', 98765.25);
    expect(collector.samples.find((s) => s.signal === 'power')).toMatchObject({ value: 91.5, ts: Date.UTC(2024, 4, 1, 10) });

    await mosquittoPub(`${prefix}/millbrook/packaging/meter-01/energy`, 'not a number');
    await mosquittoPub(`${prefix}/millbrook/packaging/meter-01/energy`, '98766');
    await collector.untilValue('meter-01', 'energy', 98766);
    expect(source.deadLetters()[0]).toMatchObject({ topic: `${prefix}/millbrook/packaging/meter-01/energy`, reason: 'malformed_json', payloadExcerpt: 'not a number' });
  });

  it('resubscribes after mosquitto restarts without its sessions and data flows again', async () => {
    const own = await startTestMosquitto({ ownProcess: true });
    const restartCollector = new SampleCollector();
    const restarting = new MqttSource({ ...config, url: own.url, clientId: `millwright-test-${randomUUID()}` });
    let publisher = await connectPublisher(own.url);
    try {
      await restarting.start(restartCollector.emit);
      const reconnectsBefore = restarting.health().reconnects;
      await publisher.endAsync(true);
      await own.restart();
      publisher = await connectPublisher(own.url);
      let value = 1;
      const republish = setInterval(() => void publish(publisher, `${prefix}/millbrook/packaging/meter-01/energy`, String(100_000 + value++)).catch(() => undefined), 200);
      try {
        await restartCollector.until((samples) => samples.some((s) => s.signal === 'energy' && s.value > 100_000), 'energy after the restart', 15_000);
      } finally {
        clearInterval(republish);
      }
      expect(restarting.health().state).toBe('connected');
      expect(restarting.health().reconnects).toBeGreaterThan(reconnectsBefore);
    } finally {
      await publisher.endAsync(true);
      await restarting.stop();
      await own.stop();
    }
  });
});
