import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog, auditSchema } from '../../../edge/store/audit-log.js';
import { openBoxDatabase, type BoxDatabase } from '../../../edge/store/box-database.js';
import { ManualClock } from './fixtures/manual-clock.js';
import { makeReadOnly } from './fixtures/storage-faults.js';
import { tempFolder } from '../../support/temp-folder.js';

describe('AuditLog', () => {
  let dataDir: ReturnType<typeof tempFolder>;
  let clock: ManualClock;
  let database: BoxDatabase;

  const reopen = (): AuditLog => {
    database.close();
    database = openBoxDatabase({ dataDir: dataDir.path, schemas: [auditSchema], clock });
    return new AuditLog(database, { clock });
  };

  beforeEach(() => {
    dataDir = tempFolder('audit');
    clock = new ManualClock();
    database = openBoxDatabase({ dataDir: dataDir.path, schemas: [auditSchema], clock });
  });
  afterEach(() => {
    database.close();
    dataDir.remove();
  });

  it('records entries with the time, and lists them newest first with filters', () => {
    const audit = new AuditLog(database, { clock });
    const first = audit.record({ user: 'maria', action: 'session.login', target: 'user/maria', outcome: 'ok' });
    clock.advance(1000);
    audit.record({ user: 'li', action: 'alert.acknowledge', target: 'alert/3', outcome: 'denied', detail: 'viewer may not acknowledge' });
    clock.advance(1000);
    audit.record({ user: 'maria', action: 'alert.acknowledge', target: 'alert/3', outcome: 'ok' });

    expect(first).toEqual({ id: 1, ts: clock.now() - 2000, user: 'maria', action: 'session.login', target: 'user/maria', outcome: 'ok', detail: null });
    expect(audit.list().map((entry) => entry.id)).toEqual([3, 2, 1]);
    expect(audit.list({ user: 'maria' }).map((entry) => entry.id)).toEqual([3, 1]);
    expect(audit.list({ target: 'alert/3', outcome: 'denied' })).toMatchObject([{ id: 2, user: 'li', detail: 'viewer may not acknowledge' }]);
    expect(audit.list({ since: clock.now() - 1000 }).map((entry) => entry.id)).toEqual([3, 2]);
    expect(audit.list({ beforeId: 3, limit: 1 }).map((entry) => entry.id)).toEqual([2]);
  });

  it('keeps its entries and continues the ids across a restart', () => {
    new AuditLog(database, { clock }).record({ user: 'maria', action: 'session.login', target: 'user/maria', outcome: 'ok' });
    const audit = reopen();
    const next = audit.record({ user: 'maria', action: 'session.logout', target: 'user/maria', outcome: 'ok' });
    expect(next.id).toBe(2);
    expect(audit.list().map((entry) => entry.action)).toEqual(['session.logout', 'session.login']);
  });

  it('never throws when the disk refuses; lists pending entries and writes them once it can', () => {
    const audit = new AuditLog(database, { clock });
    const writable = makeReadOnly(database);
    audit.record({ user: 'maria', action: 'session.login', target: 'user/maria', outcome: 'ok' });
    expect(database.health()).toMatchObject({ status: 'failing', pendingRows: 1 });
    expect(audit.list()).toMatchObject([{ id: 1, user: 'maria' }]);

    writable();
    clock.advance(5000);
    expect(database.health()).toMatchObject({ status: 'ok', pendingRows: 0 });
    expect(reopen().list()).toMatchObject([{ id: 1, user: 'maria' }]);
  });

  it('says what is missing when the database was opened without its schema', () => {
    const bare = openBoxDatabase({ dataDir: dataDir.path, fileName: 'bare.db', schemas: [] });
    expect(() => new AuditLog(bare)).toThrow(/bare\.db: the audit tables are missing; pass auditSchema to openBoxDatabase/);
    bare.close();
  });
});
