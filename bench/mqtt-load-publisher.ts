/**
 * A child process of bench/ingest.ts that plays a fleet of wireless sensors: it publishes
 * conveyor-shaped messages (`readingsPerMessage` readings of 2 signals each) at QoS 1 as fast as the
 * broker takes them, with a bounded number in flight, for `seconds`, then reports what it sent.
 * Usage: mqtt-load-publisher.ts URL READINGS_PER_MESSAGE SECONDS IN_FLIGHT
 */
import { connectAsync } from 'mqtt';

const [url = 'mqtt://127.0.0.1:1883', readingsArg = '10', secondsArg = '5', inFlightArg = '64'] = process.argv.slice(2);
const readingsPerMessage = Number(readingsArg);
const seconds = Number(secondsArg);
const inFlight = Number(inFlightArg);
const SENSORS = 50;

const client = await connectAsync(url, { clientId: `bench-publisher-${process.pid}`, reconnectPeriod: 0 });

function message(sequence: number): string {
  const now = Date.now();
  const readings = [];
  for (let i = 0; i < readingsPerMessage; i++) {
    readings.push({ t: now - (readingsPerMessage - i) * 100, vib_rms: 1.5 + ((sequence + i) % 7) * 0.01, temp_c: 40 + (i % 5) * 0.1 });
  }
  return JSON.stringify({ sensor: `vt-${sequence % SENSORS}`, readings });
}

let sent = 0;
const deadline = performance.now() + seconds * 1000;
async function worker(offset: number): Promise<void> {
  for (let sequence = offset; performance.now() < deadline; sequence += inFlight) {
    await client.publishAsync(`bench/line/conveyor-${String(sequence % SENSORS).padStart(2, '0')}/motor/vt`, message(sequence), { qos: 1 });
    sent += 1;
  }
}
await Promise.all(Array.from({ length: inFlight }, (_, i) => worker(i)));
await client.endAsync();
process.stdout.write(`${JSON.stringify({ messages: sent, samples: sent * readingsPerMessage * 2 })}\n`);
