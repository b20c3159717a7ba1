import sparkplugPayload from 'sparkplug-payload';
import type { UPayload } from 'sparkplug-payload/lib/sparkplugbpayload.js';
import { afterEach, describe, expect, it } from 'vitest';
import type { Sample } from '../../../gateway/sample.js';
import { MqttUplink } from '../../../gateway/uplink/mqtt-uplink.js';
import type { UplinkConfig } from '../../../gateway/uplink/uplink-config.js';
import { tempFolder } from '../../support/temp-folder.js';
import { waitUntil } from '../../support/wait-until.js';
import { MessageRecorder, type RecordedMessage } from './fixtures/message-recorder.js';
import { startTcpCut } from './fixtures/tcp-cut.js';
import { startTestBroker } from './fixtures/test-broker.js';
import { TEST_ASSETS, uplinkSettings } from './fixtures/uplink-settings.js';

const spb = sparkplugPayload.get('spBv1.0')!;
const T0 = 1_700_000_000_000;
const NODE = 'spBv1.0/Millbrook';
const sample = (signal: string, value: number, ts = T0, quality: Sample['quality'] = 'good'): Sample => ({ asset: 'pump-01', signal, value, ts, quality, source: 'plc' });

interface Decoded {
  readonly topic: string;
  readonly verb: string;
  readonly payload: UPayload;
}

const num = (value: unknown): number => (typeof value === 'number' ? value : Number((value as { toNumber(): number }).toNumber()));
const decode = (message: RecordedMessage): Decoded => ({ topic: message.topic, verb: message.topic.split('/')[2]!, payload: spb.decodePayload(message.payload) });
const metric = (payload: UPayload, name: string) => payload.metrics?.find((m) => m.name === name);

