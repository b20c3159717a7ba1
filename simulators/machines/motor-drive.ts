import type { OperatingState } from '../machine.js';

export interface DriveTiming {
  /** Run-up from standstill to full speed (soft starter, star-delta, drive ramp). */
  readonly startSeconds: number;
  /** Controlled ramp-down after a stop command. */
  readonly stopSeconds: number;
  /** Free coast-down after a trip opens the contactor (time to about 5 % speed). */
  readonly coastSeconds: number;
}

/** Below this fraction of full speed a coasting shaft counts as standing still. */
const STANDSTILL = 0.005;

/**
 * The run sequence of a motor: stopped → starting → running → stopping → stopped, or tripped at any
 * time (the contactor opens and the shaft coasts down). `speedFraction` is the shaft speed as a
 * fraction of full speed; the machine's physics scales from it.
 */
export class MotorDrive {
  #state: OperatingState = 'running';
  #speedFraction = 1;
  readonly #timing: DriveTiming;

  constructor(timing: DriveTiming) {
    this.#timing = timing;
  }

  get state(): OperatingState {
    return this.#state;
  }

  get speedFraction(): number {
    return this.#speedFraction;
  }

  /** True while the motor is connected to its supply (not after a stop or a trip). */
  get energised(): boolean {
    return this.#state === 'starting' || this.#state === 'running' || this.#state === 'stopping';
  }

  start(): void {
    if (this.#state === 'stopped' || this.#state === 'stopping') this.#state = 'starting';
  }

  stop(): void {
    if (this.#state === 'starting' || this.#state === 'running') this.#state = 'stopping';
  }

  trip(): void {
    this.#state = 'tripped';
  }

  /** Clears a trip; a shaft still coasting keeps coasting. */
  reset(): void {
    if (this.#state === 'tripped') this.#state = 'stopped';
  }

  step(dtSeconds: number): void {
    switch (this.#state) {
      case 'starting':
        this.#speedFraction = Math.min(1, this.#speedFraction + dtSeconds / this.#timing.startSeconds);
        if (this.#speedFraction >= 1) this.#state = 'running';
        break;
      case 'running':
        this.#speedFraction = 1;
        break;
      case 'stopping':
        this.#speedFraction = Math.max(0, this.#speedFraction - dtSeconds / this.#timing.stopSeconds);
        if (this.#speedFraction <= 0) this.#state = 'stopped';
        break;
      case 'stopped':
      case 'tripped': {
        const coasted = this.#speedFraction * Math.exp((-3 * dtSeconds) / this.#timing.coastSeconds);
        this.#speedFraction = coasted < STANDSTILL ? 0 : coasted;
        break;
      }
    }
  }
}
