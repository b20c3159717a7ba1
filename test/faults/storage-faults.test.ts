import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { connectAsync, type MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { EdgeRuntime } from '../../edge/edge-runtime.js';
import { BOX_DATABASE_FILE } from '../../edge/store/box-database.js';
import { silentLogger } from '../../gateway/logger.js';
import { PASSWORD } from '../edge/console/fixtures/console-harness.js';
import { fillDisk, makeReadOnly } from '../edge/store/fixtures/storage-faults.js';
import { onePumpBoxConfig } from '../support/one-pump-box.js';
import { tempFolder } from '../support/temp-folder.js';
import { waitUntil } from '../support/wait-until.js';

/** BoxDatabase retries failed writes every 5 s; recovery is awaited with room for a loaded box. */
const RECOVERY_TIMEOUT_MS = 20_000;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Box {
  readonly edge: EdgeRuntime;
  readonly publisher: MqttClient;
  readonly token: string;
  api<T = any>(path: string, init?: { method?: string; body?: unknown }): Promise<{ status: number; body: T }>;
  metrics(): Promise<string>;
  /** Publishes a flow reading and waits until the telemetry bus has it: the live path works. */
  flow(value: number): Promise<void>;
}

/** The box as it runs: EdgeRuntime from a configuration, embedded broker, an MQTT source, the console. */
async function startBox(dataDir: string): Promise<Box> {
  const config = await onePumpBoxConfig(dataDir, '<storage fault test>');
  const edge = await EdgeRuntime.create(config, silentLogger);
  cleanups.push(() => edge.stop());
  await edge.startSources();
  const publisher = await connectAsync(edge.brokerUrl!);
  cleanups.push(() => publisher.endAsync());
  const url = edge.console!.url;
  const request = async (path: string, init: { method?: string; body?: unknown; token?: string } = {}) => {
    const response = await fetch(`${url}${path}`, {
      method: init.method ?? 'GET',
      headers: { ...(init.body === undefined ? {} : { 'content-type': 'application/json' }), ...(init.token ? { authorization: `Bearer ${init.token}` } : {}) },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
    return { status: response.status, text: await response.text() };
  };
  const login = await request('/api/tokens', { method: 'POST', body: { name: 'operator', password: PASSWORD('operator') } });
  const token = (JSON.parse(login.text) as { token: string }).token;
  return {
    edge,
    publisher,
    token,
    async api(path, init = {}) {
      const answer = await request(path, { ...init, token });
      return { status: answer.status, body: JSON.parse(answer.text) };
    },
    metrics: async () => (await request('/metrics')).text,
    async flow(value) {
      const before = edge.bus.latest('pump-01', 'flow')?.ts ?? -1;
      await publisher.publishAsync('plant/pump-01/flow', String(value), { qos: 1 });
      await waitUntil(() => {
        const latest = edge.bus.latest('pump-01', 'flow');
        return latest !== undefined && latest.ts > before && latest.value === value;
      }, `flow ${value} reaches the telemetry bus`);
    },
  };
}

function metric(text: string, name: string): number {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name} `));
  if (line === undefined) throw new Error(`metric ${name} not exposed`);
  return Number(line.slice(name.length + 1));
}

/** Opens the file beside the box, as a person would, to see what really reached the disk. */
function onDisk<T>(dataDir: string, query: string): T {
  const db = new BetterSqlite3(join(dataDir, BOX_DATABASE_FILE), { readonly: true });
  try {
    return db.prepare(query).get() as T;
  } finally {
    db.close();
  }
}

async function expectStorageFailing(box: Box, code: string, hint: RegExp): Promise<void> {
  const health = await box.api('/api/health');
  expect(health.status).toBe(200);
  expect(health.body.status).toBe('degraded');
  expect(health.body.storage).toMatchObject({ status: 'failing', lastError: { code } });
  expect(health.body.storage.pendingRows).toBeGreaterThan(0);
  const problem = (health.body.problems as string[]).find((text) => text.startsWith('storage is failing'));
  // Names the file, the operation, SQLite's code and what to do.
  expect(problem).toMatch(new RegExp(`millwright\\.db: could not write [a-z ]+: .*\\(${code}\\)\\. `));
  expect(problem).toMatch(hint);

  const metrics = await box.metrics();
  expect(metric(metrics, 'millwright_storage_ok')).toBe(0);
  expect(metric(metrics, 'millwright_storage_write_failures_total')).toBeGreaterThan(0);
  expect(metric(metrics, 'millwright_storage_pending_rows')).toBeGreaterThan(0);
}

async function awaitStorageRecovered(box: Box): Promise<void> {
  await waitUntil(
    () => {
      const storage = box.edge.database.health();
      return storage.status === 'ok' && storage.pendingRows === 0;
    },
    'the box writes again what waited in memory',
    RECOVERY_TIMEOUT_MS,
  );
  const health = await box.api('/api/health');
  expect(health.body.storage).toMatchObject({ status: 'ok', pendingRows: 0, lostRows: 0 });
  expect((health.body.problems as string[]).filter((text) => text.startsWith('storage'))).toEqual([]);
  expect(metric(await box.metrics(), 'millwright_storage_ok')).toBe(1);
}

describe('storage faults on the running box', () => {
  it('keeps the live path running while the database is read-only and then full, shows it, and catches up once it can write', async () => {
    const data = tempFolder('storage-faults');
    cleanups.push(() => data.remove());
    const box = await startBox(data.path);
    await box.flow(120);

    // A data folder or file that became read-only (chmod is no test when CI runs as root).
    const writable = makeReadOnly(box.edge.database);
    await box.flow(42); // below the low limit: an alert
    await waitUntil(() => box.edge.alerts.counts()['active-unacked'] === 1, 'the low-flow alert is raised in memory');
    const listed = await box.api('/api/alerts');
    expect(listed.status).toBe(200);
    const alert = (listed.body.alerts as { id: number; conditionId: string; state: string }[]).find((candidate) => candidate.conditionId === 'pump-01/limit/flow.low');
    expect(alert).toBeDefined();
    await expectStorageFailing(box, 'SQLITE_READONLY', /Make the folder and the file writable by the user running Millwright/);
    expect(onDisk<{ n: number }>(data.path, 'SELECT count(*) AS n FROM alert_events').n).toBe(0);

    writable();
    await awaitStorageRecovered(box);
    expect(onDisk<{ n: number }>(data.path, "SELECT count(*) AS n FROM alert_events WHERE type = 'activated'").n).toBe(1);
    expect(onDisk<{ n: number }>(data.path, "SELECT count(*) AS n FROM audit_log WHERE action = 'token.create'").n).toBe(1);

    // A full disk: the acknowledgement's long comment needs pages the file may not grow by.
    const spaceFreed = fillDisk(box.edge.database);
    const comment = '轴承温度升高'.repeat(300); // 1800 characters, 5400 bytes: more than a page
    const acknowledged = await box.api(`/api/alerts/${alert!.id}/acknowledge`, { method: 'POST', body: { comment } });
    expect(acknowledged.status).toBe(200);
    await box.flow(41);
    expect((await box.api(`/api/alerts/${alert!.id}`)).body.alert.acknowledged).toMatchObject({ by: 'operator', comment });
    await expectStorageFailing(box, 'SQLITE_FULL', /The disk is full: free space on the volume that holds it/);

    spaceFreed();
    await awaitStorageRecovered(box);
    expect(onDisk<{ n: number }>(data.path, "SELECT count(*) AS n FROM alert_events WHERE type = 'acknowledged'").n).toBe(1);
    await box.flow(130);
    await waitUntil(() => Object.values(box.edge.alerts.counts()).every((count) => count === 0), 'the acknowledged alert closes when the flow is back');
  }, 60_000);

  it('runs on memory when the data folder cannot be created, and says so in health and metrics', async () => {
    const data = tempFolder('storage-blocked');
    cleanups.push(() => data.remove());
    const blocker = join(data.path, 'not-a-folder');
    writeFileSync(blocker, 'a file where the data folder should be');
    const box = await startBox(join(blocker, 'data'));

    await box.flow(42);
    await waitUntil(() => box.edge.alerts.counts()['active-unacked'] === 1, 'the low-flow alert is raised');
    const health = await box.api('/api/health');
    expect(health.body).toMatchObject({ status: 'degraded', storage: { status: 'memory-only', lastError: { code: 'ENOTDIR' } } });
    expect(health.body.problems).toContainEqual(
      expect.stringMatching(/^storage is memory-only: .*not-a-folder\/data\/millwright\.db: could not create the data folder: .*\(ENOTDIR\)\. A file stands where the data folder/),
    );
    expect(metric(await box.metrics(), 'millwright_storage_ok')).toBe(0);
  }, 30_000);
});
