import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import BetterSqlite3, { type Database } from 'better-sqlite3';
import { silentLogger, type Logger } from '../../gateway/logger.js';
import { systemClock, type Clock, type TimerHandle } from './clock.js';
import { applyMigrations, schemaVersion, type ModuleSchema } from './schema-migrations.js';
import { StorageError, toStorageError } from './storage-error.js';
import { WriteQueue } from './write-queue.js';

/** The one SQLite file of the box, inside the data folder. */
export const BOX_DATABASE_FILE = 'millwright.db';

export interface BoxDatabaseOptions {
  readonly dataDir: string;
  /** Defaults to BOX_DATABASE_FILE. */
  readonly fileName?: string;
  /** Every module's tables; each is brought up to date at open. */
  readonly schemas: readonly ModuleSchema[];
  /**
   * When the file cannot be opened or migrated, log the error and run on an in-memory database
   * (everything works, nothing survives a restart; health() says so) instead of throwing. Default true:
   * the live path must keep running when the disk is the problem.
   */
  readonly fallbackToMemory?: boolean;
  /** Seconds between retries of writes that failed. Default 5. */
  readonly retrySeconds?: number;
  readonly clock?: Clock;
  readonly logger?: Logger;
}

export type StorageStatus = 'ok' | 'failing' | 'memory-only';

/** For GET /api/health and the metrics. */
export interface StorageHealth {
  readonly file: string;
  /**
   * ok: writes reach the file. failing: the last write failed, or rows of an earlier failed write still
   * wait (they are kept in memory and retried). memory-only: the file could not be opened; nothing survives a restart.
   */
  readonly status: StorageStatus;
  readonly writes: number;
  readonly writeFailures: number;
  readonly consecutiveFailures: number;
  /** Rows waiting in memory for the disk, over all modules. */
  readonly pendingRows: number;
  /** Rows dropped because too many were waiting. */
  readonly lostRows: number;
  readonly lastError: { readonly message: string; readonly code: string | undefined; readonly at: number } | null;
}

/**
 * The box's SQLite database (WAL, synchronous=NORMAL), shared by every module. Modules write through
 * write queues: a failed write is counted, reported in health() and retried, and never throws into
 * the live path.
 */
export class BoxDatabase {
  private readonly queues = new Set<WriteQueue<unknown>>();
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly retryMs: number;
  private retryTimer: TimerHandle | undefined;
  private writes = 0;
  private writeFailures = 0;
  private consecutiveFailures = 0;
  private lastError: StorageHealth['lastError'];
  private closed = false;

  private constructor(
    /** The better-sqlite3 connection, for modules' own statements. */
    readonly connection: Database,
    /** Absolute path of the file (also when running in memory, to say which file failed). */
    readonly file: string,
    /** False when running on the in-memory fallback. */
    readonly persistent: boolean,
    openError: StorageError | undefined,
    options: BoxDatabaseOptions,
  ) {
    this.logger = options.logger ?? silentLogger;
    this.clock = options.clock ?? systemClock;
    this.retryMs = (options.retrySeconds ?? 5) * 1000;
    this.lastError = openError ? { message: openError.message, code: openError.code, at: this.clock.now() } : null;
  }

  /** Opens (creating the folder and file if needed) and migrates; see fallbackToMemory for failures. */
  static open(options: BoxDatabaseOptions): BoxDatabase {
    const file = resolve(options.dataDir, options.fileName ?? BOX_DATABASE_FILE);
    const logger = options.logger ?? silentLogger;
    try {
      return new BoxDatabase(openFile(file, options.schemas, logger), file, true, undefined, options);
    } catch (error) {
      const problem = toStorageError(file, 'open the database', error);
      if (options.fallbackToMemory === false) throw problem;
      logger.error(
        { file, code: problem.code },
        `${problem.message} Running on an in-memory database meanwhile: alerts and the audit log will not survive a restart.`,
      );
      const memory = new BetterSqlite3(':memory:');
      applyMigrations(memory, file, options.schemas);
      return new BoxDatabase(memory, file, false, problem, options);
    }
  }

