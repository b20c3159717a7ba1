import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:tls';
import { Aedes } from 'aedes';
import { connectAsync } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { MqttAuth, MqttTls } from '../../../gateway/mqtt/mqtt-security-options.js';
import { MqttSource } from '../../../gateway/mqtt/mqtt-source.js';
import { makeThrowawayCa, type ThrowawayCa } from '../../support/throwaway-ca.js';
import { tempFolder } from '../../support/temp-folder.js';
import { SampleCollector } from './sample-collector.js';
import { publish } from './test-publisher.js';

/** aedes behind Node's TLS server, with a certificate from a throwaway CA and one user: always runs, no mosquitto needed. */
const USER: MqttAuth = { username: 'line-1-gateway', password: 'broker-secret-42' };
const folder = tempFolder('mqtt-tls-auth');
let ca: ThrowawayCa;
let url: string;
let aedes: Aedes;
let server: ReturnType<typeof createServer>;
const sources: MqttSource[] = [];

beforeAll(async () => {
  ca = makeThrowawayCa(folder.path);
  aedes = await Aedes.createBroker({
    authenticate: (_client, username, password, done) => done(null, username === USER.username && password?.toString() === USER.password),
  });
  server = createServer({ cert: readFileSync(ca.serverCertFile), key: readFileSync(ca.serverKeyFile) }, aedes.handle);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  url = `mqtts://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  await Promise.all(sources.splice(0).map((source) => source.stop()));
});

afterAll(async () => {
  await new Promise<void>((resolve) => aedes.close(() => resolve()));
  await new Promise((resolve) => server.close(resolve));
  folder.remove();
});

async function startSource(tls: MqttTls, auth: MqttAuth | undefined): Promise<{ source: MqttSource; collector: SampleCollector }> {
  const source = new MqttSource({
    id: 'sensors',
    kind: 'mqtt',
    url,
    clientId: `test-${randomUUID()}`,
    tls,
    ...(auth ? { auth } : {}),
    mappings: [{ topic: 'plant/+asset/energy', asset: '{asset}', signal: 'energy', value: '$' }],
  });
  sources.push(source);
  const collector = new SampleCollector();
  await source.start(collector.emit);
  return { source, collector };
}

describe('MqttSource over TLS with a user', () => {
  it('verifies the broker against tls.caFile, logs in and delivers data', async () => {
    const { source, collector } = await startSource({ caFile: ca.caFile }, USER);
    expect(source.health().state).toBe('connected');
    const sensor = await connectAsync(url, { ca: readFileSync(ca.caFile), ...USER, reconnectPeriod: 0, connectTimeout: 5000 });
    try {
      await publish(sensor, 'plant/meter-07/energy', '12.5');
      await collector.untilValue('meter-07', 'energy', 12.5);
    } finally {
      await sensor.endAsync(true);
    }
  });

  it('refuses a wrong password and says which settings to check, without showing the password', async () => {
    const { source } = await startSource({ caFile: ca.caFile }, { username: USER.username, password: 'not-it' });
    await expect.poll(() => source.health().lastError, { timeout: 10_000 }).toMatch(/Not authorized \(check auth\.username and auth\.password in the source config/);
    expect(source.health().state).not.toBe('connected');
    expect(JSON.stringify(source.health())).not.toContain('not-it');
  });

  it('refuses a broker whose certificate does not chain to tls.caFile, and says which setting to check', async () => {
    const otherFolder = join(folder.path, 'other-ca');
    mkdirSync(otherFolder);
    const otherCa = makeThrowawayCa(otherFolder);
    const { source } = await startSource({ caFile: otherCa.caFile }, USER);
    expect(source.health().state).not.toBe('connected');
    await expect.poll(() => source.health().lastError, { timeout: 10_000 }).toBe("unable to verify the first certificate (check tls.caFile and that the broker certificate names the url's host)");
  });
});
