/** What went wrong with the buffer file, with what to do about it; `code` is SQLite's or the OS's. */
export interface BufferStorageError {
  readonly message: string;
  readonly code: string | undefined;
  readonly at: number;
}

export function describeBufferFailure(file: string, operation: string, error: unknown, at: number): BufferStorageError {
  const code = typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
  const reason = error instanceof Error ? error.message : String(error);
  return { message: `uplink buffer ${file}: could not ${operation}: ${reason}${code === undefined ? '' : ` (${code})`}. ${hintFor(code)}`, code, at };
}

function hintFor(code: string | undefined): string {
  if (code === 'SQLITE_FULL' || code === 'ENOSPC' || code === 'SQLITE_IOERR_WRITE' || code === 'EFBIG') {
    return 'The disk is full or the file may not grow: free space on its volume, or set uplink.buffer.file to a larger volume.';
  }
  if (code === 'ENOTDIR' || code === 'EEXIST') return 'A file stands where the buffer\'s folder should be: move it away, or set uplink.buffer.file to another path.';
  if (code === 'NEWER_SCHEMA') return 'Use the newer Millwright again, or move the file aside (what it holds is then not sent).';
  if (code?.startsWith('SQLITE_READONLY') || code?.startsWith('SQLITE_CANTOPEN') || code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return 'Make the file and its folder writable by the user running Millwright, or set uplink.buffer.file to a writable path.';
  }
  if (code?.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') return 'The file is damaged: stop Millwright, move it aside (keep it for diagnosis) and start again.';
  if (code?.startsWith('SQLITE_BUSY') || code?.startsWith('SQLITE_LOCKED')) return 'Another process holds the file: make sure only one Millwright uses it.';
  if (code?.startsWith('SQLITE_IOERR')) return 'The disk reported an input/output error: check the disk and its free space.';
  return 'Check the file and its folder.';
}
