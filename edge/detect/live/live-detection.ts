import path from 'node:path';
import { silentLogger, type Logger } from '../../../gateway/logger.js';
import type { Sample } from '../../../gateway/sample.js';
import type { AlertPriority, ConditionReport } from '../../alerts/condition-report.js';
import type { AssetConfig } from '../../config/config-schema.js';
import { writeModelAtomically } from '../calibration/asset-calibration.js';
import { planCalibration, type CalibrationPlan } from '../calibration/calibration-plan.js';
import { FirstStartCalibration } from '../calibration/first-start-calibration.js';
import { DetectionEngine, type BindingStats } from '../detection-engine.js';
import type { DetectionSettings } from '../detection-config.js';
import type { DetectionModel } from '../detection-model.js';
import type { Finding } from '../finding.js';
import type { ModelCard } from '../model-card.js';
import { bindModels, type LoadedModel } from './model-binding.js';
import { watchModelFolder } from './model-folder-watch.js';
import { ModelLibrary, type ModelOrigin } from './model-library.js';
import { FindingAlerts, type ModelAlertDetails } from './finding-alerts.js';

/** The derived signal each scored asset gets on the bus: the model's score, with the threshold as its limit. */
export const SCORE_SIGNAL = 'anomaly_score';
/** The `source` of score samples on the bus. */
export const DETECTION_SOURCE = 'detection';

export type ModelState = 'active' | 'collecting' | 'failed' | 'unused';

/** One model as the console lists it (GET /api/models): one entry per model and asset it serves. A type, not an interface, so it fits the console's open record. */
export type ModelStatus = {
  readonly id: string;
  readonly asset: string | null;
  readonly kind: string;
  readonly state: ModelState;
  /** failed: what went wrong and what to do. unused: why no asset uses it. */
  readonly error?: string;
  readonly origin?: ModelOrigin;
  readonly mode?: ModelCard['mode'];
  readonly version?: string;
  readonly description?: string;
  readonly inputs?: readonly { readonly signal: string; readonly unit: string }[];
  readonly threshold?: number;
  readonly priority?: AlertPriority;
  readonly files?: { readonly card: string; readonly model: string };
  readonly trainedAt?: string;
  readonly from?: string;
  readonly to?: string;
  readonly rows?: number;
  readonly training?: { readonly data: string; readonly method: string };
  readonly evaluation?: ModelCard['evaluation'];
  /** "asset/anomaly_score": the live series of the score. */
  readonly scoreSignal?: string;
  readonly rowsScored?: number;
  readonly rowsSkipped?: BindingStats['skipped'];
  readonly findings?: number;
  readonly anomalousFindings?: number;
  /** The asset deviates now (the model's condition is active). */
  readonly anomalous?: boolean;
  readonly lastScore?: { readonly ts: number; readonly score: number } | null;
  /** collecting: first-start calibration. */
  readonly calibration?: {
    readonly progress: number;
    readonly rowsCollected: number;
    readonly rowsNeeded: number;
    readonly minutes: number;
    readonly startedAt: number;
    readonly template: string | null;
  };
};

/** What `assess` answers: the model, whether its alert condition holds, and the newest finding explained. */
export interface AssetAssessment {
  readonly asset: string;
  readonly model: string;
  readonly mode: ModelCard['mode'];
  readonly threshold: number;
  readonly anomalous: boolean;
  readonly rowsScored: number;
  /** Null until the model has scored a row of the asset. */
  readonly finding: ModelAlertDetails | null;
}

export interface ScoreSignal {
  readonly asset: string;
  readonly signal: string;
  readonly model: string;
  readonly threshold: number;
}

export interface LiveDetectionOptions {
  readonly assets: Readonly<Record<string, AssetConfig>>;
  readonly settings: DetectionSettings;
  /** The models shipped with Millwright (models/), or null to leave them out. */
  readonly shippedFolder: string | null;
  /** <dataDir>/models: models calibrated on the box and brought by people; watched for changes. */
  readonly boxFolder: string;
  readonly report: (reports: ConditionReport[]) => void;
  /** Where score samples go (the telemetry bus). */
  readonly publish?: (samples: Sample[]) => void;
  /** Every finding of an asset's bound model, as it is scored (the uplink sends them north). */
  readonly onFinding?: (finding: Finding) => void;
  /** The latest value of a signal, for the details of model alerts. */
  readonly latestValue?: (asset: string, signal: string) => number | undefined;
  /** Watch boxFolder and reload on changes. Default true. */
  readonly watch?: boolean;
  /** Time for calibration records (ms). Default Date.now. */
  readonly now?: () => number;
  readonly logger?: Logger;
}

