import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { MqttSensors } from '../../simulators/mqtt-sensors.js';
import { Simulation } from '../../simulators/simulation.js';
import { analogSignals, placeStub } from './stub-machine.js';
import { recordMessages, startTestBroker, type TestBroker } from './test-broker.js';

const logger = pino({ level: 'silent' });

interface VtPayload {
  sensor: string;
  readings: { t: number; vib_rms: number | null; temp_c: number | null }[];
}

function plant() {
  const conveyor1 = placeStub('conveyor-01', 'mqtt', 'Packaging', 'conveyor-motor', analogSignals('motor_vibration', 'motor_temp'));
  const conveyor2 = placeStub('conveyor-02', 'mqtt', 'Packaging', 'conveyor-motor', analogSignals('motor_vibration', 'motor_temp'));
  const meter = placeStub(
    'meter-01',
    'mqtt',
    'Packaging',
    'energy-meter',
    analogSignals('power', 'energy', 'voltage_l1', 'voltage_l2', 'voltage_l3', 'power_factor', 'frequency'),
  );
  const pump = placeStub('pump-01', 'opcua');
  return { conveyor1, conveyor2, meter, pump, machines: [conveyor1, conveyor2, meter, pump] };
}

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function start(options: { tickMs: number; publishIntervalMs: number; maxInFlight?: number; broker?: TestBroker }) {
  const broker = options.broker ?? (await startTestBroker());
  if (!options.broker) cleanups.push(() => broker.close());
  const machines = plant();
  const simulation = new Simulation({ machines: machines.machines, tickMs: options.tickMs, logger });
  const subscriber = await recordMessages(broker.url, 'millbrook/#');
  cleanups.push(() => subscriber.close());
  const sensors = new MqttSensors({
    simulation,
    brokerUrl: broker.url,
    publishIntervalMs: options.publishIntervalMs,
    ...(options.maxInFlight !== undefined ? { maxInFlight: options.maxInFlight } : {}),
    logger,
  });
  cleanups.push(() => sensors.stop());
  await sensors.waitUntilConnected(5000);
  simulation.start();
  cleanups.push(() => simulation.stop());
  return { broker, simulation, sensors, subscriber, ...machines };
}

describe('simulated MQTT sensors', () => {
  it('publish conveyor batches with several readings per message, as the contract says', async () => {
    const { subscriber } = await start({ tickMs: 20, publishIntervalMs: 200 });
    const message = await subscriber.next((candidate) => candidate.topic === 'millbrook/packaging/conveyor-01/motor/vt');
    const payload = message.payload as VtPayload;
    expect(Object.keys(payload)).toEqual(['sensor', 'readings']);
    expect(payload.sensor).toBe('vt-conveyor-01');
    expect(payload.readings.length).toBeGreaterThanOrEqual(8);
    expect(payload.readings.length).toBeLessThanOrEqual(12);
    for (const reading of payload.readings) {
      expect(Object.keys(reading)).toEqual(['t', 'vib_rms', 'temp_c']);
      expect(typeof reading.vib_rms).toBe('number');
      expect(typeof reading.temp_c).toBe('number');
      expect(Math.abs(reading.t - Date.now())).toBeLessThan(10_000);
    }
    const times = payload.readings.map((reading) => reading.t);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(subscriber.messages.some((candidate) => candidate.topic.includes('pump-01'))).toBe(false);
  });

  it('publish the energy meter as a power object and a bare kWh number', async () => {
    const { subscriber } = await start({ tickMs: 20, publishIntervalMs: 200 });
    const power = await subscriber.next((candidate) => candidate.topic === 'millbrook/packaging/meter-01/power');
    const payload = power.payload as Record<string, unknown>;
    expect(Object.keys(payload)).toEqual(['time', 'power_kw', 'voltage', 'pf', 'freq_hz']);
    expect(new Date(payload.time as string).toISOString()).toBe(payload.time);
    expect(Object.keys(payload.voltage as object)).toEqual(['l1', 'l2', 'l3']);
    expect(typeof payload.power_kw).toBe('number');
    const energy = await subscriber.next((candidate) => candidate.topic === 'millbrook/packaging/meter-01/energy');
    expect(typeof energy.payload).toBe('number');
  });

  it('send null for a failed sensor channel and nothing at all during comm-loss', async () => {
    const { subscriber, conveyor1 } = await start({ tickMs: 20, publishIntervalMs: 100 });
    conveyor1.machine.inject({ fault: 'sensor-dropout', severity: 1, rampSeconds: 0, signal: 'motor_temp' });
    const dropped = await subscriber.next(
      (candidate) => candidate.topic === 'millbrook/packaging/conveyor-01/motor/vt' && (candidate.payload as VtPayload).readings.every((reading) => reading.temp_c === null),
    );
    expect((dropped.payload as VtPayload).readings.every((reading) => typeof reading.vib_rms === 'number')).toBe(true);

    conveyor1.machine.inject({ fault: 'comm-loss', severity: 1, rampSeconds: 0 });
    // A flush after the injection has happened once conveyor-02 publishes again; from then on conveyor-01 is silent.
    await subscriber.next((candidate) => candidate.topic === 'millbrook/packaging/conveyor-02/motor/vt');
    const from = subscriber.messages.length;
    for (let count = 0; count < 3; count++) {
      await subscriber.next((candidate) => candidate.topic === 'millbrook/packaging/conveyor-02/motor/vt', subscriber.messages.length);
    }
    expect(subscriber.messages.slice(from).filter((candidate) => candidate.topic.includes('conveyor-01'))).toEqual([]);

    conveyor1.machine.clearFaults('comm-loss');
    await subscriber.next((candidate) => candidate.topic === 'millbrook/packaging/conveyor-01/motor/vt', subscriber.messages.length);
  });

  it('reconnect on their own after the broker comes back', async () => {
    const first = await startTestBroker();
    const { sensors } = await start({ tickMs: 20, publishIntervalMs: 100, broker: first });
    await first.close();
    await new Promise<void>((resolve, reject) => {
      const deadline = Date.now() + 5000;
      const check = () => (!sensors.connected ? resolve() : Date.now() > deadline ? reject(new Error('never noticed the broker went away')) : setTimeout(check, 20));
      check();
    });
    const second = await startTestBroker(first.port);
    cleanups.push(() => second.close());
    const subscriber = await recordMessages(second.url, 'millbrook/#');
    cleanups.push(() => subscriber.close());
    await subscriber.next((candidate) => candidate.topic === 'millbrook/packaging/conveyor-01/motor/vt');
    expect(sensors.stats().dropped).toBeGreaterThan(0);
  });

  it('bound the messages in flight and count what they drop', async () => {
    // A broker that never acknowledges a publish: QoS 1 messages stay in flight.
    const broker = await startTestBroker(0, { authorizePublish: () => undefined });
    cleanups.push(() => broker.close());
    const { sensors } = await start({ tickMs: 10, publishIntervalMs: 10, maxInFlight: 3, broker });
    await new Promise<void>((resolve, reject) => {
      const deadline = Date.now() + 5000;
      const check = () => (sensors.stats().dropped > 0 ? resolve() : Date.now() > deadline ? reject(new Error('nothing dropped')) : setTimeout(check, 10));
      check();
    });
    expect(sensors.stats().inFlight).toBe(3);
    expect(sensors.stats().published).toBe(0);
  });
});
