export interface IndexingProgress {
  readonly phase: 'parsing' | 'embedding';
  readonly done: number;
  readonly total: number;
  /** The file being parsed. */
  readonly file?: string;
}

/**
 * A self-overwriting progress bar for indexing a large folder, on a terminal only (silent in logs and pipes),
 * and only when there are at least `minimum` items, so small folders index without flicker.
 */
export function terminalProgress(stream: NodeJS.WriteStream = process.stderr, minimum = 20): (progress: IndexingProgress) => void {
  let lastDraw = 0;
  return (progress) => {
    if (!stream.isTTY || progress.total < minimum) return;
    const finished = progress.done >= progress.total;
    const now = performance.now();
    if (!finished && now - lastDraw < 100) return;
    lastDraw = now;
    const share = progress.total > 0 ? Math.min(progress.done / progress.total, 1) : 1;
    const width = 24;
    const filled = Math.round(share * width);
    const what = progress.phase === 'parsing' ? 'indexing manuals' : 'embedding chunks';
    const line = `${what} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${progress.done}/${progress.total}${progress.file ? ` ${progress.file}` : ''}`;
    stream.write(`\r${line.slice(0, (stream.columns ?? 120) - 1)}\u001b[K`);
    if (finished) stream.write('\r\u001b[K');
  };
}
