import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { Aedes } from 'aedes';
import { afterEach, describe, expect, it } from 'vitest';
import { MqttUplink } from '../../../gateway/uplink/mqtt-uplink.js';
import type { UplinkConfig } from '../../../gateway/uplink/uplink-config.js';
import { freePort } from '../../support/free-port.js';
import { tempFolder } from '../../support/temp-folder.js';
import { waitUntil } from '../../support/wait-until.js';
import { startTestBroker } from './fixtures/test-broker.js';
import { uplinkSettings } from './fixtures/uplink-settings.js';

// The MQTT source's test certificate: self-signed for 127.0.0.1.
const certFile = fileURLToPath(new URL('../mqtt/fixtures/test-broker-cert.pem', import.meta.url));
const keyFile = fileURLToPath(new URL('../mqtt/fixtures/test-broker-key.pem', import.meta.url));

describe('uplink connection problems', () => {
  const cleanups: (() => unknown)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  function uplinkFor(url: string, config: Partial<UplinkConfig> = {}): MqttUplink {
    const folder = tempFolder('uplink-problems');
    cleanups.push(() => folder.remove());
    const uplink = new MqttUplink(uplinkSettings(url, folder.path, config));
    cleanups.push(() => uplink.stop());
    return uplink;
  }

  it('names an unreachable broker, buffers meanwhile, and connects once the broker is there', async () => {
    const port = await freePort();
    const uplink = uplinkFor(`mqtt://user:secret@127.0.0.1:${port}`);
    await uplink.start();
    uplink.publishAlertEvent({ id: 1, ts: 1, type: 'activated', asset: 'pump-01', conditionId: 'c', toState: 'active-unacked' });
    const health = uplink.health();
    expect(health.target).toBe(`mqtt://127.0.0.1:${port}`);
    expect(health.channels[0]).toMatchObject({ state: 'disconnected', problem: 'broker-unreachable' });
    expect(health.channels[0]!.lastError?.message).toMatch(/^broker unreachable: .*ECONNREFUSED.*is the broker running and reachable at uplink\.url\?/);
    expect(health.channels[0]!.lastError?.message).not.toContain('secret');
    expect(health.buffer.messages).toBe(1);

    const broker = await startTestBroker({}, port);
    cleanups.push(() => broker.stop());
    await waitUntil(() => uplink.health().connected && uplink.health().buffer.messages === 0, 'connected, the buffered event sent');
  });

  it('says when the broker refuses the credentials', async () => {
    const broker = await startTestBroker({
      authenticate: (_client, username, password, done) => done(username === 'edge' && password?.toString() === 'right' ? null : Object.assign(new Error('bad credentials'), { returnCode: 4 as const }), username === 'edge'),
    });
    cleanups.push(() => broker.stop());
    const refused = uplinkFor(broker.url, { auth: { username: 'edge', password: 'wrong' } });
    await refused.start();
    expect(refused.health().channels[0]).toMatchObject({ state: 'disconnected', problem: 'auth-refused' });
    expect(refused.health().channels[0]!.lastError?.message).toContain('check uplink.auth.username and uplink.auth.password');
    expect(refused.health().channels[0]!.lastError?.message).not.toContain('wrong');

    const accepted = uplinkFor(broker.url, { auth: { username: 'edge', password: 'right' }, clientId: 'other-box' });
    await accepted.start();
    expect(accepted.health().connected).toBe(true);
  });

  it('connects over TLS with tls.caFile, and names the TLS problem without it', async () => {
    const aedes = await Aedes.createBroker();
    const server = createServer({ cert: readFileSync(certFile), key: readFileSync(keyFile) }, aedes.handle);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    cleanups.push(async () => {
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      await new Promise((resolve) => server.close(resolve));
    });
    const url = `mqtts://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const trusted = uplinkFor(url, { tls: { caFile: certFile }, clientId: 'trusting' });
    await trusted.start();
    expect(trusted.health().connected).toBe(true);

    const untrusting = uplinkFor(url, { clientId: 'untrusting' });
    await untrusting.start();
    expect(untrusting.health().channels[0]).toMatchObject({ state: 'disconnected', problem: 'tls' });
    expect(untrusting.health().channels[0]!.lastError?.message).toContain('check uplink.tls.caFile');
  });

  it('refuses to start when a TLS file cannot be read, naming the key and the file', async () => {
    const uplink = uplinkFor('mqtts://127.0.0.1:8883', { tls: { caFile: '/nonexistent/ca.pem' } });
    await expect(uplink.start()).rejects.toThrow('uplink: cannot read tls.caFile "/nonexistent/ca.pem"');
  });
});
