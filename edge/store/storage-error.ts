import { userInfo } from 'node:os';

/**
 * A storage problem a person has to fix: names the file, what was being done, the underlying SQLite or
 * OS error and what to do about it.
 */
export class StorageError extends Error {
  constructor(
    readonly file: string,
    /** What was being attempted, e.g. "open", "write alert events". */
    readonly operation: string,
    /** SQLite's extended code ("SQLITE_FULL", "SQLITE_NOTADB") or the OS code ("ENOTDIR"), when known. */
    readonly code: string | undefined,
    readonly reason: string,
    readonly hint: string,
    options?: { cause?: unknown },
  ) {
    super(`${file}: could not ${operation}: ${reason}${code === undefined ? '' : ` (${code})`}. ${hint}`, options);
    this.name = 'StorageError';
  }
}

/** Wraps any error thrown by better-sqlite3 or the file system into a StorageError with a hint. */
export function toStorageError(file: string, operation: string, error: unknown): StorageError {
  if (error instanceof StorageError) return error;
  const code = errorCode(error);
  const reason = error instanceof Error ? error.message : String(error);
  return new StorageError(file, operation, code, reason, hintFor(code), { cause: error });
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}

function hintFor(code: string | undefined): string {
  if (code === undefined) return 'Check the file and the folder it is in.';
  if (code === 'SQLITE_FULL' || code === 'ENOSPC') {
    return 'The disk is full: free space on the volume that holds it, or set dataDir to a folder on a larger volume.';
  }
  if (code === 'ENOTDIR' || code === 'EEXIST') {
    return 'A file stands where the data folder (or one of its parents) should be: move it away, or set dataDir to another folder.';
  }
  if (code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_CANTOPEN') || ['EACCES', 'EPERM', 'EROFS'].includes(code)) {
    return `Make the folder and the file writable by the user running Millwright ("${currentUser()}"), or set dataDir to a writable folder.`;
  }
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') {
    return 'The file is damaged or is not a Millwright database: stop Millwright, move the file aside (keep it for diagnosis) and start again; a new, empty database is created.';
  }
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return 'Another process holds the database: make sure only one Millwright uses this dataDir.';
  }
  if (code.startsWith('SQLITE_IOERR')) {
    return 'The disk reported an input/output error: check the disk (kernel log, SMART) and its free space.';
  }
  return 'Check the file and the folder it is in.';
}

function currentUser(): string {
  try {
    return userInfo().username;
  } catch {
    return `uid ${process.getuid?.() ?? '?'}`;
  }
}
