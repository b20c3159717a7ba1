import { execFile } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertEngine } from '../../edge/alerts/alert-engine.js';
import { alertsSchema } from '../../edge/alerts/alert-store.js';
import { ConsoleServer } from '../../edge/console/console-server.js';
import { hashPassword } from '../../edge/console/password-hash.js';
import { PACKAGE_ROOT } from '../../edge/package-paths.js';
import { PlantOverview } from '../../edge/plant-overview.js';
import { AuditLog, auditSchema } from '../../edge/store/audit-log.js';
import { openBoxDatabase, type BoxDatabase } from '../../edge/store/box-database.js';
import { silentLogger } from '../../gateway/logger.js';
import { TelemetryBus } from '../../gateway/telemetry-bus.js';
import { freePort } from '../support/free-port.js';
import { tempFolder } from '../support/temp-folder.js';

const SCRIPT = path.join(PACKAGE_ROOT, 'deploy/healthcheck.mjs');

/** Runs the container's health check as Docker does and gives its exit code and what it printed. */
function probe(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [SCRIPT, ...args], { env: { PATH: process.env['PATH'], ...env }, timeout: 20_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, output: `${stdout}${stderr}` });
    });
  });
}

describe('the container health check (deploy/healthcheck.mjs)', () => {
  const data = tempFolder('healthcheck');
  let database: BoxDatabase;
  let alerts: AlertEngine;
  let overview: PlantOverview;
  let server: ConsoleServer;
  let url: string;

  beforeAll(async () => {
    database = openBoxDatabase({ dataDir: data.path, schemas: [alertsSchema, auditSchema], logger: silentLogger });
    const audit = new AuditLog(database);
    alerts = new AlertEngine({ database, audit, logger: silentLogger, policy: {} });
    const bus = new TelemetryBus({ historyPerSignal: 10 });
    overview = new PlantOverview(bus, {});
    server = await ConsoleServer.create({
      settings: { host: '127.0.0.1', port: 0, publicOrigin: null, allowedOrigins: [], sessionHours: 1, users: [{ name: 'viewer', role: 'viewer', passwordHash: await hashPassword('viewer-password', 10) }], tls: null },
      logger: silentLogger,
      context: { site: 'test', assets: {}, silentAfterMs: 30_000, bus, alerts, audit, overview, sources: () => [], storage: () => database.health(), brokerUrl: () => null, models: () => [] },
    });
    url = await server.start();
  });

  afterAll(async () => {
    await server?.stop();
    overview?.close();
    alerts?.stop();
    database?.close();
    data.remove();
  });

  it('passes against a running console\'s /api/health/live, which answers without a login and gives no details', async () => {
    const live = await fetch(`${url}/api/health/live`);
    expect(live.status).toBe(200);
    expect(await live.json()).toEqual({ status: 'ok' });
    expect((await fetch(`${url}/api/health`)).status).toBe(401);
    const result = await probe([`${url}/api/health/live`]);
    expect(result).toEqual({ code: 0, output: expect.stringContaining('HTTP 200') });
  });

  it('fails on a console that refuses the probe (a 401 is not health)', async () => {
    const result = await probe([`${url}/api/health`]);
    expect(result).toEqual({ code: 1, output: expect.stringContaining('HTTP 401') });
  });

  it('reads the URL from MILLWRIGHT_HEALTH_URL when none is given', async () => {
    expect((await probe([], { MILLWRIGHT_HEALTH_URL: `${url}/api/health/live` })).code).toBe(0);
  });

  it('fails on a path the console does not serve, so a wrong health URL shows', async () => {
    const result = await probe([`${url}/api/no-such-route`]);
    expect(result).toEqual({ code: 1, output: expect.stringContaining('HTTP 404') });
  });

  it('fails when nothing listens, over HTTP and TCP alike', async () => {
    const port = await freePort();
    expect((await probe([`http://127.0.0.1:${port}/api/health`])).code).toBe(1);
    const tcp = await probe([`opc.tcp://127.0.0.1:${port}`]);
    expect(tcp).toEqual({ code: 1, output: expect.stringContaining('ECONNREFUSED') });
  });

  it('passes a TCP endpoint that accepts connections (the simulated PLC, a broker)', async () => {
    const { port } = new URL(url);
    expect((await probe([`opc.tcp://127.0.0.1:${port}`])).code).toBe(0);
  });
});
