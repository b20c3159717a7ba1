import type { Reject, RejectReason } from './reject.js';

/** A message that was rejected, in whole or in part, kept for inspection. */
export interface DeadLetter {
  /** Arrival, milliseconds since the epoch. */
  readonly at: number;
  readonly topic: string;
  /** The reason of the message's first problem. */
  readonly reason: RejectReason;
  /** Every problem found in the message (the first few when there are many). */
  readonly detail: string;
  readonly payloadBytes: number;
  /** The payload's first characters, control characters escaped: safe to log or show. */
  readonly payloadExcerpt: string;
}

const EXCERPT_CHARS = 200;
const DETAILS_KEPT = 5;

/** The newest rejected messages, up to a capacity, and how many problems of each reason were found in all. */
export class DeadLetters {
  readonly #capacity: number;
  readonly #ring: DeadLetter[] = [];
  #next = 0;
  readonly #counts: Record<string, number> = {};

  constructor(capacity = 100) {
    this.#capacity = capacity;
  }

  /** Counts every reject and keeps the message; `rejects` must not be empty. */
  record(at: number, topic: string, payload: Buffer, rejects: readonly Reject[]): void {
    for (const reject of rejects) this.#counts[reject.reason] = (this.#counts[reject.reason] ?? 0) + 1;
    const [first] = rejects;
    if (first === undefined || this.#capacity === 0) return;
    const shown = rejects.slice(0, DETAILS_KEPT).map((reject) => `${reject.reason}: ${reject.detail}`);
    if (rejects.length > DETAILS_KEPT) shown.push(`and ${rejects.length - DETAILS_KEPT} more`);
    const letter: DeadLetter = {
      at,
      topic,
      reason: first.reason,
      detail: shown.join('; '),
      payloadBytes: payload.length,
      payloadExcerpt: excerpt(payload),
    };
    this.#ring[this.#next] = letter;
    this.#next = (this.#next + 1) % this.#capacity;
  }

  /** Newest first. */
  list(): DeadLetter[] {
    const ordered = [...this.#ring.slice(this.#next), ...this.#ring.slice(0, this.#next)];
    return ordered.reverse();
  }

  /** Problems found since start, by reason. */
  countsByReason(): Readonly<Record<string, number>> {
    return { ...this.#counts };
  }
}

function excerpt(payload: Buffer): string {
  // Four bytes per character at most: decoding more than that is wasted on a huge payload.
  const text = payload.subarray(0, EXCERPT_CHARS * 4).toString('utf8');
  const cut = text.length > EXCERPT_CHARS || payload.length > EXCERPT_CHARS * 4;
  const shown = text.slice(0, EXCERPT_CHARS).replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) =>
    `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return cut ? `${shown}…` : shown;
}
