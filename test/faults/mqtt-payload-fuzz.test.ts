import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import type { MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmbeddedBroker } from '../../gateway/mqtt/embedded-broker.js';
import { compileMapping } from '../../gateway/mqtt/mqtt-mapping.js';
import type { MqttMapping, MqttSourceConfig } from '../../gateway/mqtt/mqtt-source-config.js';
import { MqttSource } from '../../gateway/mqtt/mqtt-source.js';
import { PayloadDecoder } from '../../gateway/mqtt/payload-decoder.js';
import type { Reject } from '../../gateway/mqtt/reject.js';
import type { Sample } from '../../gateway/sample.js';
import { configFromObject } from '../../edge/config/load-config.js';
import { EdgeRuntime } from '../../edge/edge-runtime.js';
import { silentLogger } from '../../gateway/logger.js';
import { testUsers } from '../edge/console/fixtures/console-harness.js';
import { tempFolder } from '../support/temp-folder.js';
import { waitUntil } from '../support/wait-until.js';
import { SampleCollector } from '../gateway/mqtt/sample-collector.js';
import { connectPublisher } from '../gateway/mqtt/test-publisher.js';

const MAX_PAYLOAD_BYTES = 1024;

/** The three payload shapes of the simulated sensors: a readings array, an object of fields, a bare value. */
const MAPPINGS: MqttMapping[] = [
  {
    topic: 'fuzz/+asset/motor/vt',
    asset: '{asset}',
    samples: 'readings',
    timestamp: { path: 't', format: 'epoch-ms' },
    signals: { motor_vibration: 'vib_rms', motor_temp: 'temp_c' },
  },
  { topic: 'fuzz/meter-01/power', asset: 'meter-01', signals: { power: 'power_kw', voltage_l1: 'voltage.l1', power_factor: 'pf' } },
  { topic: 'fuzz/meter-01/energy', asset: 'meter-01', signal: 'energy', value: '$' },
];

