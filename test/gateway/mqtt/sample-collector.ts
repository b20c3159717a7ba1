import type { EmitBatch, Sample } from '../../../gateway/sample.js';

interface Waiter {
  readonly predicate: (samples: readonly Sample[]) => boolean;
  readonly resolve: () => void;
}

/** Gathers what a source emits, batch by batch, and lets a test await a condition on it. */
export class SampleCollector {
  readonly samples: Sample[] = [];
  readonly batches: Sample[][] = [];
  readonly #waiters = new Set<Waiter>();

  readonly emit: EmitBatch = (batch) => {
    this.batches.push(batch);
    this.samples.push(...batch);
    for (const waiter of this.#waiters) {
      if (waiter.predicate(this.samples)) {
        this.#waiters.delete(waiter);
        waiter.resolve();
      }
    }
  };

  /** Resolves once `predicate` holds on all samples so far; rejects after `timeoutMs` saying what was awaited. */
  until(predicate: (samples: readonly Sample[]) => boolean, what: string, timeoutMs = 10_000): Promise<void> {
    if (predicate(this.samples)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; got ${this.samples.length} samples`));
      }, timeoutMs);
      const waiter: Waiter = {
        predicate,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      this.#waiters.add(waiter);
    });
  }

  /** Resolves once a sample of `asset`/`signal` with `value` has arrived. */
  untilValue(asset: string, signal: string, value: number, timeoutMs?: number): Promise<void> {
    return this.until(
      (samples) => samples.some((s) => s.asset === asset && s.signal === signal && s.value === value),
      `${asset}/${signal} = ${value}`,
      timeoutMs,
    );
  }
}
