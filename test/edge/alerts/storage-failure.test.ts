import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AlertEngine } from '../../../edge/alerts/alert-engine.js';
import { alertsSchema } from '../../../edge/alerts/alert-store.js';
import { openBoxDatabase } from '../../../edge/store/box-database.js';
import { ManualClock } from '../store/fixtures/manual-clock.js';
import { fillDisk, makeReadOnly } from '../store/fixtures/storage-faults.js';
import { tempFolder } from '../../support/temp-folder.js';
import { AlertHarness, conditionReport } from './fixtures/alert-harness.js';

const NO_DELAYS = { delays: { default: { onSeconds: 0, offSeconds: 0 } } };

describe('alerts when storage fails', () => {
  let h: AlertHarness | undefined;
  afterEach(() => h?.close());

  it('on a read-only database: the lifecycle keeps running, the failure is reported, and the events are written once it can', () => {
    h = new AlertHarness(NO_DELAYS);
    h.report('a', true);
    const writable = makeReadOnly(h.database);

    h.report('b', true);
    h.engine.acknowledge(2, { user: 'maria' });
    h.report('b', false); // closes alert 2
    h.report('c', true);
    expect(h.events.map((event) => event.id)).toEqual([1, 2, 3, 4, 5]);
    expect(h.engine.list().map((alert) => alert.conditionId)).toEqual(['c', 'a']);

    const health = h.database.health();
    expect(health).toMatchObject({ status: 'failing', pendingRows: 5 }); // 4 events + 1 audit entry
    expect(health.lastError?.message).toMatch(/millwright\.db: could not write alert events: attempt to write a readonly database \(SQLITE_READONLY\)\. Make the folder and the file writable/);
    expect(h.engine.stats()).toMatchObject({ pendingEvents: 4, lostEvents: 0 });

    // Reads still see everything, pending included.
    expect(h.engine.eventsAfter(1).events.map((event) => event.id)).toEqual([2, 3, 4, 5]);
    expect(h.engine.get(2)?.alert).toMatchObject({ state: 'normal' });
    expect(h.engine.get(2)?.events.map((event) => event.type)).toEqual(['activated', 'acknowledged', 'cleared']);
    expect(h.engine.list({ includeNormal: true }).map((alert) => alert.id)).toEqual([3, 2, 1]);

    writable();
    h.clock.advance(5000); // the database retries
    expect(h.database.health()).toMatchObject({ status: 'ok', pendingRows: 0 });

    h.reopen();
    expect(h.engine.list({ includeNormal: true }).map((alert) => [alert.id, alert.state])).toEqual([
      [3, 'active-unacked'],
      [2, 'normal'],
      [1, 'active-unacked'],
    ]);
    expect(h.engine.eventsAfter(0).events.map((event) => event.id)).toEqual([1, 2, 3, 4, 5]);
  });

  it('on a full disk: the lifecycle keeps running and the failure names the disk', () => {
    h = new AlertHarness(NO_DELAYS);
    fillDisk(h.database);
    const bulky = { contributions: Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`signal_${i}`, i / 200])) };
    for (let i = 0; i < 20; i++) h.report(`c${i}`, true, { details: bulky });
    expect(h.engine.list()).toHaveLength(20);
    expect(h.database.health()).toMatchObject({ status: 'failing' });
    expect(h.database.health().lastError).toMatchObject({ code: 'SQLITE_FULL', message: expect.stringMatching(/The disk is full: free space/) });
    expect(h.engine.stats().pendingEvents).toBeGreaterThan(0);
  });

  it('on a data folder it cannot use: runs in memory and says so in health', () => {
    const dataDir = tempFolder('alerts-unwritable');
    try {
      writeFileSync(join(dataDir.path, 'data'), 'a file where the data folder should be');
      const clock = new ManualClock();
      const database = openBoxDatabase({ dataDir: join(dataDir.path, 'data'), schemas: [alertsSchema], clock });
      const engine = new AlertEngine({ database, clock, policy: NO_DELAYS });
      engine.start();
      engine.report([conditionReport('a', true)]);
      expect(engine.list()).toMatchObject([{ id: 1, state: 'active-unacked' }]);
      expect(engine.acknowledge(1, { user: 'maria' }).alert.state).toBe('active-acked');
      expect(database.health()).toMatchObject({ status: 'memory-only', lastError: { code: 'EEXIST' } });
      engine.stop();
      database.close();
    } finally {
      dataDir.remove();
    }
  });

  it('tells a resuming client to resynchronise when events it would need are missing', () => {
    h = new AlertHarness(NO_DELAYS);
    h.report('a', true);
    h.report('b', true);
    h.report('c', true);
    h.database.connection.prepare('DELETE FROM alert_events WHERE id = 2').run();
    expect(h.engine.eventsAfter(0)).toMatchObject({ resync: true, latestEventId: 3 });
    expect(h.engine.eventsAfter(2)).toMatchObject({ resync: false });
  });
});

describe('the hot path', () => {
  let h: AlertHarness;
  afterEach(() => h.close());

  it('unchanged reports cause no SQL write and no event', () => {
    h = new AlertHarness(NO_DELAYS);
    const conditions = Array.from({ length: 50 }, (_, i) => `pump-${i}/model/ae`);
    h.engine.report(conditions.map((id, i) => conditionReport(id, i % 5 === 0)));
    const rows = h.rowsWritten();
    const writes = h.database.health().writes;
    const events = h.events.length;
    expect(events).toBe(10);

    const batch = conditions.map((id, i) => conditionReport(id, i % 5 === 0, { message: 'a new message each time is not a change' }));
    for (let round = 0; round < 2000; round++) h.engine.report(batch);

    expect(h.rowsWritten()).toBe(rows);
    expect(h.database.health().writes).toBe(writes);
    expect(h.events).toHaveLength(events);
    expect(h.engine.stats().reportsReceived).toBe(50 * 2001);
  });
});
