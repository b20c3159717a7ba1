import type { Logger } from 'pino';
import { formatDuration } from './duration.js';
import type { Scenario, ScenarioEvent } from './scenario.js';
import type { SimulatorControls } from './simulator-controls.js';
import type { Simulation } from './simulation.js';

export interface FiredEvent {
  readonly event: ScenarioEvent;
  /** Simulated seconds from the scenario start when it fired (the first tick at or after its time). */
  readonly firedAt: number;
  readonly ok: boolean;
  /** The simulator's account of what was done, or why it was refused. */
  readonly message: string;
}

/** Tolerance for simulated times that are sums of tick lengths. */
const EPSILON_SECONDS = 1e-9;

/**
 * Plays a scenario against a running simulation: each event fires on the first tick at or after its
 * simulated time, through the same controls as the OPC UA methods, and is logged with its file line.
 * A refused event is logged as an error and the timeline goes on.
 */
export class ScenarioRunner {
  readonly scenario: Scenario;
  readonly fired: FiredEvent[] = [];
  /** Resolves after the last event has fired. */
  readonly finished: Promise<void>;
  readonly #simulation: Simulation;
  readonly #controls: SimulatorControls;
  readonly #logger: Logger;
  #startSimTime = 0;
  #unsubscribe: (() => void) | undefined;
  #resolveFinished: () => void = () => undefined;

  constructor(options: { scenario: Scenario; simulation: Simulation; controls: SimulatorControls; logger: Logger }) {
    this.scenario = options.scenario;
    this.#simulation = options.simulation;
    this.#controls = options.controls;
    this.#logger = options.logger.child({ scenario: options.scenario.name });
    this.finished = new Promise((resolve) => {
      this.#resolveFinished = resolve;
    });
  }

  /** Scenario time starts now; events at 0 fire at once. */
  start(): void {
    if (this.#unsubscribe) return;
    this.#startSimTime = this.#simulation.simTime;
    const last = this.scenario.events[this.scenario.events.length - 1];
    this.#logger.info(
      { file: this.scenario.file, events: this.scenario.events.length, lastAt: last ? formatDuration(last.at) : undefined, speed: this.#simulation.speed },
      `scenario started: ${this.scenario.name}`,
    );
    this.#unsubscribe = this.#simulation.onTick((tick) => this.#fireDue(tick.simTime - this.#startSimTime));
    this.#fireDue(0);
  }

  stop(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
  }

  #fireDue(scenarioTime: number): void {
    while (this.fired.length < this.scenario.events.length) {
      const event = this.scenario.events[this.fired.length];
      if (!event || event.at > scenarioTime + EPSILON_SECONDS) return;
      this.fired.push(this.#fire(event, scenarioTime));
    }
    this.stop();
    this.#logger.info(`scenario finished: ${this.scenario.name}`);
    this.#resolveFinished();
  }

  #fire(event: ScenarioEvent, scenarioTime: number): FiredEvent {
    const where = { at: formatDuration(event.at), line: `${this.scenario.file}:${event.line}`, machine: event.machine, ...(event.note ? { note: event.note } : {}) };
    try {
      const message = this.#apply(event);
      this.#logger.info(where, `scenario event: ${message}`);
      return { event, firedAt: scenarioTime, ok: true, message };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.#logger.error(where, `scenario event refused: ${message}`);
      return { event, firedAt: scenarioTime, ok: false, message };
    }
  }

  #apply({ machine, action }: ScenarioEvent): string {
    switch (action.kind) {
      case 'inject':
        return this.#controls.inject({ machine, fault: action.fault, severity: action.severity, rampSeconds: action.rampSeconds, ...(action.signal !== undefined ? { signal: action.signal } : {}) });
      case 'clear':
        return this.#controls.clearFaults(machine, action.fault);
      case 'command':
        return this.#controls.command(machine, action.command);
      case 'load':
        return this.#controls.setLoad(machine, action.percent);
    }
  }
}
