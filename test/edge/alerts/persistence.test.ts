import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AlertEngine } from '../../../edge/alerts/alert-engine.js';
import { openBoxDatabase } from '../../../edge/store/box-database.js';
import type { AssetConfig } from '../../../edge/config/config-schema.js';
import { RuleEngine } from '../../../edge/detect/rules/rule-engine.js';
import type { Sample } from '../../../gateway/sample.js';
import { AlertHarness } from './fixtures/alert-harness.js';

const HOUR = 3_600_000;

describe('alerts across a restart of the process', () => {
  let h: AlertHarness;

  beforeEach(() => {
    h = new AlertHarness({ delays: { default: { onSeconds: 0, offSeconds: 0 } } });
  });
  afterEach(() => h.close());

  it('keeps every open state, continues the ids and opens no duplicate for a condition still active', () => {
    h.report('a', true);
    h.report('b', true);
    h.engine.acknowledge(2, { user: 'maria' });
    h.report('c', true);
    h.report('c', false);
    h.report('d', true);
    h.engine.shelve(4, { user: 'maria', reason: 'nuisance', durationMs: HOUR });
    h.report('e', true);
    h.engine.removeFromService(5, { user: 'tech-ana', reason: 'maintenance' });
    h.report('f', true);
    h.engine.acknowledge(6, { user: 'maria' });
    h.report('f', false); // closed
    const before = h.engine.list();
    const lastEventId = h.engine.latestEventId();

    h.reopen({ downtimeMs: 60_000 });
    expect(h.engine.list()).toEqual(before);
    expect(h.engine.counts()).toEqual({ 'active-unacked': 1, 'active-acked': 1, 'rtn-unacked': 1, shelved: 1, 'out-of-service': 1 });
    expect(h.engine.latestEventId()).toBe(lastEventId);

    // Detection reports the same conditions again after the restart: nothing new happens.
    const eventsBefore = h.events.length;
    for (const id of ['a', 'b', 'd', 'e']) h.report(id, true);
    h.report('c', false);
    expect(h.events).toHaveLength(eventsBefore);

    // Changes continue the same alerts and the same event sequence.
    h.report('a', false);
    h.report('c', true);
    h.report('g', true);
    expect(h.events.slice(eventsBefore)).toMatchObject([
      { id: lastEventId + 1, type: 'cleared', alertId: 1 },
      { id: lastEventId + 2, type: 'reactivated', alertId: 3 },
      { id: lastEventId + 3, type: 'activated', alertId: 7 },
    ]);
    const rows = h.database.connection.prepare("SELECT condition_id FROM alerts WHERE state <> 'normal' ORDER BY condition_id").all();
    expect(rows).toEqual(['a', 'b', 'c', 'd', 'e', 'g'].map((condition_id) => ({ condition_id })));
    expect(h.database.connection.prepare('SELECT count(*) AS n, max(id) AS last FROM alert_events').get()).toEqual({ n: lastEventId + 3, last: lastEventId + 3 });
  });

  it('clears an alert whose condition ended while the box was down, on the fresh rules\' first normal reading', () => {
    const assets: Record<string, AssetConfig> = { 'pump-01': { kind: 'centrifugal-pump', signals: { vibration_de: { unit: 'mm/s', limits: { high: 4.5 } } } } };
    const reading = (value: number): Sample[] => [{ asset: 'pump-01', signal: 'vibration_de', value, ts: h.clock.now(), quality: 'good', source: 'plc' }];
    new RuleEngine(assets, (reports) => h.engine.report(reports), { silentAfterSeconds: 15 }).onBatch(reading(6));
    expect(h.engine.list()).toMatchObject([{ conditionId: 'pump-01/limit/vibration_de.high', conditionActive: true, state: 'active-unacked' }]);

    h.reopen({ downtimeMs: 60_000 });
    new RuleEngine(assets, (reports) => h.engine.report(reports), { silentAfterSeconds: 15 }).onBatch(reading(3));
    expect(h.engine.list()).toMatchObject([{ conditionId: 'pump-01/limit/vibration_de.high', conditionActive: false, state: 'rtn-unacked' }]);
  });

  it('keeps closed alerts and their history', () => {
    h.report('a', true);
    h.engine.comment(1, { user: 'maria', text: 'seen' });
    h.engine.acknowledge(1, { user: 'maria' });
    h.report('a', false);
    h.reopen();
    const found = h.engine.get(1);
    expect(found?.alert).toMatchObject({ id: 1, state: 'normal', acknowledged: { by: 'maria' } });
    expect(found?.events.map((event) => [event.id, event.type])).toEqual([
      [1, 'activated'],
      [2, 'commented'],
      [3, 'acknowledged'],
      [4, 'cleared'],
    ]);
    expect(h.engine.list({ includeNormal: true })).toMatchObject([{ id: 1, state: 'normal' }]);
    expect(h.engine.list({ states: ['normal'], assets: ['other'] })).toEqual([]);
  });

  it('fires a shelving expiry that passed while the process was down, at start', () => {
    h.report('a', true);
    const until = h.clock.now() + HOUR;
    h.engine.shelve(1, { user: 'maria', reason: 'nuisance', until });
    h.reopen({ downtimeMs: 2 * HOUR });
    expect(h.events.at(-1)).toMatchObject({ type: 'unshelved', cause: 'expiry', toState: 'active-unacked', details: { due: until, lateMs: HOUR } });
    expect(h.engine.list()).toMatchObject([{ id: 1, state: 'active-unacked', shelved: null }]);
  });

  it('fires a shelving expiry still ahead after the restart, on time', () => {
    h.report('a', true);
    const until = h.clock.now() + HOUR;
    h.engine.shelve(1, { user: 'maria', reason: 'nuisance', until });
    h.reopen({ downtimeMs: HOUR / 2 });
    expect(h.engine.list()).toMatchObject([{ state: 'shelved' }]);
    h.clock.advance(until - h.clock.now());
    expect(h.events.at(-1)).toMatchObject({ type: 'unshelved', cause: 'expiry', ts: until, details: { lateMs: 0 } });
  });

  it('pages the events after an id, in bounded pages, for a client resuming', () => {
    for (let i = 0; i < 8; i++) {
      h.report(`c${i}`, true);
      h.report(`c${i}`, false);
    }
    expect(h.engine.latestEventId()).toBe(16);

    const ids: number[] = [];
    let after = 0;
    const pages: boolean[] = [];
    for (;;) {
      const page = h.engine.eventsAfter(after, 5);
      expect(page).toMatchObject({ latestEventId: 16, resync: false });
      ids.push(...page.events.map((event) => event.id));
      pages.push(page.hasMore);
      if (!page.hasMore) break;
      after = page.events.at(-1)!.id;
    }
    expect(ids).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
    expect(pages).toEqual([true, true, true, false]);
    expect(h.engine.eventsAfter(16)).toEqual({ events: [], latestEventId: 16, hasMore: false, resync: false });
    expect(h.engine.eventsAfter(5, 100_000).events).toHaveLength(11); // capped at 1000, all fit

    // The events carry the alert as it stood, so a client can apply them without asking for more.
    expect(h.engine.eventsAfter(0, 2).events.map((event) => event.alert?.state)).toEqual(['active-unacked', 'rtn-unacked']);
  });

  it('a client that saw event N before a restart gets exactly what it missed', () => {
    h.report('a', true);
    const seen = h.engine.latestEventId();
    h.report('b', true);
    h.reopen();
    h.report('c', true);
    const page = h.engine.eventsAfter(seen);
    expect(page.events.map((event) => event.conditionId)).toEqual(['b', 'c']);
    expect(page.resync).toBe(false);
  });

  it('tells a client whose position this database does not know to resynchronise', () => {
    h.report('a', true);
    expect(h.engine.eventsAfter(999)).toEqual({ events: [], latestEventId: 1, hasMore: false, resync: true });
  });

  it('refuses to run on a database opened without the alert tables', () => {
    const bare = openBoxDatabase({ dataDir: h.dataDir.path, fileName: 'bare.db', schemas: [] });
    expect(() => new AlertEngine({ database: bare })).toThrow(/bare\.db: the alert tables are missing; pass alertsSchema to openBoxDatabase/);
    bare.close();
  });
});
