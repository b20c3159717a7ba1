import type { Logger } from '../logger.js';
import type { Reject, RejectReason } from './reject.js';

/**
 * Logs rejected messages without flooding: the first one of each interval is logged with its
 * detail, the rest are counted and summed up in one line when the interval ends.
 */
export class RejectLog {
  readonly #logger: Logger;
  readonly #intervalMs: number;
  #windowStart = Number.NEGATIVE_INFINITY;
  #suppressed: Partial<Record<RejectReason, number>> = {};
  #suppressedMessages = 0;
  #timer: NodeJS.Timeout | null = null;

  constructor(logger: Logger, intervalMs = 10_000) {
    this.#logger = logger;
    this.#intervalMs = intervalMs;
  }

  /** Takes note of one message's problems; `rejects` is read now, not kept. */
  note(topic: string, rejects: readonly Reject[]): void {
    const [first] = rejects;
    if (first === undefined) return;
    const now = Date.now();
    if (now - this.#windowStart >= this.#intervalMs) {
      this.#flush();
      this.#windowStart = now;
      const more = rejects.length > 1 ? ` (and ${rejects.length - 1} more problem(s) in this message)` : '';
      this.#logger.warn(
        { topic, reason: first.reason },
        `rejected MQTT message: ${first.detail}${more}; further rejects are summed up every ${this.#intervalMs / 1000} s`,
      );
      return;
    }
    for (const reject of rejects) this.#suppressed[reject.reason] = (this.#suppressed[reject.reason] ?? 0) + 1;
    this.#suppressedMessages++;
    this.#timer ??= setTimeout(() => this.#flush(), this.#windowStart + this.#intervalMs - now).unref();
  }

  /** Logs what is still counted; call when the source stops. */
  close(): void {
    this.#flush();
  }

  #flush(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    if (this.#suppressedMessages === 0) return;
    this.#logger.warn(
      { rejected: this.#suppressed },
      `rejected ${this.#suppressedMessages} more MQTT message(s) in the last ${this.#intervalMs / 1000} s; see the source's dead letters for details`,
    );
    this.#suppressed = {};
    this.#suppressedMessages = 0;
  }
}