  /**
   * Runs `work` in one transaction. A failure is logged (once per run of failures), counted, and
   * answered with false; pending queues are retried later.
   */
  write(what: string, work: () => void): boolean {
    try {
      this.connection.transaction(work)();
    } catch (error) {
      this.noteWriteFailure(toStorageError(this.file, what, error));
      return false;
    }
    this.writes += 1;
    if (this.consecutiveFailures > 0) {
      this.logger.info({ file: this.file, failures: this.consecutiveFailures }, `${this.file}: writes succeed again`);
      this.consecutiveFailures = 0;
    }
    return true;
  }

  /** Runs a query; any failure becomes a StorageError that names the file. */
  read<T>(what: string, work: (db: Database) => T): T {
    try {
      return work(this.connection);
    } catch (error) {
      throw toStorageError(this.file, what, error);
    }
  }

  /** A queue of rows for one table (or a few written together); see WriteQueue. */
  createWriteQueue<T>(what: string, writeBatch: (items: readonly T[]) => void, capacity = 10_000): WriteQueue<T> {
    const queue = new WriteQueue<T>(what, capacity, writeBatch, (label, work) => {
      const written = this.write(label, work);
      if (!written) this.scheduleRetry();
      return written;
    });
    this.queues.add(queue as WriteQueue<unknown>);
    return queue;
  }

  /** The version of a module's tables; 0 when it was not among the schemas at open. */
  schemaVersion(module: string): number {
    return this.read(`read the schema version of "${module}"`, (db) => schemaVersion(db, module));
  }

  health(): StorageHealth {
    let pendingRows = 0;
    let lostRows = 0;
    for (const queue of this.queues) {
      pendingRows += queue.pending().length;
      lostRows += queue.lost;
    }
    // Rows wait only after a failed write: on a nearly full disk small writes of one module may succeed while
    // another module's rows cannot get in, and that is still a failing disk.
    const status: StorageStatus = !this.persistent ? 'memory-only' : this.consecutiveFailures > 0 || pendingRows > 0 ? 'failing' : 'ok';
    return {
      file: this.file,
      status,
      writes: this.writes,
      writeFailures: this.writeFailures,
      consecutiveFailures: this.consecutiveFailures,
      pendingRows,
      lostRows,
      lastError: this.lastError,
    };
  }

  /** Tries once more to write what is pending, then closes. Rows still pending are logged as lost. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.retryTimer !== undefined) this.clock.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    for (const queue of this.queues) {
      if (!queue.flush()) {
        this.logger.error({ file: this.file, rows: queue.pending().length }, `${this.file}: ${queue.pending().length} ${queue.what} could not be written before closing and are lost`);
      }
    }
    this.connection.close();
  }

  private noteWriteFailure(problem: StorageError): void {
    this.writeFailures += 1;
    this.consecutiveFailures += 1;
    this.lastError = { message: problem.message, code: problem.code, at: this.clock.now() };
    if (this.consecutiveFailures === 1) {
      this.logger.error({ file: this.file, code: problem.code }, `${problem.message} Rows are kept in memory and retried every ${this.retryMs / 1000} s.`);
    }
  }

  private scheduleRetry(): void {
    if (this.retryTimer !== undefined || this.closed) return;
    this.retryTimer = this.clock.setTimeout(() => {
      this.retryTimer = undefined;
      for (const queue of this.queues) queue.flush();
    }, this.retryMs);
  }
}

/** Shorthand for BoxDatabase.open. */
export function openBoxDatabase(options: BoxDatabaseOptions): BoxDatabase {
  return BoxDatabase.open(options);
}

function openFile(file: string, schemas: readonly ModuleSchema[], logger: Logger): Database {
  try {
    mkdirSync(dirname(file), { recursive: true });
  } catch (error) {
    throw toStorageError(file, 'create the data folder', error);
  }
  const db = new BetterSqlite3(file, { timeout: 5000 });
  try {
    const journal = db.pragma('journal_mode = WAL', { simple: true });
    if (journal !== 'wal') logger.warn({ file, journal }, `${file}: the file system does not support WAL; running with journal_mode=${String(journal)}`);
    db.pragma('synchronous = NORMAL');
    const applied = applyMigrations(db, file, schemas);
    for (const step of applied) logger.info({ file, ...step }, `${file}: schema of "${step.module}" migrated from version ${step.from} to ${step.to}`);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}