describe('MqttUplink, Sparkplug B', () => {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function setup(overrides: Partial<UplinkConfig> = {}, throughCut = false) {
    const broker = await startTestBroker();
    cleanups.push(() => broker.stop());
    const cut = throughCut ? await startTcpCut(broker.url) : null;
    if (cut) cleanups.push(() => cut.close());
    const folder = tempFolder('uplink-spb');
    cleanups.push(() => folder.remove());
    const recorder = await MessageRecorder.connect(broker.url, ['spBv1.0/#']);
    cleanups.push(() => recorder.close());
    const config: Partial<UplinkConfig> = { formats: ['sparkplug'], sparkplug: { groupId: 'Millbrook', edgeNodeId: 'edge-1' }, ...overrides };
    const uplink = new MqttUplink(uplinkSettings(cut?.url ?? broker.url, folder.path, config), { assets: TEST_ASSETS });
    cleanups.push(() => uplink.stop());
    // What the edge node published (the recorder also sees the commands a test sends).
    const decoded = () => recorder.messages.filter((m) => !/\/[ND]CMD\//.test(m.topic)).map(decode);
    const count = (verb: string) => decoded().filter((m) => m.verb === verb).length;
    return { broker, cut, recorder, uplink, decoded, count };
  }

  it('births the node and each asset with aliased, typed metrics, then sends DDATA by alias with seq +1 per message', async () => {
    const { uplink, recorder, decoded, count } = await setup({ telemetry: { batchIntervalMs: 0 } });
    await uplink.start();
    await recorder.until(() => count('NBIRTH') === 1 && count('DBIRTH') === 2, 'NBIRTH and two DBIRTHs');

    const [nbirth, ...dbirths] = decoded();
    expect(nbirth!.topic).toBe(`${NODE}/NBIRTH/edge-1`);
    expect(num(nbirth!.payload.seq)).toBe(0);
    expect(num(metric(nbirth!.payload, 'bdSeq')!.value)).toBe(0);
    expect(metric(nbirth!.payload, 'bdSeq')!.type).toBe('Int64');
    expect(metric(nbirth!.payload, 'Node Control/Rebirth')).toMatchObject({ type: 'Boolean', value: false });
    expect(dbirths.map((m) => m.topic)).toEqual([`${NODE}/DBIRTH/edge-1/pump-01`, `${NODE}/DBIRTH/edge-1/meter-01`]);
    const pumpBirth = dbirths[0]!.payload;
    expect(metric(pumpBirth, 'flow')).toMatchObject({ type: 'Double', value: null, properties: { engUnit: { type: 'String', value: 'm³/h' } } });
    const aliases = [nbirth!, ...dbirths].flatMap((m) => m.payload.metrics!.filter((x) => x.alias !== undefined).map((x) => num(x.alias)));
    expect(new Set(aliases).size).toBe(aliases.length);

    uplink.publishTelemetry([sample('flow', 131.5), sample('vibration_de', Number.NaN, T0 + 5, 'bad')]);
    await recorder.until(() => count('DDATA') === 1, 'a DDATA');
    const ddata = decoded().find((m) => m.verb === 'DDATA')!;
    expect(ddata.topic).toBe(`${NODE}/DDATA/edge-1/pump-01`);
    const [flow, vibration, messageId] = ddata.payload.metrics!;
    expect(flow).toMatchObject({ alias: expect.anything(), type: 'Double', value: 131.5 });
    expect(flow!.name).toBeUndefined();
    expect(num(flow!.alias)).toBe(num(metric(pumpBirth, 'flow')!.alias));
    expect(num(flow!.timestamp)).toBe(T0);
    expect(vibration).toMatchObject({ value: null, properties: { Quality: { type: 'Int32', value: 0 } } });
    expect(messageId!.value).toMatch(/^edge-1:\d+$/);

    // A model the DBIRTH did not declare: the device is born again with it before its DDATA.
    uplink.publishFinding({ asset: 'pump-01', model: 'pump-ae', ts: T0, score: 9.5, threshold: 4, anomalous: true });
    uplink.publishAlertEvent({ id: 3, ts: T0, type: 'flood-started', asset: null, conditionId: null, toState: null });
    await recorder.until(() => count('DDATA') === 2 && count('NDATA') === 1, 'the finding and the flood event');
    const all = decoded();
    const rebirth = all.filter((m) => m.verb === 'DBIRTH')[2]!;
    expect(rebirth.topic).toBe(`${NODE}/DBIRTH/edge-1/pump-01`);
    expect(metric(rebirth.payload, 'Anomaly/pump-ae/Score')).toMatchObject({ type: 'Double', value: null });
    expect(num(metric(rebirth.payload, 'flow')!.alias)).toBe(num(flow!.alias));
    const scoreAlias = num(metric(rebirth.payload, 'Anomaly/pump-ae/Score')!.alias);
    const findingData = all.filter((m) => m.verb === 'DDATA')[1]!;
    expect(findingData.payload.metrics!.find((m) => num(m.alias) === scoreAlias)?.value).toBe(9.5);
    const ndata = all.find((m) => m.verb === 'NDATA')!;
    const alertEvent = ndata.payload.metrics!.find((m) => num(m.alias) === num(metric(nbirth!.payload, 'Alert Event')!.alias));
    expect(JSON.parse(alertEvent!.value as string)).toMatchObject({ id: 3, type: 'flood-started' });

    for (let i = 0; i < 300; i++) uplink.publishTelemetry([sample('flow', i, T0 + 1000 + i)]);
    await recorder.until(() => count('DDATA') === 302, '300 more DDATA');
    const seqs = decoded().map((m) => num(m.payload.seq));
    expect(seqs[0]).toBe(0);
    seqs.forEach((seq, i) => i > 0 && expect(seq).toBe((seqs[i - 1]! + 1) % 256));
  });

  it('has NDEATH with bdSeq as its will, and after reconnecting births again with bdSeq + 1 and marks buffered data historical', async () => {
    const { uplink, recorder, decoded, count, cut } = await setup({ sparkplug: { groupId: 'Millbrook', edgeNodeId: 'edge-1', qos: 1 } }, true);
    await uplink.start();
    await recorder.until(() => count('DBIRTH') === 2, 'the births');
    uplink.publishTelemetry([sample('flow', 1, T0)]);
    await recorder.until(() => count('DDATA') === 1, 'live DDATA');

    cut!.cut();
    uplink.publishTelemetry([sample('flow', 2, T0 + 1)]);
    await recorder.until(() => count('NBIRTH') === 2 && count('DDATA') === 2, 'NDEATH, a new NBIRTH and the buffered DDATA');
    const all = decoded();
    const ndeath = all.find((m) => m.verb === 'NDEATH')!;
    expect(ndeath.topic).toBe(`${NODE}/NDEATH/edge-1`);
    expect(num(metric(ndeath.payload, 'bdSeq')!.value)).toBe(0);
    expect(ndeath.payload.seq).toBeUndefined();
    const reborn = all.filter((m) => m.verb === 'NBIRTH')[1]!;
    expect(num(reborn.payload.seq)).toBe(0);
    expect(num(metric(reborn.payload, 'bdSeq')!.value)).toBe(1);
    expect(all.indexOf(reborn)).toBeGreaterThan(all.indexOf(ndeath));
    const [live, buffered] = all.filter((m) => m.verb === 'DDATA');
    expect(live!.payload.metrics![0]).toMatchObject({ value: 1 });
    expect(live!.payload.metrics![0]!.isHistorical).toBeUndefined();
    expect(buffered!.payload.metrics![0]).toMatchObject({ value: 2, isHistorical: true });
    expect(uplink.health().sparkplug).toMatchObject({ bdSeq: 1 });
  });

  it('answers Node Control/Rebirth (by name or alias) with NBIRTH and DBIRTHs, and refuses other commands, counting them', async () => {
    const { uplink, recorder, decoded, count, broker } = await setup();
    await uplink.start();
    await recorder.until(() => count('DBIRTH') === 2, 'the births');
    const rebirthAlias = num(metric(decoded()[0]!.payload, 'Node Control/Rebirth')!.alias);
    const command = (payload: UPayload | Uint8Array, topic = `${NODE}/NCMD/edge-1`) =>
      new Promise<void>((resolve) =>
        broker.aedes.publish(
          { cmd: 'publish', topic, payload: Buffer.from(payload instanceof Uint8Array ? payload : spb.encodePayload(payload)), qos: 0, retain: false, dup: false },
          () => resolve(),
        ),
      );

    await command({ timestamp: Date.now(), metrics: [{ name: 'Node Control/Rebirth', type: 'Boolean', value: true }] });
    await recorder.until(() => count('NBIRTH') === 2 && count('DBIRTH') === 4, 'a rebirth');
    await command({ timestamp: Date.now(), metrics: [{ alias: rebirthAlias, type: 'Boolean', value: true }] });
    await recorder.until(() => count('NBIRTH') === 3, 'a rebirth asked by alias');
    const births = decoded().filter((m) => m.verb === 'NBIRTH');
    expect(births.map((m) => num(m.payload.seq))).toEqual([0, 0, 0]);
    expect(births.map((m) => num(metric(m.payload, 'bdSeq')!.value))).toEqual([0, 0, 0]);

    await command(Uint8Array.from([0xff, 0x01, 0x02]));
    await command({ timestamp: Date.now(), metrics: [{ name: 'Node Control/Reboot', type: 'Boolean', value: true }] });
    await command({ timestamp: Date.now(), metrics: [{ name: 'Node Control/Rebirth', type: 'Boolean', value: false }] });
    await command({ timestamp: Date.now(), metrics: [{ name: 'flow', type: 'Double', value: 0 }] }, `${NODE}/DCMD/edge-1/pump-01`);
    await waitUntil(() => Object.values(uplink.health().sparkplug!.commands.rejected).reduce((a, b) => a + b, 0) === 4, 'four refused commands');
    expect(uplink.health().sparkplug!.commands).toEqual({
      rebirths: 2,
      rejected: { 'too-large': 0, undecodable: 1, 'no-metrics': 0, 'unsupported-metric': 1, 'rebirth-not-true': 1, 'device-command': 1, 'unknown-topic': 0 },
    });
    expect(count('NBIRTH')).toBe(3);
  });
});
