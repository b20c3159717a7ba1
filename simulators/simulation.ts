import type { Logger } from 'pino';
import type { PlacedMachine } from './machine.js';

export interface SimulationOptions {
  readonly machines: readonly PlacedMachine[];
  /** Real milliseconds between ticks (default 100). */
  readonly tickMs?: number;
  /** Simulated seconds per real second (default 1; >1 for accelerated scenarios and replay). */
  readonly speed?: number;
  readonly logger: Logger;
}

export interface Tick {
  /** 1 for the first step. */
  readonly index: number;
  /** Simulated seconds since the simulation began, after this step. */
  readonly simTime: number;
  readonly dtSeconds: number;
  /**
   * Epoch milliseconds the step stands for: the timestamp front-ends put on what they publish. On the
   * real-time clock it is the time the step was due, so a late or catch-up step keeps its place in
   * time whatever the load; a step run by hand gets the current time.
   */
  readonly wallTime: number;
}

export type TickListener = (tick: Tick) => void;

/** Ticks the clock may run back to back to catch up after the event loop stalled; beyond that it skips ahead. */
const MAX_CATCH_UP_TICKS = 10;

/**
 * Owns the placed machines and a fixed-step clock. Every tick advances every machine, in the order
 * given, by tickMs × speed simulated seconds, then tells the listeners (the protocol front-ends and
 * the scenario runner). Steps are fixed and ordered, so a run is deterministic for a given seed; the
 * timer is scheduled against a monotonic clock, so it does not drift.
 */
export class Simulation {
  readonly machines: readonly PlacedMachine[];
  readonly tickMs: number;
  readonly speed: number;
  readonly dtSeconds: number;
  readonly #logger: Logger;
  readonly #listeners = new Set<TickListener>();
  #ticks = 0;
  #timer: NodeJS.Timeout | undefined;
  /** performance.now() and Date.now() at which tick number #scheduleBaseTick was due. */
  #scheduleBase = 0;
  #scheduleBaseWall = 0;
  #scheduleBaseTick = 0;

  constructor(options: SimulationOptions) {
    const tickMs = options.tickMs ?? 100;
    const speed = options.speed ?? 1;
    if (!(Number.isFinite(tickMs) && tickMs > 0)) throw new Error(`simulation tickMs must be a positive number of milliseconds, got ${tickMs}`);
    if (!(Number.isFinite(speed) && speed > 0)) throw new Error(`simulation speed must be a positive factor (1 = real time), got ${speed}`);
    const ids = new Set<string>();
    for (const placed of options.machines) {
      if (ids.has(placed.machine.id)) throw new Error(`two simulated machines share the id '${placed.machine.id}'; machine ids must be unique`);
      ids.add(placed.machine.id);
    }
    this.machines = options.machines;
    this.tickMs = tickMs;
    this.speed = speed;
    this.dtSeconds = (tickMs * speed) / 1000;
    this.#logger = options.logger;
  }

  /** Simulated seconds since the simulation began (a multiple of dtSeconds, computed, never accumulated). */
  get simTime(): number {
    return this.#ticks * this.dtSeconds;
  }

  get running(): boolean {
    return this.#timer !== undefined;
  }

  /** Calls the listener after every step; returns the function that removes it. */
  onTick(listener: TickListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Runs one step now. The real-time clock calls this; tests may call it directly instead of starting the clock. */
  step(wallTime = Date.now()): Tick {
    for (const placed of this.machines) placed.machine.step(this.dtSeconds);
    this.#ticks += 1;
    const tick: Tick = { index: this.#ticks, simTime: this.simTime, dtSeconds: this.dtSeconds, wallTime };
    for (const listener of this.#listeners) {
      try {
        listener(tick);
      } catch (error) {
        this.#logger.error({ err: error, tick: tick.index }, 'a simulation listener failed; the simulation goes on');
      }
    }
    return tick;
  }

  /** Starts the real-time clock; the first step runs one tick from now. */
  start(): void {
    if (this.#timer) return;
    this.#rebaseSchedule();
    this.#schedule();
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #dueAt(tick: number): number {
    return this.#scheduleBase + (tick - this.#scheduleBaseTick) * this.tickMs;
  }

  #dueWallTime(tick: number): number {
    return Math.round(this.#scheduleBaseWall + (tick - this.#scheduleBaseTick) * this.tickMs);
  }

  #rebaseSchedule(): void {
    this.#scheduleBase = performance.now();
    this.#scheduleBaseWall = Date.now();
    this.#scheduleBaseTick = this.#ticks;
  }

  #schedule(): void {
    const delay = Math.max(0, this.#dueAt(this.#ticks + 1) - performance.now());
    this.#timer = setTimeout(() => this.#onTimer(), delay);
  }

  #onTimer(): void {
    let stepsRun = 0;
    while (this.#timer && performance.now() >= this.#dueAt(this.#ticks + 1)) {
      if (stepsRun === MAX_CATCH_UP_TICKS) {
        const behindMs = performance.now() - this.#dueAt(this.#ticks + 1);
        this.#logger.warn({ behindMs: Math.round(behindMs) }, 'the simulation fell behind real time (event loop busy); skipping ahead');
        this.#rebaseSchedule();
        break;
      }
      this.step(this.#dueWallTime(this.#ticks + 1));
      stepsRun += 1;
    }
    if (this.#timer) this.#schedule();
  }
}
