/** An opaque timer handle; only the clock that made it can clear it. */
export type TimerHandle = unknown;

/**
 * The time source of everything on the box that waits (alert delays, shelving expiries, write retries).
 * Tests pass a manual clock and drive time forward instead of sleeping.
 */
export interface Clock {
  now(): number;
  setTimeout(callback: () => void, delayMs: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/**
 * Wall-clock time and Node timers. Timers are unref'ed: a pending shelving expiry must not keep a
 * process alive that is otherwise done (the runtime's servers keep it alive while it serves).
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(callback, delayMs) {
    const timer = setTimeout(callback, Math.max(0, delayMs));
    timer.unref();
    return timer;
  },
  clearTimeout(handle) {
    clearTimeout(handle as NodeJS.Timeout);
  },
};
