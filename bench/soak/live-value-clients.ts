import { once } from 'node:events';
import WebSocket from 'ws';

/** Operator pages stand-ins: WebSocket clients of the console subscribed to every signal and the alerts. */
export interface LiveValueClients {
  /** Points received by all clients since the last call, and how many clients are still open. */
  takeCounts(): { points: number; alertEvents: number; open: number };
  close(): Promise<void>;
}

interface ValuesFrame {
  type: string;
  values?: Record<string, unknown[]>;
}

export async function openLiveValueClients(consoleUrl: string, credentials: { name: string; password: string }, signalKeys: readonly string[], count: number): Promise<LiveValueClients> {
  const login = await fetch(`${consoleUrl}/api/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(credentials) });
  if (!login.ok) throw new Error(`console login as ${credentials.name} failed: HTTP ${login.status} ${await login.text()}`);
  const { token } = (await login.json()) as { token: string };
  let points = 0;
  let alertEvents = 0;
  const sockets = await Promise.all(
    Array.from({ length: count }, async () => {
      const socket = new WebSocket(`${consoleUrl.replace(/^http/, 'ws')}/ws`, ['millwright.v1'], { headers: { authorization: `Bearer ${token}` } });
      socket.on('message', (data: Buffer) => {
        const message = JSON.parse(data.toString()) as ValuesFrame;
        if (message.type === 'values') for (const list of Object.values(message.values ?? {})) points += list.length;
        if (message.type === 'alert.event') alertEvents += 1;
      });
      await once(socket, 'open');
      socket.send(JSON.stringify({ type: 'subscribe.signals', signals: signalKeys }));
      socket.send(JSON.stringify({ type: 'subscribe.alerts' }));
      return socket;
    }),
  );
  return {
    takeCounts() {
      const counts = { points, alertEvents, open: sockets.filter((socket) => socket.readyState === WebSocket.OPEN).length };
      points = 0;
      alertEvents = 0;
      return counts;
    },
    async close() {
      await Promise.all(
        sockets.map((socket) => {
          if (socket.readyState === WebSocket.CLOSED) return undefined;
          const closed = once(socket, 'close');
          socket.close();
          return closed;
        }),
      );
    },
  };
}
