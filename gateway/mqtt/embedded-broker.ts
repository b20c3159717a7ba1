import { createServer, type Socket } from 'node:net';
import { once } from 'node:events';
import { Aedes } from 'aedes';
import { silentLogger, type Logger } from '../logger.js';

export interface EmbeddedBrokerOptions {
  /** Interface to listen on; loopback unless the broker must be reachable from other machines. */
  readonly host?: string;
  /** 0 picks any free port. */
  readonly port?: number;
  readonly logger?: Logger;
}

export interface EmbeddedBroker {
  /** mqtt://host:port, for clients. */
  readonly url: string;
  readonly port: number;
  connectedClients(): number;
  /** Publishes refused since start (see refusalOf), each answered by closing the publisher's connection. */
  refusedPublishes(): number;
  /** Disconnects every client and closes the listening socket. */
  stop(): Promise<void>;
}

/**
 * The in-process MQTT broker (aedes, sessions in memory) that the gateway runs when no external
 * broker is configured. Rejects with the listen error (EADDRINUSE, EACCES) when the port is taken.
 */
export async function startEmbeddedBroker(options: EmbeddedBrokerOptions = {}): Promise<EmbeddedBroker> {
  const host = options.host ?? '127.0.0.1';
  const logger = (options.logger ?? silentLogger).child({ component: 'mqtt-broker' });
  let refused = 0;
  const aedes = await Aedes.createBroker({
    authorizePublish(client, packet, callback) {
      const refusal = refusalOf(packet.topic);
      if (refusal === null) return callback(null);
      refused += 1;
      logger.warn({ clientId: client?.id, topic: packet.topic }, `refused a message from MQTT client '${client?.id ?? '?'}' on topic "${packet.topic}": ${refusal}; its connection is closed`);
      callback(new Error(refusal));
    },
  });
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    aedes.handle(socket);
  });

  aedes.on('client', (client) => logger.debug({ clientId: client.id }, 'client connected'));
  aedes.on('clientDisconnect', (client) => logger.debug({ clientId: client.id }, 'client disconnected'));
  aedes.on('clientError', (client, error) => logger.debug({ clientId: client.id, err: error }, 'client connection error'));
  aedes.on('connectionError', (client, error) => logger.warn({ clientId: client.id, err: error }, 'MQTT connection refused or broken'));

  try {
    server.listen(options.port ?? 1883, host);
    await once(server, 'listening');
  } catch (error) {
    await new Promise<void>((resolve) => aedes.close(() => resolve()));
    const port = options.port ?? 1883;
    throw new Error(`embedded MQTT broker cannot listen on ${host}:${port}: ${(error as Error).message}; choose another port or stop what uses it`, {
      cause: error,
    });
  }
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : (options.port ?? 1883);
  const url = `mqtt://${host.includes(':') ? `[${host}]` : host}:${port}`;
  logger.info({ url }, 'embedded MQTT broker listening');

  let stopping: Promise<void> | null = null;
  return {
    url,
    port,
    connectedClients: () => aedes.connectedClients,
    refusedPublishes: () => refused,
    stop() {
      stopping ??= (async () => {
        const closed = new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
        await new Promise<void>((resolve) => aedes.close(() => resolve()));
        // aedes ends its clients' streams; a socket still half-open would hold server.close() back.
        for (const socket of sockets) socket.destroy();
        await closed;
        logger.info({ url }, 'embedded MQTT broker stopped');
      })();
      return stopping;
    },
  };
}

/**
 * aedes delivers a message on "a//b" to a subscription "a/+/b" as MQTT says, but its in-memory session store
 * does not match "+" to an empty level, so the delivery to every persistent-session subscriber (the gateway's
 * MQTT sources) fails with "no such packet" and aedes drops that subscriber's connection: any publisher could
 * cut the gateway off. An empty level after the first is refused instead (a leading "/" stays allowed).
 */
function refusalOf(topic: string): string | null {
  return topic.split('/').slice(1).includes('') ? 'a topic level after the first is empty; name every level (e.g. "plant/pump-01/flow")' : null;
}
