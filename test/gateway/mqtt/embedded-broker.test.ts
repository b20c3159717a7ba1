import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../../gateway/mqtt/embedded-broker.js';
import { connectPublisher } from './test-publisher.js';

describe('startEmbeddedBroker', () => {
  const brokers: EmbeddedBroker[] = [];
  afterEach(async () => {
    await Promise.all(brokers.splice(0).map((broker) => broker.stop()));
  });

  it('listens on loopback, routes messages, counts clients and closes them on stop', async () => {
    const broker = await startEmbeddedBroker({ port: 0 });
    brokers.push(broker);
    expect(broker.url).toBe(`mqtt://127.0.0.1:${broker.port}`);
    expect(broker.port).toBeGreaterThan(0);

    const subscriber = await connectPublisher(broker.url);
    const publisher = await connectPublisher(broker.url);
    await subscriber.subscribeAsync('probe/#', { qos: 1 });
    const received = new Promise<string>((resolve) => subscriber.once('message', (_topic, payload) => resolve(payload.toString())));
    await publisher.publishAsync('probe/x', 'hello', { qos: 1 });
    expect(await received).toBe('hello');
    expect(broker.connectedClients()).toBe(2);

    const closed = new Promise<void>((resolve) => subscriber.once('close', () => resolve()));
    await broker.stop();
    await closed;
    await Promise.all([subscriber.endAsync(true), publisher.endAsync(true)]);
    await expect(new Promise((resolve, reject) => connect(broker.port, '127.0.0.1').once('connect', resolve).once('error', reject))).rejects.toThrow(
      /ECONNREFUSED/,
    );
  });

  it('can be started again on the same port after stop', async () => {
    const first = await startEmbeddedBroker({ port: 0 });
    const client = await connectPublisher(first.url);
    await first.stop();
    await client.endAsync(true);
    const second = await startEmbeddedBroker({ port: first.port });
    brokers.push(second);
    expect(second.port).toBe(first.port);
    const again = await connectPublisher(second.url);
    expect(second.connectedClients()).toBe(1);
    await again.endAsync();
  });

  it('says which port is taken', async () => {
    const broker = await startEmbeddedBroker({ port: 0 });
    brokers.push(broker);
    await expect(startEmbeddedBroker({ port: broker.port })).rejects.toThrow(
      new RegExp(`cannot listen on 127\\.0\\.0\\.1:${broker.port}: .*EADDRINUSE.*choose another port`),
    );
  });
});
