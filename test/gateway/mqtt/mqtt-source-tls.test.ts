import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createServer } from 'node:tls';
import { Aedes } from 'aedes';
import { afterEach, describe, expect, it } from 'vitest';
import type { MqttSourceConfig } from '../../../gateway/mqtt/mqtt-source-config.js';
import { MqttSource } from '../../../gateway/mqtt/mqtt-source.js';
import { SampleCollector } from './sample-collector.js';

// A self-signed certificate for 127.0.0.1, valid until 2126, made for these tests only.
const certFile = fileURLToPath(new URL('fixtures/test-broker-cert.pem', import.meta.url));
const keyFile = fileURLToPath(new URL('fixtures/test-broker-key.pem', import.meta.url));

describe('MqttSource over TLS', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** An aedes broker on mqtts:// that requires a client certificate signed by the test certificate. */
  async function tlsBroker() {
    const aedes = await Aedes.createBroker();
    const cert = readFileSync(certFile);
    const server = createServer({ cert, key: readFileSync(keyFile), ca: cert, requestCert: true, rejectUnauthorized: true }, aedes.handle);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    cleanups.push(async () => {
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      await new Promise((resolve) => server.close(resolve));
    });
    return { aedes, url: `mqtts://127.0.0.1:${(server.address() as AddressInfo).port}` };
  }

  async function startSource(url: string, tls: NonNullable<MqttSourceConfig['tls']>) {
    const config: MqttSourceConfig = {
      id: 'secure',
      kind: 'mqtt',
      url,
      clientId: `test-${randomUUID()}`,
      tls,
      mappings: [{ topic: 'plant/+asset/energy', asset: '{asset}', signal: 'energy', value: '$' }],
    };
    const source = new MqttSource(config);
    const collector = new SampleCollector();
    cleanups.push(() => source.stop());
    await source.start(collector.emit);
    return { source, collector };
  }

  it('trusts the broker through tls.caFile and presents tls.certFile/keyFile', async () => {
    const { aedes, url } = await tlsBroker();
    const { source, collector } = await startSource(url, { caFile: certFile, certFile, keyFile });
    expect(source.health().state).toBe('connected');
    await new Promise<void>((resolve, reject) =>
      aedes.publish({ cmd: 'publish', topic: 'plant/meter-07/energy', payload: Buffer.from('12.5'), qos: 1, retain: false, dup: false }, (error) =>
        error ? reject(error) : resolve(),
      ),
    );
    await collector.untilValue('meter-07', 'energy', 12.5);
  });

  it('refuses a broker whose certificate it cannot verify, and says which setting to check', async () => {
    const { url } = await tlsBroker();
    const { source } = await startSource(url, { certFile, keyFile });
    expect(source.health().state).not.toBe('connected');
    await expect
      .poll(() => source.health().lastError)
      .toMatch(/^self[- ]signed certificate \(check tls\.caFile and that the broker certificate names the url's host\)$/);
  });

  it('is refused by a broker that requires a client certificate when none is configured', async () => {
    const { url } = await tlsBroker();
    const { source } = await startSource(url, { caFile: certFile });
    expect(source.health().state).not.toBe('connected');
    await expect.poll(() => source.health().lastError).toBe(
      'TLS: tlsv13 alert certificate required (the broker refused the TLS handshake: check tls.certFile and tls.keyFile)',
    );
  });
});
