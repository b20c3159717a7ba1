import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BOX_DATABASE_FILE, openBoxDatabase, type BoxDatabase } from '../../../edge/store/box-database.js';
import type { ModuleSchema } from '../../../edge/store/schema-migrations.js';
import { StorageError } from '../../../edge/store/storage-error.js';
import { ManualClock } from './fixtures/manual-clock.js';
import { fillDisk, makeReadOnly } from './fixtures/storage-faults.js';
import { tempFolder } from '../../support/temp-folder.js';

const notes: ModuleSchema = {
  module: 'notes',
  migrations: [(db) => db.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL) STRICT')],
};

describe('BoxDatabase', () => {
  let dataDir: ReturnType<typeof tempFolder>;
  const opened: BoxDatabase[] = [];
  const open = (options: Partial<Parameters<typeof openBoxDatabase>[0]> = {}): BoxDatabase => {
    const database = openBoxDatabase({ dataDir: dataDir.path, schemas: [notes], ...options });
    opened.push(database);
    return database;
  };

  beforeEach(() => {
    dataDir = tempFolder('store');
  });
  afterEach(() => {
    for (const database of opened.splice(0)) database.close();
    dataDir.remove();
  });

  it('creates the file in the data folder, in WAL mode, with every module migrated', () => {
    const database = open({ dataDir: join(dataDir.path, 'nested', 'data') });
    expect(database.file).toBe(join(dataDir.path, 'nested', 'data', BOX_DATABASE_FILE));
    expect(database.persistent).toBe(true);
    expect(database.connection.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(database.connection.pragma('synchronous', { simple: true })).toBe(1); // NORMAL
    expect(database.connection.pragma('user_version', { simple: true })).toBe(1);
    expect(database.schemaVersion('notes')).toBe(1);
    expect(database.schemaVersion('unknown')).toBe(0);
    expect(database.health()).toMatchObject({ status: 'ok', writeFailures: 0, lastError: null });
  });

  it('runs only the migrations a module appended since the last open, keeping the data', () => {
    const first = open();
    first.connection.prepare("INSERT INTO notes (text) VALUES ('kept')").run();
    first.close();

    const secondStep: ModuleSchema = { module: 'notes', migrations: [...notes.migrations, (db) => db.exec('ALTER TABLE notes ADD COLUMN author TEXT')] };
    const other: ModuleSchema = { module: 'other', migrations: [(db) => db.exec('CREATE TABLE other (x INTEGER) STRICT')] };
    const second = open({ schemas: [secondStep, other] });
    expect(second.schemaVersion('notes')).toBe(2);
    expect(second.schemaVersion('other')).toBe(1);
    expect(second.connection.prepare('SELECT text, author FROM notes').all()).toEqual([{ text: 'kept', author: null }]);
  });

  it('refuses a file written by a newer build, naming the module and what to do', () => {
    const newer: ModuleSchema = { module: 'notes', migrations: [...notes.migrations, (db) => db.exec('SELECT 1')] };
    open({ schemas: [newer] }).close();

    const attempt = () => openBoxDatabase({ dataDir: dataDir.path, schemas: [notes], fallbackToMemory: false });
    expect(attempt).toThrow(StorageError);
    expect(attempt).toThrow(/millwright\.db: could not migrate the schema: the file was written by a newer Millwright \(module "notes" is at schema version 2, this build knows 1\).*dataDir/);
  });

  it('refuses to register one module twice', () => {
    expect(() => open({ schemas: [notes, notes], fallbackToMemory: false })).toThrow(/"notes" is registered twice/);
  });

  it('on a data folder it cannot create: a clear error, or the in-memory fallback that says so in health', () => {
    const blocker = join(dataDir.path, 'not-a-folder');
    writeFileSync(blocker, 'a file where the data folder should be');
    const dataDirBehindFile = join(blocker, 'data');

    let thrown: unknown;
    try {
      openBoxDatabase({ dataDir: dataDirBehindFile, schemas: [notes], fallbackToMemory: false });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(StorageError);
    const problem = thrown as StorageError;
    expect(problem.file).toBe(join(dataDirBehindFile, BOX_DATABASE_FILE));
    expect(problem.code).toBe('ENOTDIR');
    expect(problem.message).toMatch(/could not create the data folder/);
    expect(problem.message).toMatch(/A file stands where the data folder .* should be: move it away, or set dataDir to another folder/);

    const clock = new ManualClock();
    const fallback = open({ dataDir: dataDirBehindFile, clock });
    expect(fallback.persistent).toBe(false);
    expect(fallback.health()).toMatchObject({ status: 'memory-only', lastError: { code: 'ENOTDIR', at: clock.now() } });
    expect(fallback.write('write a note', () => fallback.connection.prepare("INSERT INTO notes (text) VALUES ('in memory')").run())).toBe(true);
    expect(fallback.connection.prepare('SELECT count(*) AS n FROM notes').get()).toEqual({ n: 1 });
  });

  it('on a damaged file: says it is not a database and to move it aside', () => {
    writeFileSync(join(dataDir.path, BOX_DATABASE_FILE), 'this is not SQLite '.repeat(100));
    const attempt = () => openBoxDatabase({ dataDir: dataDir.path, schemas: [notes], fallbackToMemory: false });
    expect(attempt).toThrow(/millwright\.db: could not open the database: file is not a database \(SQLITE_NOTADB\)\. .*move the file aside/);

    const fallback = open();
    expect(fallback.health().status).toBe('memory-only');
    expect(fallback.health().lastError?.code).toBe('SQLITE_NOTADB');
  });

  it('keeps rows of a failed write pending, reports the failure, and retries until the disk takes them', () => {
    const clock = new ManualClock();
    const database = open({ clock, retrySeconds: 5 });
    const insert = database.connection.prepare<[string]>('INSERT INTO notes (text) VALUES (?)');
    const queue = database.createWriteQueue<string>('notes', (texts) => texts.forEach((text) => insert.run(text)));
    const count = () => (database.connection.prepare('SELECT count(*) AS n FROM notes').get() as { n: number }).n;

    const freeSpace = fillDisk(database);
    const big = 'x'.repeat(20_000); // needs new pages whatever the free space in the existing ones
    queue.push(big);
    expect(queue.flush()).toBe(false);
    queue.push('second');
    expect(queue.flush()).toBe(false);

    const failing = database.health();
    expect(failing).toMatchObject({ status: 'failing', writeFailures: 2, consecutiveFailures: 2, pendingRows: 2, lostRows: 0 });
    expect(failing.lastError?.code).toBe('SQLITE_FULL');
    expect(failing.lastError?.message).toMatch(/millwright\.db: could not write notes: database or disk is full \(SQLITE_FULL\)\. The disk is full/);
    expect(count()).toBe(0);

    clock.advance(5000); // still full: the retry fails and is rescheduled
    expect(database.health().writeFailures).toBe(3);

    freeSpace();
    clock.advance(5000);
    expect(count()).toBe(2);
    expect(database.health()).toMatchObject({ status: 'ok', consecutiveFailures: 0, pendingRows: 0, writeFailures: 3 });
    expect(clock.pendingTimers()).toBe(0);
  });

  it('drops the oldest pending rows beyond the queue capacity and counts them as lost', () => {
    const database = open({ clock: new ManualClock() });
    const insert = database.connection.prepare<[string]>('INSERT INTO notes (text) VALUES (?)');
    const queue = database.createWriteQueue<string>('notes', (texts) => texts.forEach((text) => insert.run(text)), 3);
    const writable = makeReadOnly(database);
    for (const text of ['a', 'b', 'c', 'd', 'e']) {
      queue.push(text);
      queue.flush();
    }
    expect(queue.pending()).toEqual(['c', 'd', 'e']);
    expect(database.health()).toMatchObject({ pendingRows: 3, lostRows: 2, status: 'failing' });
    expect(database.health().lastError?.code).toBe('SQLITE_READONLY');

    writable();
    expect(queue.flush()).toBe(true);
    expect(database.connection.prepare('SELECT text FROM notes ORDER BY id').all()).toEqual([{ text: 'c' }, { text: 'd' }, { text: 'e' }]);
  });

  it('wraps read failures into a StorageError naming the file', () => {
    const database = open();
    expect(() => database.read('read the missing table', (db) => db.prepare('SELECT * FROM missing').all())).toThrow(
      /millwright\.db: could not read the missing table: no such table: missing/,
    );
  });

  it('writes pending rows when closing, so nothing is left behind on a clean shutdown', () => {
    const database = open({ clock: new ManualClock() });
    const insert = database.connection.prepare<[string]>('INSERT INTO notes (text) VALUES (?)');
    const queue = database.createWriteQueue<string>('notes', (texts) => texts.forEach((text) => insert.run(text)));
    const writable = makeReadOnly(database);
    queue.push('late');
    queue.flush();
    writable();
    database.close();

    const check = new BetterSqlite3(join(dataDir.path, BOX_DATABASE_FILE), { readonly: true });
    expect(check.prepare('SELECT text FROM notes').all()).toEqual([{ text: 'late' }]);
    check.close();
  });
});
