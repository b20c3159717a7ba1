import type { Clock, TimerHandle } from '../store/clock.js';

export interface FloodLimits {
  readonly windowMs: number;
  /** Starts when more than this many annunciations fall within the window. */
  readonly startAbove: number;
  /** Ends when fewer than this many remain within the window. */
  readonly endBelow: number;
}

export interface FloodState {
  readonly active: boolean;
  /** When the current flood started; null outside a flood. */
  readonly since: number | null;
  readonly annunciationsInWindow: number;
}

export type FloodListener = (state: FloodState, cause: 'rate' | 'restart') => void;

/**
 * Alarm-flood detection per ISA-18.2: counts annunciations (alerts going active-unacknowledged) in a
 * sliding window, with a lower limit to end the flood than to start it so it does not flicker.
 */
export class FloodDetector {
  /** Annunciation times, oldest first; entries before `head` have left the window. */
  private times: number[] = [];
  private head = 0;
  private since: number | null = null;
  private timer: TimerHandle | undefined;

  constructor(
    private readonly limits: FloodLimits,
    private readonly clock: Clock,
    private readonly onChange: FloodListener,
  ) {}

  /** Takes over the state found at start; a flood that has died down meanwhile ends with cause "restart". */
  restore(annunciationTimes: readonly number[], floodSince: number | null): void {
    this.times = [...annunciationTimes].sort((a, b) => a - b);
    this.head = 0;
    this.since = floodSince;
    if (this.since !== null) this.checkEnd('restart');
  }

  recordAnnunciation(): void {
    const now = this.clock.now();
    this.times.push(now);
    this.prune(now);
    if (this.since === null && this.count() > this.limits.startAbove) {
      this.since = now;
      this.onChange(this.state(), 'rate');
    }
    if (this.since !== null) this.checkEnd('rate');
  }

  state(): FloodState {
    this.prune(this.clock.now());
    return { active: this.since !== null, since: this.since, annunciationsInWindow: this.count() };
  }

  stop(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private checkEnd(cause: 'rate' | 'restart'): void {
    this.stop();
    const now = this.clock.now();
    this.prune(now);
    if (this.count() < this.limits.endBelow) {
      this.since = null;
      this.onChange(this.state(), cause);
      return;
    }
    // The count only falls when the oldest annunciation leaves the window: look again then.
    const oldest = this.times[this.head]!;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.checkEnd('rate');
    }, oldest + this.limits.windowMs - now);
  }

  private prune(now: number): void {
    const cutoff = now - this.limits.windowMs;
    while (this.head < this.times.length && this.times[this.head]! <= cutoff) this.head++;
    if (this.head > 1024 && this.head * 2 > this.times.length) {
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
  }

  private count(): number {
    return this.times.length - this.head;
  }
}