interface ActiveBinding {
  readonly loaded: LoadedModel;
  /** What the engine scores with: the model itself, or a copy on the time-scaled grid. */
  readonly attached: DetectionModel;
  readonly alerts: FindingAlerts;
  findings: number;
  anomalousFindings: number;
  lastFinding: Finding | null;
}

interface Failure {
  readonly id: string;
  readonly asset: string | null;
  readonly kind: string;
  readonly error: string;
  readonly files?: { readonly card: string; readonly model: string };
  readonly origin?: ModelOrigin;
}

const PROGRESS_LOG_STEP = 0.1;

/**
 * Anomaly detection on the box: loads the models of the shipped folder and of <dataDir>/models,
 * binds each asset to its model (its own calibrated one over one of its kind), scores every bus batch
 * in one shared DetectionEngine, turns anomalous stretches into model alerts and publishes each
 * asset's score as the signal `anomaly_score`. Assets of the kinds listed for first-start calibration
 * learn a model of their own from their running data; a model written into <dataDir>/models (by that
 * calibration or `millwright calibrate`) is loaded and attached without a restart.
 */
export class LiveDetection {
  private readonly engine: DetectionEngine;
  private readonly library: ModelLibrary;
  private readonly bindings = new Map<string, ActiveBinding>();
  private readonly calibrations = new Map<string, FirstStartCalibration>();
  private readonly scaledModels = new WeakMap<DetectionModel, DetectionModel>();
  private readonly loggedProgress = new Map<string, number>();
  private readonly listeners = new Set<() => void>();
  private readonly logger: Logger;
  private readonly now: () => number;
  private failures: Failure[] = [];
  private unused: { loaded: LoadedModel; reason: string }[] = [];
  private reports: ConditionReport[] = [];
  private scores: Sample[] = [];
  private flushQueued = false;
  private reloading: Promise<void> = Promise.resolve();
  private pendingWork = new Set<Promise<unknown>>();
  private stopWatching: () => void = () => {};
  private stopped = false;

  private constructor(private readonly options: LiveDetectionOptions) {
    this.logger = options.logger ?? silentLogger;
    this.now = options.now ?? Date.now;
    this.engine = new DetectionEngine({ onFinding: (finding) => this.onFinding(finding), logger: this.logger });
    const folders = [...(options.shippedFolder ? [{ folder: options.shippedFolder, origin: 'shipped' as const }] : []), { folder: options.boxFolder, origin: 'box' as const }];
    this.library = new ModelLibrary(folders, this.logger);
  }

  /** Loads and binds the models; the box keeps running whatever fails (it is reported). */
  static async start(options: LiveDetectionOptions): Promise<LiveDetection> {
    const detection = new LiveDetection(options);
    if (!options.settings.enabled) return detection;
    await detection.reload();
    if (options.watch !== false) {
      detection.stopWatching = watchModelFolder(options.boxFolder, () => void detection.reload(), detection.logger);
    }
    return detection;
  }

  /** A bus consumer: scores the batch (asynchronously) and feeds first-start calibrations. */
  push(batch: readonly Sample[]): void {
    if (this.stopped) return;
    this.engine.push(batch);
    for (const [asset, calibration] of this.calibrations) {
      const artifacts = calibration.push(batch);
      this.logProgress(asset, calibration);
      if (artifacts) this.track(this.completeCalibration(asset, calibration, artifacts));
      else if (calibration.state === 'failed' && calibration.error) this.logCalibrationFailure(asset, calibration);
    }
  }

  /** Re-reads the model folders and rebinds the assets whose model changed. Calls are serialised. */
  reload(): Promise<void> {
    const next = this.reloading.then(() => this.doReload()).catch((error: unknown) => this.logger.error({ err: error }, 'reloading the models failed; the models loaded before stay in use'));
    this.reloading = next;
    return next;
  }

