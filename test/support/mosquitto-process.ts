import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';

const MOSQUITTO = '/usr/sbin/mosquitto';
const INSTALL_HINT =
  'install it with "apt-get install -y mosquitto mosquitto-clients" (Debian/Ubuntu), or set MILLWRIGHT_TEST_MOSQUITTO_URL to a running broker such as mqtt://127.0.0.1:1883';

export interface TestMosquitto {
  readonly url: string;
  /** Set when this process spawned the broker (not when MILLWRIGHT_TEST_MOSQUITTO_URL was given). */
  readonly port: number | null;
  /** Stops and starts the spawned broker on the same port, sessions lost (persistence false). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** True when the mosquitto_pub client (package mosquitto-clients) is on PATH. */
export const hasMosquittoPub = spawnSync('mosquitto_pub', ['--help']).error === undefined;

/**
 * The broker given by MILLWRIGHT_TEST_MOSQUITTO_URL, else (or with `ownProcess`, for a test that must
 * restart it) Debian's mosquitto spawned on a free loopback port and awaited until it accepts connections. Throws saying how to install it when
 * neither is available: the interop test must not pass silently.
 */
export async function startTestMosquitto(options: { ownProcess?: boolean } = {}): Promise<TestMosquitto> {
  const fromEnv = options.ownProcess ? undefined : process.env['MILLWRIGHT_TEST_MOSQUITTO_URL'];
  if (fromEnv !== undefined && fromEnv !== '') {
    return { url: fromEnv, port: null, restart: () => Promise.reject(new Error('cannot restart a broker given by URL')), stop: async () => {} };
  }
  if (!existsSync(MOSQUITTO)) throw new Error(`mosquitto is not installed (${MOSQUITTO} not found): ${INSTALL_HINT}`);

  const dir = await mkdtemp(join(tmpdir(), 'millwright-mosquitto-'));
  let port = 0;
  let child: ChildProcess | null = null;
  for (let attempt = 1; child === null; attempt++) {
    port = await freePort();
    try {
      child = await spawnMosquitto(dir, port);
    } catch (error) {
      // Another process may have taken the port between freePort() and mosquitto's bind.
      if (attempt === 3) {
        await rm(dir, { recursive: true, force: true });
        throw error;
      }
    }
  }
  let running: ChildProcess = child;
  return {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    async restart() {
      await terminate(running);
      running = await spawnMosquitto(dir, port);
    },
    async stop() {
      await terminate(running);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function spawnMosquitto(dir: string, port: number): Promise<ChildProcess> {
  const configFile = join(dir, 'mosquitto.conf');
  await writeFile(configFile, `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\n`);
  const child = spawn(MOSQUITTO, ['-c', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = once(child, 'exit').then(([code]) => {
    throw new Error(`mosquitto exited with code ${String(code)} before accepting connections on port ${port}:\n${output}`);
  });
  const deadline = Date.now() + 10_000;
  try {
    await Promise.race([exited, acceptsConnections(port, deadline)]);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  exited.catch(() => undefined);
  return child;
}

async function acceptsConnections(port: number, deadline: number): Promise<void> {
  for (;;) {
    const connected = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (connected) return;
    if (Date.now() > deadline) throw new Error(`mosquitto did not accept connections on 127.0.0.1:${port} within 10 s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

