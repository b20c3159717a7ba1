import fc from 'fast-check';
import sparkplugPayload from 'sparkplug-payload';
import type { UMetric } from 'sparkplug-payload/lib/sparkplugbpayload.js';
import { afterEach, describe, expect, it } from 'vitest';
import { MqttUplink } from '../../../gateway/uplink/mqtt-uplink.js';
import { COMMAND_REJECT_REASONS, parseNodeCommand, REBIRTH_METRIC } from '../../../gateway/uplink/sparkplug-command.js';
import { tempFolder } from '../../support/temp-folder.js';
import { waitUntil } from '../../support/wait-until.js';
import { MessageRecorder } from './fixtures/message-recorder.js';
import { startTestBroker } from './fixtures/test-broker.js';
import { uplinkSettings } from './fixtures/uplink-settings.js';

const spb = sparkplugPayload.get('spBv1.0')!;
const TOPICS = { ncmd: 'spBv1.0/G/NCMD/edge-1', dcmdPrefix: 'spBv1.0/G/DCMD/edge-1/' };
const REBIRTH_ALIAS = 1;

const topic = fc.constantFrom(TOPICS.ncmd, TOPICS.ncmd, TOPICS.ncmd, `${TOPICS.dcmdPrefix}pump-01`, 'spBv1.0/G/NCMD/other-node', 'junk');
const metric: fc.Arbitrary<UMetric> = fc
  .record({
    name: fc.option(fc.oneof(fc.constant(REBIRTH_METRIC), fc.string({ maxLength: 30 })), { nil: undefined }),
    alias: fc.option(fc.oneof(fc.constant(REBIRTH_ALIAS), fc.nat(1000)), { nil: undefined }),
    typed: fc.oneof(
      fc.boolean().map((value) => ({ type: 'Boolean' as const, value })),
      fc.double({ noNaN: true }).map((value) => ({ type: 'Double' as const, value })),
      fc.string({ maxLength: 40 }).map((value) => ({ type: 'String' as const, value })),
      fc.integer().map((value) => ({ type: 'Int64' as const, value })),
    ),
  })
  .map(({ name, alias, typed }) => ({ ...(name === undefined ? {} : { name }), ...(alias === undefined ? {} : { alias }), ...typed }));

/** What the command should be judged, straight from the rules: only Node Control/Rebirth = true is obeyed. */
function expected(topicName: string, metrics: readonly UMetric[]): string {
  if (topicName.startsWith(TOPICS.dcmdPrefix)) return 'device-command';
  if (topicName !== TOPICS.ncmd) return 'unknown-topic';
  if (metrics.length === 0) return 'no-metrics';
  for (const m of metrics) {
    const byName = m.name === REBIRTH_METRIC;
    const byAlias = m.name === undefined && m.alias === REBIRTH_ALIAS;
    if (!byName && !byAlias) return 'unsupported-metric';
    if (m.value !== true) return 'rebirth-not-true';
  }
  return 'rebirth';
}

const verdict = (command: ReturnType<typeof parseNodeCommand>) => (command.kind === 'rebirth' ? 'rebirth' : command.reason);

describe('Sparkplug command input (fuzzed)', () => {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('answers any bytes on any topic with a verdict, never an exception', () => {
    fc.assert(
      fc.property(topic, fc.uint8Array({ maxLength: 4096 }), (name, bytes) => {
        const command = parseNodeCommand(name, bytes, TOPICS, REBIRTH_ALIAS);
        expect(command.kind === 'rebirth' || (COMMAND_REJECT_REASONS as readonly string[]).includes(command.reason)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('obeys exactly Node Control/Rebirth = true (by name or alias) among well-formed payloads', () => {
    fc.assert(
      fc.property(topic, fc.array(metric, { maxLength: 4 }), (name, metrics) => {
        const bytes = spb.encodePayload({ timestamp: Date.now(), metrics });
        expect(verdict(parseNodeCommand(name, bytes, TOPICS, REBIRTH_ALIAS))).toBe(expected(name, metrics));
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses oversized payloads before decoding them', () => {
    expect(verdict(parseNodeCommand(TOPICS.ncmd, new Uint8Array(64 * 1024 + 1), TOPICS, REBIRTH_ALIAS))).toBe('too-large');
  });

  it('keeps publishing while fuzzed commands arrive on its command topics, and counts each one', async () => {
    const broker = await startTestBroker();
    cleanups.push(() => broker.stop());
    const folder = tempFolder('uplink-fuzz');
    cleanups.push(() => folder.remove());
    const recorder = await MessageRecorder.connect(broker.url, ['spBv1.0/Millbrook/DDATA/#', 'spBv1.0/Millbrook/NBIRTH/#']);
    cleanups.push(() => recorder.close());
    const uplink = new MqttUplink(uplinkSettings(broker.url, folder.path, { formats: ['sparkplug'], sparkplug: { groupId: 'Millbrook', edgeNodeId: 'edge-1' } }));
    cleanups.push(() => uplink.stop());
    await uplink.start();
    // NCMD is subscribed before NBIRTH is published: once the NBIRTH is here, commands reach the uplink.
    await recorder.until(() => recorder.messages.length > 0, 'the NBIRTH');

    const inputs = fc.sample(
      fc.tuple(
        fc.constantFrom('spBv1.0/Millbrook/NCMD/edge-1', 'spBv1.0/Millbrook/DCMD/edge-1/pump-01'),
        fc.oneof(fc.uint8Array({ maxLength: 512 }), fc.array(metric, { maxLength: 3 }).map((metrics) => spb.encodePayload({ timestamp: 1, metrics }))),
      ),
      { numRuns: 100, seed: 42 },
    );
    for (const [name, bytes] of inputs) {
      await new Promise<void>((resolve) => broker.aedes.publish({ cmd: 'publish', topic: name, payload: Buffer.from(bytes), qos: 0, retain: false, dup: false }, () => resolve()));
    }
    const counted = () => {
      const { commands } = uplink.health().sparkplug!;
      return commands.rebirths + Object.values(commands.rejected).reduce((a, b) => a + b, 0);
    };
    await waitUntil(() => counted() === inputs.length, 'every command counted');
    uplink.publishTelemetry([{ asset: 'pump-01', signal: 'flow', value: 1, ts: 1, quality: 'good', source: 'plc' }]);
    await recorder.until(() => recorder.messages.some((m) => m.topic.includes('/DDATA/')), 'a DDATA after the fuzzing');
    expect(uplink.health().connected).toBe(true);
  });
});
