import type { SeededRandom } from './seeded-random.js';

/**
 * A mean-reverting random walk (Ornstein–Uhlenbeck process) around zero: ambient temperature, grid
 * voltage, process demand and the like wander by about `sigma` over times of about `tauSeconds`.
 * Discretised exactly, so its statistics do not depend on the step length.
 */
export class SlowWander {
  #value: number;
  readonly #random: SeededRandom;
  readonly #sigma: number;
  readonly #tauSeconds: number;

  constructor(random: SeededRandom, sigma: number, tauSeconds: number) {
    this.#random = random;
    this.#sigma = sigma;
    this.#tauSeconds = tauSeconds;
    this.#value = sigma * random.gaussian();
  }

  get value(): number {
    return this.#value;
  }

  step(dtSeconds: number): number {
    const decay = Math.exp(-dtSeconds / this.#tauSeconds);
    this.#value = this.#value * decay + this.#sigma * Math.sqrt(1 - decay * decay) * this.#random.gaussian();
    return this.#value;
  }
}
