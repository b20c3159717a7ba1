export interface MotorRating {
  readonly shaftKw: number;
  readonly voltage: number;
  readonly efficiency: number;
  readonly powerFactor: number;
  /** No-load (magnetising) current as a fraction of rated current. */
  readonly noLoadCurrentFraction: number;
}

export interface MotorOperatingPoint {
  readonly inputKw: number;
  readonly reactiveKvar: number;
  readonly current: number;
  readonly powerFactor: number;
  readonly lossesKw: number;
}

const SQRT3 = Math.sqrt(3);
/** Share of rated losses that do not depend on load (iron, friction, windage). */
const FIXED_LOSS_SHARE = 0.35;

/**
 * Steady-state electrical behaviour of a three-phase induction motor from its nameplate: losses are a
 * fixed part plus copper losses ∝ current²; the active current carries the input power, the reactive
 * current grows from the no-load magnetising current with load (leakage), so power factor and
 * efficiency fall at part load as on a real motor.
 */
export class InductionMotor {
  readonly rating: MotorRating;
  readonly ratedCurrent: number;
  readonly #ratedActiveCurrent: number;
  readonly #ratedReactiveCurrent: number;
  readonly #noLoadCurrent: number;
  readonly #fixedLossesKw: number;
  readonly #ratedCopperLossesKw: number;

  constructor(rating: MotorRating) {
    this.rating = rating;
    this.ratedCurrent = (rating.shaftKw * 1000) / (rating.efficiency * SQRT3 * rating.voltage * rating.powerFactor);
    this.#ratedActiveCurrent = this.ratedCurrent * rating.powerFactor;
    this.#ratedReactiveCurrent = this.ratedCurrent * Math.sqrt(1 - rating.powerFactor ** 2);
    this.#noLoadCurrent = this.ratedCurrent * rating.noLoadCurrentFraction;
    const ratedLossesKw = rating.shaftKw * (1 / rating.efficiency - 1);
    this.#fixedLossesKw = FIXED_LOSS_SHARE * ratedLossesKw;
    this.#ratedCopperLossesKw = (1 - FIXED_LOSS_SHARE) * ratedLossesKw;
  }

  /** The electrical operating point of an energised motor delivering `shaftKw` at line voltage `voltage`. */
  operate(shaftKw: number, voltage: number): MotorOperatingPoint {
    const voltageRatio = voltage / this.rating.voltage;
    let current = this.ratedCurrent * (0.3 + 0.7 * Math.max(0, shaftKw) / this.rating.shaftKw);
    let activeCurrent = 0;
    let reactiveCurrent = 0;
    let lossesKw = 0;
    let inputKw = 0;
    for (let iteration = 0; iteration < 3; iteration++) {
      lossesKw = this.#fixedLossesKw * voltageRatio ** 2 + this.#ratedCopperLossesKw * (current / this.ratedCurrent) ** 2;
      inputKw = Math.max(0, shaftKw) + lossesKw;
      activeCurrent = (inputKw * 1000) / (SQRT3 * voltage);
      const loadRatio = activeCurrent / this.#ratedActiveCurrent;
      reactiveCurrent = (this.#noLoadCurrent + (this.#ratedReactiveCurrent - this.#noLoadCurrent) * loadRatio ** 2) * voltageRatio;
      current = Math.hypot(activeCurrent, reactiveCurrent);
    }
    return {
      inputKw,
      reactiveKvar: (SQRT3 * voltage * reactiveCurrent) / 1000,
      current,
      powerFactor: activeCurrent / current,
      lossesKw,
    };
  }

  /** Losses at rated load: the reference for the motor's temperature rise. */
  get ratedLossesKw(): number {
    return this.#fixedLossesKw + this.#ratedCopperLossesKw;
  }
}
