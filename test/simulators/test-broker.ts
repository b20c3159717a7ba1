import { createServer, type AddressInfo, type Server } from 'node:net';
import { Aedes, type AedesOptions } from 'aedes';
import { connectAsync, type MqttClient } from 'mqtt';

export interface TestBroker {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** An aedes broker on 127.0.0.1; port 0 picks a free port, a given port lets a test restart "the same" broker. */
export async function startTestBroker(port = 0, options: AedesOptions = {}): Promise<TestBroker> {
  const broker = await Aedes.createBroker(options);
  const server: Server = createServer(broker.handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const actualPort = (server.address() as AddressInfo).port;
  return {
    url: `mqtt://127.0.0.1:${actualPort}`,
    port: actualPort,
    async close() {
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface ReceivedMessage {
  readonly topic: string;
  readonly payload: unknown;
  readonly at: number;
}

/** A subscriber that records every message, parsed as JSON, and can await the next one matching a predicate. */
export async function recordMessages(url: string, filter: string) {
  const client: MqttClient = await connectAsync(url, { reconnectPeriod: 200 });
  await client.subscribeAsync(filter, { qos: 1 });
  const messages: ReceivedMessage[] = [];
  const waiters = new Set<() => void>();
  client.on('message', (topic, payload) => {
    messages.push({ topic, payload: JSON.parse(payload.toString()) as unknown, at: Date.now() });
    for (const wake of waiters) wake();
  });
  return {
    messages,
    /** Resolves with the first message after index `from` for which the predicate holds. */
    async next(predicate: (message: ReceivedMessage) => boolean, from = messages.length, timeoutMs = 10_000): Promise<ReceivedMessage> {
      const find = () => messages.slice(from).find(predicate);
      const found = find();
      if (found) return found;
      return new Promise<ReceivedMessage>((resolve, reject) => {
        const wake = () => {
          const match = find();
          if (!match) return;
          waiters.delete(wake);
          clearTimeout(timer);
          resolve(match);
        };
        const timer = setTimeout(() => {
          waiters.delete(wake);
          reject(new Error(`no matching MQTT message on ${filter} within ${timeoutMs} ms (${messages.length - from} others)`));
        }, timeoutMs);
        waiters.add(wake);
      });
    },
    close: () => client.endAsync(true),
  };
}
