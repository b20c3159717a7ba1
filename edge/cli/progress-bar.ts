/**
 * Progress of a long command: a self-overwriting bar on a terminal, a plain line at 25, 50, 75 and
 * 100 % otherwise (logs, pipes, CI), so both a person and a log file can follow it.
 */
export class ProgressBar {
  private lastDraw = 0;
  private drawn = false;
  private quarter = -1;

  constructor(
    private readonly stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number },
    private readonly label: string,
  ) {}

  /** `detail` says what the share is of, e.g. "6 h of 24 h". */
  update(done: number, total: number, detail: string): void {
    const share = total > 0 ? Math.min(done / total, 1) : 1;
    if (!this.stream.isTTY) {
      const quarter = Math.floor(share * 4);
      if (quarter === this.quarter || quarter === 0) return;
      this.quarter = quarter;
      this.stream.write(`${this.label}: ${quarter * 25} % (${detail})\n`);
      return;
    }
    const now = performance.now();
    if (now - this.lastDraw < 100 && share < 1) return;
    this.lastDraw = now;
    const width = 24;
    const filled = Math.round(share * width);
    const line = `${this.label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${(100 * share).toFixed(0).padStart(3)} %  ${detail}`;
    this.stream.write(`\r${line.slice(0, (this.stream.columns ?? 120) - 1)}\u001b[K`);
    this.drawn = true;
  }

  /** Removes the bar from a terminal line (nothing to do for plain lines). */
  clear(): void {
    if (this.drawn) this.stream.write('\r\u001b[K');
    this.drawn = false;
  }
}
