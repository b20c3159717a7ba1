import type { Database } from 'better-sqlite3';
import { StorageError } from './storage-error.js';

/** One step of a module's schema; it runs inside a transaction together with the version bump. */
export type Migration = (db: Database) => void;

/**
 * The tables of one module (alerts, audit, work orders, conversations...). Version N of the module is
 * reached by running its first N migrations. Never change or remove a migration that has shipped:
 * append a new one.
 */
export interface ModuleSchema {
  /** Unique across the box, e.g. "alerts". */
  readonly module: string;
  readonly migrations: readonly Migration[];
}

/**
 * Layout of the bookkeeping itself, kept in `PRAGMA user_version`. Each module has its own version
 * (table schema_versions) so modules written by different people evolve independently instead of
 * competing for one global number.
 */
const BOOKKEEPING_VERSION = 1;

export interface AppliedMigration {
  readonly module: string;
  readonly from: number;
  readonly to: number;
}

/** Brings every module's tables up to date; refuses a file written by a newer Millwright. */
export function applyMigrations(db: Database, file: string, schemas: readonly ModuleSchema[]): AppliedMigration[] {
  const names = schemas.map((schema) => schema.module);
  const repeated = names.find((name, index) => names.indexOf(name) !== index);
  if (repeated !== undefined) throw new Error(`schema module "${repeated}" is registered twice; each module registers its tables once`);

  const bookkeeping = db.pragma('user_version', { simple: true }) as number;
  if (bookkeeping > BOOKKEEPING_VERSION) throw newerFile(file, `schema bookkeeping version ${bookkeeping}, this build knows ${BOOKKEEPING_VERSION}`);
  if (bookkeeping < BOOKKEEPING_VERSION) {
    db.transaction(() => {
      db.exec(`CREATE TABLE IF NOT EXISTS schema_versions (
        module TEXT PRIMARY KEY,
        version INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT`);
      db.pragma(`user_version = ${BOOKKEEPING_VERSION}`);
    })();
  }

  const readVersion = db.prepare<[string], { version: number }>('SELECT version FROM schema_versions WHERE module = ?');
  const writeVersion = db.prepare<[string, number, number]>(
    `INSERT INTO schema_versions (module, version, updated_at) VALUES (?, ?, ?)
     ON CONFLICT (module) DO UPDATE SET version = excluded.version, updated_at = excluded.updated_at`,
  );
  const applied: AppliedMigration[] = [];
  for (const schema of schemas) {
    const current = readVersion.get(schema.module)?.version ?? 0;
    const target = schema.migrations.length;
    if (current > target) throw newerFile(file, `module "${schema.module}" is at schema version ${current}, this build knows ${target}`);
    for (let version = current; version < target; version++) {
      db.transaction(() => {
        schema.migrations[version]!(db);
        writeVersion.run(schema.module, version + 1, Date.now());
      })();
    }
    if (target > current) applied.push({ module: schema.module, from: current, to: target });
  }
  return applied;
}

/** The schema version of a module in this database; 0 when the module never registered its tables. */
export function schemaVersion(db: Database, module: string): number {
  const row = db.prepare<[string], { version: number }>('SELECT version FROM schema_versions WHERE module = ?').get(module);
  return row?.version ?? 0;
}

function newerFile(file: string, what: string): StorageError {
  return new StorageError(
    file,
    'migrate the schema',
    undefined,
    `the file was written by a newer Millwright (${what})`,
    'Run the newer Millwright again, or set dataDir to another folder to start with an empty database.',
  );
}
