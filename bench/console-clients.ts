/**
 * The WebSocket clients of bench/console.ts, in their own process (loopback): each subscribes to every
 * signal and to the alerts, counts what arrives, and times each alert activation from the moment the
 * server's process raised it (details.raisedAt, in epoch ms with sub-millisecond precision).
 * Commands arrive over IPC: { open: n }, { reset: true }, { report: true }.
 */
import WebSocket from 'ws';

interface ClientStats {
  valuesFrames: number;
  points: number;
  closedWith: number | null;
}

const url = process.argv[2]!;
const token = process.argv[3]!;
const signals = process.argv.slice(4);
const clients: { socket: WebSocket; stats: ClientStats }[] = [];
let latencies: number[] = [];
const VALUES_PREFIX = Buffer.from('{"type":"values"');
const GOOD_POINT = Buffer.from('"good"]');
const epochNow = () => performance.timeOrigin + performance.now();

function open(): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/ws`, ['millwright.v1'], { headers: { authorization: `Bearer ${token}` } });
    const stats: ClientStats = { valuesFrames: 0, points: 0, closedWith: null };
    socket.on('message', (data: Buffer) => {
      if (data.subarray(0, VALUES_PREFIX.length).equals(VALUES_PREFIX)) {
        // Counted without decoding (every point of the bench is "good"), so the clients' process stays light
        // and the alert timings measure the console rather than the clients' own backlog.
        stats.valuesFrames += 1;
        for (let at = data.indexOf(GOOD_POINT); at !== -1; at = data.indexOf(GOOD_POINT, at + GOOD_POINT.length)) stats.points += 1;
        return;
      }
      const message = JSON.parse(data.toString()) as { type: string; event?: { type: string; alert: { details: { raisedAt?: number } } | null } };
      if (message.type === 'alerts.live') resolve();
      if (message.type === 'alert.event' && (message.event?.type === 'activated' || message.event?.type === 'reactivated')) {
        const raisedAt = message.event.alert?.details.raisedAt;
        if (raisedAt !== undefined) latencies.push(epochNow() - raisedAt);
      }
    });
    socket.on('open', () => {
      socket.send(JSON.stringify({ type: 'subscribe.signals', signals }));
      socket.send(JSON.stringify({ type: 'subscribe.alerts' }));
    });
    socket.on('close', (code) => (stats.closedWith = code));
    socket.on('error', reject);
    clients.push({ socket, stats });
  });
}

process.on('message', async (command: { open?: number; reset?: boolean; report?: boolean; stop?: boolean }) => {
  if (command.open !== undefined) {
    while (clients.length < command.open) await Promise.all(Array.from({ length: Math.min(25, command.open - clients.length) }, open));
    process.send!({ opened: clients.length });
  }
  if (command.reset) {
    for (const client of clients) Object.assign(client.stats, { valuesFrames: 0, points: 0 });
    latencies = [];
    process.send!({ reset: true });
  }
  if (command.report) {
    const open = clients.filter((client) => client.stats.closedWith === null);
    process.send!({
      clients: clients.length,
      closed: clients.length - open.length,
      framesPerClient: open.map((client) => client.stats.valuesFrames),
      pointsPerClient: open.map((client) => client.stats.points),
      latencies,
    });
  }
  if (command.stop) {
    for (const client of clients) client.socket.terminate();
    process.exit(0);
  }
});
