import type { SeededRandom } from './seeded-random.js';

/** Above this severity a worn bearing also produces impacts (spalled raceway). */
const IMPACT_ONSET_SEVERITY = 0.6;
/** Impacts per second once the bearing is fully worn. */
const IMPACTS_PER_SECOND = 0.8;
const IMPACT_DECAY_SECONDS = 0.4;

export interface BearingWearProfile {
  /** Extra RMS vibration velocity at the worn bearing at severity 1 and reference speed (mm/s). */
  readonly steadyMmS: number;
  /** Peak extra vibration of one impact at severity 1 and reference speed (mm/s). */
  readonly impactMmS: number;
}

/**
 * The vibration a worn rolling bearing adds at its own housing: a steady part growing with severity^1.5
 * and speed, and at high severity short random impacts on top (the intermittent component).
 */
export class BearingWearVibration {
  readonly #profile: BearingWearProfile;
  #impact = 0;

  constructor(profile: BearingWearProfile) {
    this.#profile = profile;
  }

  /** Advances the impacts; returns the extra vibration (mm/s) for this step. `speedRatio` = speed / reference speed. */
  step(dtSeconds: number, severity: number, speedRatio: number, random: SeededRandom): number {
    this.#impact *= Math.exp(-dtSeconds / IMPACT_DECAY_SECONDS);
    if (severity > IMPACT_ONSET_SEVERITY && speedRatio > 0) {
      const intensity = (severity - IMPACT_ONSET_SEVERITY) / (1 - IMPACT_ONSET_SEVERITY);
      if (random.chance(1 - Math.exp(-IMPACTS_PER_SECOND * intensity * dtSeconds))) {
        this.#impact += this.#profile.impactMmS * severity * speedRatio * random.between(0.5, 1);
      }
    }
    return this.#profile.steadyMmS * severity ** 1.5 * speedRatio + this.#impact;
  }
}