  /** Called after every reload that may have changed the model list. */
  onModelsChanged(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Every model and calibration for the console: active ones first, then collecting, failed, unused. */
  models(): ModelStatus[] {
    const stats = new Map(this.engine.stats().bindings.map((binding) => [`${binding.asset}\u0000${binding.model}`, binding]));
    const active = [...this.bindings.entries()].map(([asset, binding]) => this.activeStatus(asset, binding, stats.get(`${asset}\u0000${binding.loaded.model.card.id}`)));
    const collecting = [...this.calibrations.entries()].map(([asset, calibration]) => calibrationStatus(asset, calibration));
    const failed = this.failures.map((failure): ModelStatus => ({ id: failure.id, asset: failure.asset, kind: failure.kind, state: 'failed', error: failure.error, ...(failure.files ? { files: failure.files } : {}), ...(failure.origin ? { origin: failure.origin } : {}) }));
    const unused = this.unused.map(({ loaded, reason }): ModelStatus => ({ ...cardStatus(loaded), asset: null, state: 'unused', error: reason }));
    return [...active, ...collecting, ...failed, ...unused];
  }

  /** The score signal of each scored asset (for the console's asset view). */
  scoreSignals(): ScoreSignal[] {
    return [...this.bindings.entries()].map(([asset, binding]) => ({ asset, signal: SCORE_SIGNAL, model: binding.loaded.model.card.id, threshold: binding.loaded.model.card.threshold }));
  }

  /**
   * The asset's model run on everything pushed so far: waits until the pending rows are scored, then gives
   * the newest finding with each signal's share. Null when no model scores the asset.
   */
  async assess(asset: string): Promise<AssetAssessment | null> {
    await this.engine.idle();
    const binding = this.bindings.get(asset);
    if (!binding) return null;
    const { card } = binding.loaded.model;
    const finding = binding.lastFinding;
    return { asset, model: card.id, mode: card.mode, threshold: card.threshold, anomalous: binding.alerts.isActive, rowsScored: binding.findings, finding: finding ? binding.alerts.describe(finding) : null };
  }

  /** Resolves once every batch pushed so far is scored and reported, and pending calibrations and reloads are done. */
  async idle(): Promise<void> {
    for (;;) {
      await this.engine.idle();
      await this.reloading;
      if (this.pendingWork.size === 0) break;
      await Promise.all([...this.pendingWork]);
    }
    this.flush();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.stopWatching();
    await this.idle();
    for (const model of this.library.models()) await model.release();
  }

  private async doReload(): Promise<void> {
    if (this.stopped) return;
    const { entries, dropped } = await this.library.refresh();
    const plan = bindModels(this.options.assets, entries);
    const out: ConditionReport[] = [];
    const now = this.now();
    for (const { asset, chosen } of plan) {
      const current = this.bindings.get(asset);
      if (current?.loaded.model === chosen?.model) continue;
      if (current) {
        this.engine.detach(asset, current.attached.card.id);
        current.alerts.clear(now, chosen ? `model ${current.loaded.model.card.id} replaced by ${chosen.model.card.id}` : `model ${current.loaded.model.card.id} removed`, out);
        this.bindings.delete(asset);
        this.logger.info({ asset, model: current.loaded.model.card.id }, `${asset}: model ${current.loaded.model.card.id} detached${chosen ? `, replaced by ${chosen.model.card.id}` : ''}`);
      }
      if (chosen) this.attach(asset, chosen);
    }
    this.failures = [
      ...entries.flatMap((entry): Failure[] =>
        entry.status === 'failed' ? [{ id: path.basename(entry.cardFile, '.json'), asset: null, kind: 'unknown', error: entry.error, files: { card: entry.cardFile, model: entry.modelFile }, origin: entry.origin }] : [],
      ),
      ...plan.flatMap(({ asset, refused }) =>
        refused.map(({ model, error }): Failure => ({ id: model.model.card.id, asset, kind: model.model.card.assetKind, error, files: { card: model.model.cardFile, model: model.model.modelFile }, origin: model.origin })),
      ),
    ];
    for (const failure of this.failures.filter((failure) => failure.asset !== null)) this.logger.error({ asset: failure.asset, model: failure.id }, failure.error);
    const used = new Set([...this.bindings.values()].map((binding) => binding.loaded.model));
    const refused = new Set(plan.flatMap(({ refused: list }) => list.map(({ model }) => model.model)));
    this.unused = entries.flatMap((entry) =>
      entry.status === 'loaded' && !used.has(entry.model) && !refused.has(entry.model)
        ? [{ loaded: { model: entry.model, origin: entry.origin }, reason: unusedReason(entry.model.card, this.options.assets) }]
        : [],
    );
    this.planCalibrations(entries);
    if (out.length > 0) this.options.report(out);
    await this.engine.idle();
    for (const model of dropped) if (!used.has(model)) await model.release();
    for (const listener of this.listeners) listener();
  }

  private attach(asset: string, loaded: LoadedModel): void {
    const { card } = loaded.model;
    const config = this.options.assets[asset] as AssetConfig;
    const attached = this.onTimeScale(loaded.model);
    // A model of the kind was fitted on another machine: this asset's present level is its starting reference.
    this.engine.attach(attached, asset, { ...(config.running ? { running: config.running } : {}), referenceFromPresent: card.asset === undefined });
    const alerts = new FindingAlerts(card, asset, {
      priority: card.priority ?? this.options.settings.alertPriority,
      latestValue: (signal) => this.options.latestValue?.(asset, signal),
    });
    this.bindings.set(asset, { loaded, attached, alerts, findings: 0, anomalousFindings: 0, lastFinding: null });
    this.logger.info({ asset, model: card.id }, `${asset}: scored by model ${card.id} (${loaded.origin === 'shipped' ? 'shipped' : 'from the data folder'}; ${card.inputs.length} inputs, threshold ${card.threshold.toPrecision(4)})`);
  }

  /** Assets of the configured kinds without a model of their own start (or keep) collecting; those with one stop. */
  private planCalibrations(entries: ReturnType<ModelLibrary['entries']>): void {
    const { kinds, minutes } = this.options.settings.calibrateOnFirstStart;
    const cards = entries.flatMap((entry) => (entry.status === 'loaded' ? [entry.model.card] : []));
    for (const [asset, config] of Object.entries(this.options.assets)) {
      const hasOwn = this.bindings.get(asset)?.loaded.model.card.asset === asset;
      if (hasOwn || !kinds.includes(config.kind)) {
        this.calibrations.delete(asset);
        continue;
      }
      if (this.calibrations.has(asset)) continue;
      let plan: CalibrationPlan;
      try {
        plan = planCalibration(
          { asset, kind: config.kind, ...(config.running ? { running: config.running } : {}), signals: config.signals, ...(config.trip ? { tripSignal: config.trip.signal } : {}) },
          cards,
          this.options.settings.calibrationInputs[config.kind],
        );
      } catch (error) {
        this.failures.push({ id: `${asset}-calibrated`, asset, kind: config.kind, error: `first-start calibration of ${asset}: ${(error as Error).message}` });
        continue;
      }
      const calibration = new FirstStartCalibration(plan, minutes, this.now(), this.options.settings.timeScale);
      this.calibrations.set(asset, calibration);
      this.loggedProgress.set(asset, 0);
      this.logger.info(
        { asset },
        `${asset} has no model of its own: learning its normal behaviour from ${minutes} min of running operation (${calibration.rowsNeeded} rows of ${plan.inputs.map((i) => i.signal).join(', ')})`,
      );
    }
  }

  /**
   * The model on the grid shrunk by the time scale (the demo at --speed X), one copy per model so the
   * assets sharing it still share its ONNX runs; the model itself on a real plant.
   */
  private onTimeScale(model: DetectionModel): DetectionModel {
    const scale = this.options.settings.timeScale;
    if (scale === 1) return model;
    let copy = this.scaledModels.get(model);
    if (!copy) {
      const { periodMs, maxHoldMs, latenessMs } = model.card.grid;
      copy = { ...model, card: { ...model.card, grid: { periodMs: periodMs / scale, maxHoldMs: maxHoldMs / scale, latenessMs: latenessMs / scale } } };
      this.scaledModels.set(model, copy);
    }
    return copy;
  }

  private async completeCalibration(asset: string, calibration: FirstStartCalibration, artifacts: Parameters<typeof writeModelAtomically>[1]): Promise<void> {
    try {
      const { cardFile } = await writeModelAtomically(this.options.boxFolder, artifacts);
      this.logger.info({ asset, cardFile }, `${asset} calibrated on ${artifacts.card.training.rows} rows: model ${artifacts.card.id} written to ${cardFile}`);
      await this.reload();
    } catch (error) {
      calibration.fail(`the fitted model could not be written to ${this.options.boxFolder}: ${(error as Error).message}`);
      this.logCalibrationFailure(asset, calibration);
    }
  }

  private logProgress(asset: string, calibration: FirstStartCalibration): void {
    const logged = this.loggedProgress.get(asset) ?? 0;
    if (calibration.state !== 'collecting' || calibration.progress < logged + PROGRESS_LOG_STEP) return;
    const step = Math.floor(calibration.progress / PROGRESS_LOG_STEP) * PROGRESS_LOG_STEP;
    this.loggedProgress.set(asset, step);
    this.logger.info({ asset, progress: step }, `${asset} calibration: ${Math.round(step * 100)} % (${calibration.rowsCollected} of ${calibration.rowsNeeded} rows)`);
  }

  private logCalibrationFailure(asset: string, calibration: FirstStartCalibration): void {
    if (this.loggedProgress.get(asset) === -1) return;
    this.loggedProgress.set(asset, -1);
    this.logger.error({ asset }, `${asset}: first-start calibration failed: ${calibration.error}; run "millwright calibrate ${asset}" once the machine has run normally for a while`);
  }

  private onFinding(finding: Finding): void {
    const binding = this.bindings.get(finding.asset);
    if (!binding || binding.loaded.model.card.id !== finding.model) return;
    binding.findings += 1;
    if (finding.anomalous) binding.anomalousFindings += 1;
    binding.lastFinding = finding;
    binding.alerts.onFinding(finding, this.reports);
    this.options.onFinding?.(finding);
    this.scores.push({ asset: finding.asset, signal: SCORE_SIGNAL, value: finding.score, ts: finding.ts, quality: 'good', source: DETECTION_SOURCE });
    if (this.flushQueued) return;
    this.flushQueued = true;
    // Findings of one ONNX run come together: reported and published as one batch after it.
    queueMicrotask(() => this.flush());
  }

  private flush(): void {
    this.flushQueued = false;
    const reports = this.reports;
    const scores = this.scores;
    this.reports = [];
    this.scores = [];
    if (reports.length > 0) this.options.report(reports);
    if (scores.length > 0) this.options.publish?.(scores);
  }

  private track(work: Promise<unknown>): void {
    this.pendingWork.add(work);
    void work.finally(() => this.pendingWork.delete(work));
  }

  private activeStatus(asset: string, binding: ActiveBinding, stats: BindingStats | undefined): ModelStatus {
    return {
      ...cardStatus(binding.loaded),
      asset,
      state: 'active',
      scoreSignal: `${asset}/${SCORE_SIGNAL}`,
      priority: binding.loaded.model.card.priority ?? this.options.settings.alertPriority,
      rowsScored: stats?.rowsScored ?? 0,
      ...(stats ? { rowsSkipped: stats.skipped } : {}),
      findings: binding.findings,
      anomalousFindings: binding.anomalousFindings,
      anomalous: binding.alerts.isActive,
      lastScore: binding.lastFinding ? { ts: binding.lastFinding.ts, score: binding.lastFinding.score } : null,
    };
  }
}

function cardStatus({ model, origin }: LoadedModel): Omit<ModelStatus, 'asset' | 'state'> {
  const { card } = model;
  return {
    id: card.id,
    kind: card.assetKind,
    origin,
    mode: card.mode,
    version: card.version,
    description: card.description,
    inputs: card.inputs,
    threshold: card.threshold,
    files: { card: model.cardFile, model: model.modelFile },
    trainedAt: card.training.fittedAt,
    ...(card.training.from ? { from: card.training.from } : {}),
    ...(card.training.to ? { to: card.training.to } : {}),
    rows: card.training.rows,
    training: { data: card.training.data, method: card.training.method },
    ...(card.evaluation ? { evaluation: card.evaluation } : {}),
  };
}

function calibrationStatus(asset: string, calibration: FirstStartCalibration): ModelStatus {
  const { plan } = calibration;
  return {
    id: plan.modelId,
    asset,
    kind: plan.kind,
    state: calibration.state === 'failed' ? 'failed' : 'collecting',
    ...(calibration.error ? { error: calibration.error } : {}),
    mode: 'machine',
    inputs: plan.inputs,
    calibration: {
      progress: Math.round(calibration.progress * 1000) / 10,
      rowsCollected: calibration.rowsCollected,
      rowsNeeded: calibration.rowsNeeded,
      minutes: calibration.minutes,
      startedAt: calibration.startedAt,
      template: plan.template,
    },
  };
}

function unusedReason(card: ModelCard, assets: Readonly<Record<string, AssetConfig>>): string {
  if (card.asset !== undefined) return Object.hasOwn(assets, card.asset) ? `asset ${card.asset} uses another model` : `it was calibrated for asset ${card.asset}, which this configuration does not have`;
  const ofKind = Object.entries(assets).filter(([, asset]) => asset.kind === card.assetKind);
  if (ofKind.length === 0) return `no asset has kind ${card.assetKind}`;
  return `every asset of kind ${card.assetKind} (${ofKind.map(([id]) => id).join(', ')}) uses another model`;
}
