import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';

/**
 * A reproducible random source. Every machine draws from its own streams, each derived from the plant
 * seed, the machine id and the stream's purpose, so adding a machine (or a fault that needs random
 * numbers) leaves every other stream untouched.
 */
export class SeededRandom {
  readonly #generator: RandomGenerator;
  #spareGaussian: number | undefined;

  private constructor(generator: RandomGenerator) {
    this.#generator = generator;
  }

  static forStream(seed: number, machineId: string, purpose: string): SeededRandom {
    if (!Number.isSafeInteger(seed)) throw new Error(`simulation seed must be an integer, got ${seed}`);
    const lowBits = seed | 0;
    const highBits = Math.floor(seed / 0x1_0000_0000) | 0;
    const mixed = mix32(fnv1a(`${machineId}/${purpose}`) ^ mix32(lowBits) ^ mix32(highBits ^ 0x5bd1e995));
    return new SeededRandom(xoroshiro128plus(mixed));
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    return uniformFloat64(this.#generator);
  }

  /** Standard normal (Box–Muller; the second value of each pair is kept for the next call). */
  gaussian(): number {
    const spare = this.#spareGaussian;
    if (spare !== undefined) {
      this.#spareGaussian = undefined;
      return spare;
    }
    const radius = Math.sqrt(-2 * Math.log(1 - this.uniform()));
    const angle = 2 * Math.PI * this.uniform();
    this.#spareGaussian = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  }

  /** True with the given probability. */
  chance(probability: number): boolean {
    return this.uniform() < probability;
  }

  /** Uniform in [low, high). */
  between(low: number, high: number): number {
    return low + (high - low) * this.uniform();
  }
}

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash | 0;
}

/** MurmurHash3's finaliser: spreads every input bit over the whole word. */
function mix32(value: number): number {
  let h = value | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}
