import type { SeededRandom } from './seeded-random.js';

/** Mean length of one outage of a flaky channel or link. */
const MEAN_OUTAGE_SECONDS = 4;

/**
 * A channel or link that is down a given fraction of the time, in outages of a few seconds (a loose
 * connector, a radio link at the edge of its range). At fraction 1 it stays down; at 0 it stays up.
 */
export class IntermittentOutage {
  #down: boolean;

  constructor(initialFraction: number) {
    this.#down = initialFraction >= 1;
  }

  get down(): boolean {
    return this.#down;
  }

  step(dtSeconds: number, fraction: number, random: SeededRandom): void {
    if (fraction >= 1 || fraction <= 0) {
      this.#down = fraction >= 1;
      return;
    }
    const recoveryRate = 1 / MEAN_OUTAGE_SECONDS;
    const failureRate = (recoveryRate * fraction) / (1 - fraction);
    const rate = this.#down ? recoveryRate : failureRate;
    if (random.chance(1 - Math.exp(-rate * dtSeconds))) this.#down = !this.#down;
  }
}
