import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { readFileSync } from 'node:fs';
import { connectAsync } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import type { MqttAuth, MqttTls } from '../../../gateway/mqtt/mqtt-security-options.js';
import { MqttSource } from '../../../gateway/mqtt/mqtt-source.js';
import { MqttUplink } from '../../../gateway/uplink/mqtt-uplink.js';
import { resolveUplinkConfig } from '../../../gateway/uplink/uplink-config.js';
import { tempFolder } from '../../support/temp-folder.js';
import { SampleCollector } from './sample-collector.js';

const run = promisify(execFile);

/** Set by .ci/run, which starts mosquitto with a TLS listener and a password file (docs/security.md shows how by hand). */
const env = {
  url: process.env['MILLWRIGHT_TEST_MOSQUITTO_TLS_URL'],
  ca: process.env['MILLWRIGHT_TEST_MOSQUITTO_CA'],
  username: process.env['MILLWRIGHT_TEST_MOSQUITTO_USER'],
  password: process.env['MILLWRIGHT_TEST_MOSQUITTO_PASSWORD'],
};
const missing = Object.entries({ MILLWRIGHT_TEST_MOSQUITTO_TLS_URL: env.url, MILLWRIGHT_TEST_MOSQUITTO_CA: env.ca, MILLWRIGHT_TEST_MOSQUITTO_USER: env.username, MILLWRIGHT_TEST_MOSQUITTO_PASSWORD: env.password })
  .filter(([, value]) => !value)
  .map(([name]) => name);
const title =
  missing.length === 0
    ? 'MQTT source and uplink with mosquitto over TLS and a password file'
    : `MQTT source and uplink with mosquitto over TLS: skipped, ${missing.join(', ')} not set (.ci/run starts that broker and sets them)`;

describe.skipIf(missing.length > 0)(title, () => {
  const url = env.url!;
  const user: MqttAuth = { username: env.username!, password: env.password! };
  const prefix = `millwright-test-${randomUUID()}`;
  const sources: MqttSource[] = [];
  const cleanups: (() => unknown)[] = [];

  afterEach(async () => {
    await Promise.all(sources.splice(0).map((source) => source.stop()));
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function startSource(tls: MqttTls, auth: MqttAuth): Promise<{ source: MqttSource; collector: SampleCollector }> {
    const source = new MqttSource({
      id: 'sensors',
      kind: 'mqtt',
      url,
      clientId: `millwright-test-${randomUUID()}`,
      tls,
      auth,
      mappings: [{ topic: `${prefix}/+asset/energy`, asset: '{asset}', signal: 'energy', value: '$' }],
    });
    sources.push(source);
    const collector = new SampleCollector();
    await source.start(collector.emit);
    return { source, collector };
  }

  it('connects with tls.caFile and the user, and decodes what mosquitto_pub sends over TLS', async () => {
    const { source, collector } = await startSource({ caFile: env.ca! }, user);
    expect(source.health().state).toBe('connected');
    const { port, hostname } = new URL(url);
    await run('mosquitto_pub', ['-h', hostname, '-p', port, '--cafile', env.ca!, '-u', user.username, '-P', user.password, '-q', '1', '-t', `${prefix}/meter-07/energy`, '-m', '41.5'], { timeout: 10_000 });
    await collector.untilValue('meter-07', 'energy', 41.5);
  });

  it('is refused with a wrong password, and says which settings to check', async () => {
    const { source } = await startSource({ caFile: env.ca! }, { username: user.username, password: 'wrong' });
    expect(source.health().state).not.toBe('connected');
    await expect.poll(() => source.health().lastError, { timeout: 10_000 }).toMatch(/Not authorized \(check auth\.username and auth\.password in the source config/);
  });

  it('refuses the broker without its CA, and says which setting to check', async () => {
    const { source } = await startSource({}, user);
    expect(source.health().state).not.toBe('connected');
    await expect.poll(() => source.health().lastError, { timeout: 10_000 }).toMatch(/certificate.*\(check tls\.caFile and that the broker certificate names the url's host\)$/);
  });

  it('publishes north through the uplink with uplink.tls.caFile and uplink.auth', async () => {
    const folder = tempFolder('uplink-tls');
    cleanups.push(() => folder.remove());
    const listener = await connectAsync(url, { ca: readFileSync(env.ca!), ...user, reconnectPeriod: 0, connectTimeout: 5000 });
    cleanups.push(() => listener.endAsync(true));
    await listener.subscribeAsync(`${prefix}/#`, { qos: 1 });
    const received = new Promise<string>((resolve) => listener.on('message', (topic) => resolve(topic)));

    const uplink = new MqttUplink(
      resolveUplinkConfig({ url, boxId: 'edge-tls', topicPrefix: prefix, tls: { caFile: env.ca! }, auth: user, maxReconnectDelay: 300 }, { site: 'Millbrook', dataDir: folder.path }),
    );
    cleanups.push(() => uplink.stop());
    await uplink.start();
    expect(uplink.health().connected).toBe(true);
    uplink.publishAlertEvent({ id: 1, ts: Date.now(), type: 'activated', asset: 'pump-01', conditionId: 'c', toState: 'active-unacked' });
    expect(await received).toMatch(new RegExp(`^${prefix}/`));
  });
});