/** A topic level as a sensor (or an attacker) might name it: any text without MQTT's reserved characters. */
const topicLevel = fc.string({ minLength: 0, maxLength: 20, unit: 'binary' }).filter((level) => !/[+#/\u0000]/.test(level));

const topic = fc.oneof(
  topicLevel.map((asset) => `fuzz/${asset}/motor/vt`),
  fc.constant('fuzz/meter-01/power'),
  fc.constant('fuzz/meter-01/energy'),
);

/** Anything a field might hold. */
const fieldValue = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.string({ maxLength: 10 }),
  fc.jsonValue({ maxDepth: 2 }),
);

/** Payloads near the expected shapes (where decoders break) and far from them (bytes, any JSON, oversized). */
const payload: fc.Arbitrary<Buffer> = fc.oneof(
  fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
  fc.jsonValue({ maxDepth: 4 }).map((value) => Buffer.from(JSON.stringify(value) ?? 'null')),
  fc
    .record(
      {
        readings: fc.oneof(
          fc.array(fc.record({ t: fc.oneof(fc.integer(), fc.double(), fc.string({ maxLength: 30 }), fc.constant(Date.now())), vib_rms: fieldValue, temp_c: fieldValue }, { requiredKeys: [] }), {
            maxLength: 5,
          }),
          fieldValue,
        ),
        power_kw: fieldValue,
        voltage: fc.oneof(fc.record({ l1: fieldValue }, { requiredKeys: [] }), fieldValue),
        pf: fieldValue,
      },
      { requiredKeys: [] },
    )
    .map((value) => Buffer.from(JSON.stringify(value))),
  fc.integer({ min: MAX_PAYLOAD_BYTES + 1, max: 4 * MAX_PAYLOAD_BYTES }).map((size) => Buffer.alloc(size, '9')),
);

function decoder(): PayloadDecoder {
  return new PayloadDecoder({ sourceId: 'sensors', mappings: MAPPINGS.map((mapping, index) => compileMapping(mapping, index)), maxPayloadBytes: MAX_PAYLOAD_BYTES });
}

function tally(rejects: readonly Reject[], into: Record<string, number>): void {
  for (const reject of rejects) into[reject.reason] = (into[reject.reason] ?? 0) + 1;
}

function hasEmptyLevelAfterFirst(messageTopic: string): boolean {
  return messageTopic.split('/').slice(1).includes('');
}

/** The embedded broker refuses such a message by closing the publisher's connection: publish from a throwaway client. */
async function publishRefused(url: string, messageTopic: string, body: Buffer): Promise<void> {
  const client = await connectPublisher(url);
  const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
  client.publish(messageTopic, body, { qos: 0 });
  await closed;
  await client.endAsync(true);
}

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('MQTT payloads from the plant network, fuzzed', () => {
  it('the decoder never throws, and every message becomes samples or counted rejects with a reason', () => {
    const decode = decoder();
    fc.assert(
      fc.property(topic, payload, (messageTopic, body) => {
        const samples: Sample[] = [];
        const rejects: Reject[] = [];
        decode.decode(messageTopic, body, Date.now(), samples, rejects);
        // Nothing silently dropped: only an empty readings array holds nothing to report.
        if (samples.length + rejects.length === 0) expect(JSON.parse(body.toString('utf8'))).toMatchObject({ readings: [] });
        for (const sample of samples) {
          expect(typeof sample.value).toBe('number');
          // NaN only stands for a field the sensor reported as failed (null), with bad quality.
          if (!Number.isFinite(sample.value)) expect(sample.quality).toBe('bad');
          expect(Number.isFinite(sample.ts)).toBe(true);
          expect(sample.asset).not.toBe('');
        }
        for (const reject of rejects) expect(reject.detail).toContain(messageTopic === '' ? '' : `"${messageTopic}"`);
      }),
      { numRuns: 2000 },
    );
  }, 60_000);

  it('through the embedded broker: the source survives, keeps working, and counts every reject the decoder finds', async () => {
    const broker = await startEmbeddedBroker({ port: 0 });
    cleanups.push(() => broker.stop());
    const config: MqttSourceConfig = { id: 'sensors', kind: 'mqtt', url: 'embedded', clientId: `fuzz-${randomUUID()}`, maxPayloadBytes: MAX_PAYLOAD_BYTES, mappings: MAPPINGS };
    const source = new MqttSource(config, { brokerUrl: broker.url });
    cleanups.push(() => source.stop());
    const collector = new SampleCollector();
    await source.start(collector.emit);
    const publisher: MqttClient = await connectPublisher(broker.url);
    cleanups.push(() => publisher.endAsync(true));

    // The same decoder, run here on each message, says what the source must have counted.
    const oracle = decoder();
    const messages = fc.sample(fc.tuple(topic, payload), { numRuns: 400, seed: 6 });
    const expectedRejects: Record<string, number> = {};
    let expectedSamples = 0;
    let expectedRefusals = 0;
    for (const [messageTopic, body] of messages) {
      if (hasEmptyLevelAfterFirst(messageTopic)) {
        expectedRefusals += 1;
        await publishRefused(broker.url, messageTopic, body);
        continue;
      }
      const samples: Sample[] = [];
      const rejects: Reject[] = [];
      oracle.decode(messageTopic, body, Date.now(), samples, rejects);
      expectedSamples += samples.length;
      tally(rejects, expectedRejects);
      await publisher.publishAsync(messageTopic, body, { qos: 1 });
    }
    // Still working: a good reading after all of that arrives.
    await publisher.publishAsync('fuzz/meter-01/energy', '12345.5', { qos: 1 });
    await collector.until((samples) => samples.some((sample) => sample.signal === 'energy' && sample.value === 12345.5), 'the good reading after the fuzzed ones');

    const health = source.health();
    // Never cut off: a message on "fuzz//motor/vt" used to make aedes drop every persistent-session subscriber.
    expect(health).toMatchObject({ state: 'connected', reconnects: 0, lastError: null });
    expect(broker.refusedPublishes()).toBe(expectedRefusals);
    expect(health.samplesIn).toBe(expectedSamples + 1);
    expect(health.rejected).toEqual(expectedRejects);
    const rejectedTotal = Object.values(expectedRejects).reduce((sum, count) => sum + count, 0);
    console.info(
      `[fuzz mqtt] ${messages.length} fuzzed messages through the broker: ${expectedRefusals} refused by the broker (empty topic level), ` +
        `${expectedSamples} samples, ${rejectedTotal} rejects counted by the source ${JSON.stringify(expectedRejects)}`,
    );
    expect(source.deadLetters().length).toBeGreaterThan(0);
  }, 90_000);

  it('on the running box: a refused publish is counted in /metrics and the source stays connected', async () => {
    const data = tempFolder('broker-refusals');
    cleanups.push(async () => data.remove());
    const config = configFromObject(
      {
        dataDir: data.path,
        statusIntervalSeconds: 0,
        embeddedBroker: { port: 0 },
        console: { port: 0, users: await testUsers() },
        sources: [{ id: 'sensors', kind: 'mqtt', url: 'embedded', mappings: [{ topic: 'plant/+asset/flow', asset: '{asset}', signal: 'flow', value: '$' }] }],
        assets: { 'pump-01': { kind: 'pump', signals: { flow: { unit: 'm³/h' } } } },
      },
      '<broker refusal test>',
      data.path,
    );
    const edge = await EdgeRuntime.create(config, silentLogger);
    cleanups.push(() => edge.stop());
    await edge.startSources();
    await publishRefused(edge.brokerUrl!, 'plant//flow', Buffer.from('12'));
    const publisher = await connectPublisher(edge.brokerUrl!);
    cleanups.push(() => publisher.endAsync(true));
    await publisher.publishAsync('plant/pump-01/flow', '42', { qos: 1 });
    await waitUntil(() => edge.bus.latest('pump-01', 'flow')?.value === 42, 'the good reading after the refused one');

    const metrics = await (await fetch(`${edge.console!.url}/metrics`)).text();
    expect(metrics).toMatch(/^millwright_broker_refused_publishes_total 1$/m);
    expect(edge.sources[0]!.health()).toMatchObject({ state: 'connected', reconnects: 0 });
  }, 60_000);
});
