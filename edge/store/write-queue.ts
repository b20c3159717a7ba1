/**
 * Rows waiting to be written, oldest first. A write that fails leaves them here to be retried, so the
 * live path never waits for or fails with the disk; past `capacity` the oldest are dropped and counted
 * as lost.
 */
export class WriteQueue<T> {
  private items: T[] = [];
  private lostCount = 0;

  constructor(
    /** Plural noun for messages, e.g. "alert events". */
    readonly what: string,
    private readonly capacity: number,
    private readonly writeBatch: (items: readonly T[]) => void,
    /** Runs `work` in one transaction; false when it failed (the database counts and reports it). */
    private readonly runWrite: (what: string, work: () => void) => boolean,
  ) {}

  push(item: T): void {
    this.items.push(item);
    if (this.items.length > this.capacity) {
      const overflow = this.items.length - this.capacity;
      this.items.splice(0, overflow);
      this.lostCount += overflow;
    }
  }

  /** Writes everything pending in one transaction; true when nothing is left pending. */
  flush(): boolean {
    if (this.items.length === 0) return true;
    const batch = this.items;
    if (!this.runWrite(`write ${this.what}`, () => this.writeBatch(batch))) return false;
    this.items = [];
    return true;
  }

  /** Not yet written, oldest first (readers merge these with what the database holds). */
  pending(): readonly T[] {
    return this.items;
  }

  get lost(): number {
    return this.lostCount;
  }
}
