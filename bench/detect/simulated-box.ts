import path from 'node:path';
import type { Sample } from '../../gateway/sample.js';
import { AlertEngine } from '../../edge/alerts/alert-engine.js';
import { alertsSchema } from '../../edge/alerts/alert-store.js';
import type { AlertEvent } from '../../edge/alerts/alert.js';
import type { MillwrightConfig } from '../../edge/config/config-schema.js';
import { LiveDetection } from '../../edge/detect/live/live-detection.js';
import { RuleEngine } from '../../edge/detect/rules/rule-engine.js';
import { openBoxDatabase, type BoxDatabase } from '../../edge/store/box-database.js';
import { ManualClock } from '../../test/edge/store/fixtures/manual-clock.js';

export interface SimulatedBoxOptions {
  readonly config: MillwrightConfig;
  readonly shippedFolder: string;
  /** Its own folder: the box's <dataDir> (database and models/). */
  readonly dataDir: string;
  readonly startMs: number;
}

const RULE_CHECK_MS = 1000;

/**
 * The box's detection path without servers, on simulated time: the same rule engine, LiveDetection
 * (shipped models, the configuration's bindings) and alert engine as EdgeRuntime wires them, with the
 * alert engine and the rules on a clock that follows the samples' timestamps — so a simulated day
 * runs in a minute and the on/off delays and stuck/silence checks still count simulated seconds.
 */
export class SimulatedBox {
  readonly events: AlertEvent[] = [];
  private nextCheck: number;

  private constructor(
    readonly clock: ManualClock,
    /** The latest good value of each "asset/signal", for the details of model alerts. */
    private readonly latest: Map<string, number>,
    private readonly database: BoxDatabase,
    readonly alerts: AlertEngine,
    readonly rules: RuleEngine,
    readonly detection: LiveDetection,
  ) {
    this.nextCheck = clock.now() + RULE_CHECK_MS;
    alerts.subscribe((event) => this.events.push(event));
  }

  static async create(options: SimulatedBoxOptions): Promise<SimulatedBox> {
    const clock = new ManualClock(options.startMs);
    const database = openBoxDatabase({ dataDir: options.dataDir, schemas: [alertsSchema], clock, fallbackToMemory: false });
    const alerts = new AlertEngine({ database, policy: options.config.alerts, clock });
    alerts.start();
    const rules = new RuleEngine(options.config.assets, (reports) => alerts.report(reports), { silentAfterSeconds: options.config.silentAfterSeconds, now: () => clock.now() });
    const latest = new Map<string, number>();
    const detection = await LiveDetection.start({
      assets: options.config.assets,
      settings: options.config.detection,
      shippedFolder: options.shippedFolder,
      boxFolder: path.join(options.dataDir, 'models'),
      report: (reports) => alerts.report(reports),
      latestValue: (asset, signal) => latest.get(`${asset}/${signal}`),
      watch: false,
      now: () => clock.now(),
    });
    return new SimulatedBox(clock, latest, database, alerts, rules, detection);
  }

  /** A tick's samples, at simulated time `now` (ms): the clock moves first, so due delays fire in order. */
  push(samples: readonly Sample[], now: number): void {
    if (now > this.clock.now()) this.clock.advance(now - this.clock.now());
    for (const sample of samples) if (sample.quality !== 'bad') this.latest.set(`${sample.asset}/${sample.signal}`, sample.value);
    this.rules.onBatch(samples);
    this.detection.push(samples);
    while (this.clock.now() >= this.nextCheck) {
      this.rules.check();
      this.nextCheck += RULE_CHECK_MS;
    }
  }

  idle(): Promise<void> {
    return this.detection.idle();
  }

  async close(): Promise<void> {
    await this.detection.stop();
    this.alerts.stop();
    this.database.close();
  }
}
