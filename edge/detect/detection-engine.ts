import { Tensor } from 'onnxruntime-node';
import { silentLogger, type Logger } from '../../gateway/logger.js';
import type { Sample } from '../../gateway/sample.js';
import type { GridRow } from './asset-resampler.js';
import type { DetectionModel } from './detection-model.js';
import type { Finding, FindingListener } from './finding.js';
import { MachineDetector } from './machine-detector.js';
import { rowAssemblerFor, type RowAssembler } from './row-assembler.js';
import type { BatchSlot, FloatArray, RowDetector, SkipReason } from './row-detector.js';
import { StreamDetector } from './stream-detector.js';

/** Whether the asset runs at a row's time; rows while it does not are not scored. */
export type RunningPredicate = (asset: string, ts: number) => boolean;

/** Running from one of the asset's signals, as the configuration writes it (assets.<id>.running). */
export interface RunningCondition {
  readonly signal: string;
  readonly above?: number;
  readonly equals?: number;
}

/** What a sample of the running signal says: running or not; undefined when it is not usable (bad or not a number). */
export function runningFrom(condition: RunningCondition, sample: Sample): boolean | undefined {
  if (sample.quality === 'bad' || !Number.isFinite(sample.value)) return undefined;
  return condition.above !== undefined ? sample.value > condition.above : sample.value === condition.equals;
}

export interface AttachOptions {
  /** The asset's signal id for a card input, where they differ (card input → asset signal). */
  readonly signals?: Readonly<Record<string, string>>;
  /**
   * Default: always running. Asked when a row is formed; a condition is evaluated on the latest reading
   * of its signal pushed to the engine by then (one condition per asset).
   */
  readonly running?: RunningPredicate | RunningCondition;
  /** Rows after a start that do not raise. Default: machine mode the card's settleRows, else its warmupRows; stream mode 0 (beyond refilling the window). */
  readonly settleRows?: number;
  /**
   * Machine mode: start from the asset's present level instead of the card's initialReference — the first
   * warmupRows running rows settle the EWMA, then the reference is taken from it. For a model of a machine
   * kind, whose fit mean is another machine's level. Default false.
   */
  readonly referenceFromPresent?: boolean;
}

export interface DetectionEngineOptions {
  readonly onFinding: FindingListener;
  readonly logger?: Logger;
  /** Bound on rows × references in one ONNX run, which sizes the batch tensors (stream mode). Default 2^19. */
  readonly maxReferencesPerRun?: number;
  /** Bound on rows in one ONNX run. Default 4096. */
  readonly maxRowsPerRun?: number;
}

export interface BindingStats {
  readonly asset: string;
  readonly model: string;
  readonly rowsScored: number;
  /** Rows not scored, by reason. */
  readonly skipped: Readonly<Record<SkipReason, number>>;
  /** Rows skipped for a missing input, by the input (asset signal id) that was missing. */
  readonly missingBySignal: Readonly<Record<string, number>>;
  /** Readings that came after their grid point had been emitted. */
  readonly lateReadings: number;
  /** Rows lost because their ONNX run failed. */
  readonly rowsFailed: number;
  /** Rows waiting to be scored. */
  readonly queued: number;
}

export interface EngineStats {
  readonly runs: number;
  readonly rowsScored: number;
  readonly bindings: readonly BindingStats[];
}

interface Binding {
  readonly asset: string;
  readonly model: DetectionModel;
  /** The asset's signal id for each card input, in card order. */
  readonly signals: readonly string[];
  /** The asset's signal id each model feature belongs to (its contribution goes there). */
  readonly featureSignals: readonly string[];
  readonly assembler: RowAssembler;
  readonly detector: RowDetector;
  readonly isRunning: (ts: number) => boolean;
  queue: QueuedRow[];
  head: number;
  rowsScored: number;
  rowsFailed: number;
  readonly skipped: Record<SkipReason, number>;
  readonly missingBySignal: Record<string, number>;
}

/** A row with the asset's running state when it was formed (a running signal's later readings must not decide it). */
interface QueuedRow {
  readonly row: GridRow;
  readonly running: boolean;
}

interface ModelGroup {
  readonly model: DetectionModel;
  readonly bindings: Binding[];
  x: FloatArray;
  references: FloatArray;
}

interface Slot {
  readonly binding: Binding;
  readonly rowId: number;
  readonly ts: number;
}

function allocate(elementType: 'float32' | 'float64', length: number): FloatArray {
  return elementType === 'float32' ? new Float32Array(length) : new Float64Array(length);
}

/**
 * Scores assets' samples with their models, shared by the live path and the benchmark. Samples go
 * through each attached model's grid (AssetResampler, or rows by timestamp); rows with a missing
 * input are skipped and counted, never zero-filled. The rows waiting for a model — across all the
 * assets it is attached to — are scored in one ONNX run per model per batch; a batch forms from what
 * arrived while the previous run was busy, so batches grow with the load. Each scored row becomes a
 * Finding, in row order per asset and model.
 */
export class DetectionEngine {
  private readonly groups = new Map<DetectionModel, ModelGroup>();
  private readonly byAsset = new Map<string, Binding[]>();
  private readonly runningSignals = new Map<string, { condition: RunningCondition; running: boolean }>();
  private readonly logger: Logger;
  private readonly maxReferencesPerRun: number;
  private readonly maxRowsPerRun: number;
  private loop: Promise<void> | undefined;
  private runs = 0;

  constructor(private readonly options: DetectionEngineOptions) {
    this.logger = options.logger ?? silentLogger;
    this.maxReferencesPerRun = options.maxReferencesPerRun ?? 2 ** 19;
    this.maxRowsPerRun = options.maxRowsPerRun ?? 4096;
  }

  /** Scores `asset` with `model` from now on. One model may be attached to many assets. */
  attach(model: DetectionModel, asset: string, options: AttachOptions = {}): void {
    const { card } = model;
    const existing = this.byAsset.get(asset) ?? [];
    if (existing.some((binding) => binding.model.card.id === card.id)) throw new Error(`model ${card.id} is already attached to asset ${asset}`);
    const unknown = Object.keys(options.signals ?? {}).filter((input) => !card.inputs.some((candidate) => candidate.signal === input));
    if (unknown.length > 0) throw new Error(`model ${card.id} has no input ${unknown.join(', ')}; its inputs are ${card.inputs.map((input) => input.signal).join(', ')}`);
    const signals = card.inputs.map((input) => options.signals?.[input.signal] ?? input.signal);
    const detector = card.detector.kind === 'machine' ? new MachineDetector(card, options) : new StreamDetector(card, options);
    const binding: Binding = {
      asset,
      model,
      signals,
      featureSignals: Array.from({ length: model.features }, (_, feature) => (card.mode === 'machine' ? (signals[feature] as string) : (signals[0] as string))),
      assembler: rowAssemblerFor(card.grid, signals),
      detector,
      isRunning: this.runningPredicate(asset, options.running),
      queue: [],
      head: 0,
      rowsScored: 0,
      rowsFailed: 0,
      skipped: { 'missing-input': 0, 'not-running': 0, settling: 0, 'warming-up': 0 },
      missingBySignal: {},
    };
    this.byAsset.set(asset, [...existing, binding]);
    let group = this.groups.get(model);
    if (!group) {
      group = { model, bindings: [], x: allocate(card.onnx.elementType, 0), references: allocate(card.onnx.elementType, 0) };
      this.groups.set(model, group);
    }
    group.bindings.push(binding);
  }

  /** Stops scoring `asset` with the model; rows still queued are dropped. False when it was not attached. */
  detach(asset: string, modelId: string): boolean {
    const bindings = this.byAsset.get(asset) ?? [];
    const binding = bindings.find((candidate) => candidate.model.card.id === modelId);
    if (!binding) return false;
    this.byAsset.set(
      asset,
      bindings.filter((candidate) => candidate !== binding),
    );
    const group = this.groups.get(binding.model) as ModelGroup;
    group.bindings.splice(group.bindings.indexOf(binding), 1);
    if (group.bindings.length === 0) this.groups.delete(binding.model);
    return true;
  }

  /** Takes samples as they come from the bus; scoring follows asynchronously (see idle()). */
  push(samples: readonly Sample[]): void {
    let queued = false;
    for (const sample of samples) {
      if (this.runningSignals.get(sample.asset)?.condition.signal === sample.signal) this.observeRunning(sample);
      const bindings = this.byAsset.get(sample.asset);
      if (!bindings) continue;
      for (const binding of bindings) {
        if (!binding.assembler.push(sample)) continue;
        binding.assembler.drain((row) => {
          binding.queue.push({ row, running: binding.isRunning(row.ts) });
          queued = true;
        });
      }
    }
    if (queued) this.schedule();
  }

  /**
   * Takes the asset's present level as its normal one from now on (machine mode: the reference jumps
   * to the EWMA; stream mode: the present episode ends). Returns how many models were reset.
   */
  resetReference(asset: string, modelId?: string): number {
    const bindings = (this.byAsset.get(asset) ?? []).filter((binding) => modelId === undefined || binding.model.card.id === modelId);
    for (const binding of bindings) binding.detector.resetReference();
    return bindings.length;
  }

  /** Resolves once every row formed so far has been scored and reported. */
  async idle(): Promise<void> {
    while (this.loop) await this.loop;
  }

  stats(): EngineStats {
    const bindings = [...this.byAsset.values()].flat().map(
      (binding): BindingStats => ({
        asset: binding.asset,
        model: binding.model.card.id,
        rowsScored: binding.rowsScored,
        skipped: { ...binding.skipped },
        missingBySignal: { ...binding.missingBySignal },
        lateReadings: binding.assembler.lateReadings,
        rowsFailed: binding.rowsFailed,
        queued: binding.queue.length - binding.head,
      }),
    );
    return { runs: this.runs, rowsScored: bindings.reduce((sum, binding) => sum + binding.rowsScored, 0), bindings };
  }

  private runningPredicate(asset: string, running: AttachOptions['running']): (ts: number) => boolean {
    if (running === undefined) return () => true;
    if (typeof running === 'function') return (ts) => running(asset, ts);
    const state = this.runningSignals.get(asset) ?? { condition: running, running: true };
    this.runningSignals.set(asset, state);
    return () => state.running;
  }

  private observeRunning(sample: Sample): void {
    const state = this.runningSignals.get(sample.asset);
    if (!state) return;
    state.running = runningFrom(state.condition, sample) ?? state.running;
  }

  private schedule(): void {
    if (this.loop) return;
    // Started after the current turn, so that samples pushed together are scored together.
    this.loop = Promise.resolve()
      .then(() => this.process())
      .catch((error: unknown) => this.logger.error({ err: error }, 'detection hit an unexpected error: the rows of that batch are lost; the others are scored as new samples arrive'))
      .finally(() => {
        this.loop = undefined;
      });
  }

  private async process(): Promise<void> {
    for (;;) {
      const busy = [...this.groups.values()].filter((group) => group.bindings.some((binding) => binding.head < binding.queue.length));
      if (busy.length === 0) return;
      await Promise.all(busy.map((group) => this.runGroup(group)));
    }
  }

  private async runGroup(group: ModelGroup): Promise<void> {
    const { model } = group;
    const F = model.features;
    const waiting = group.bindings.filter((binding) => binding.head < binding.queue.length);
    const wanted = waiting.map((binding) => Math.min(binding.queue.length - binding.head, binding.detector.rowsPerRun, this.maxRowsPerRun));
    const K = waiting.reduce((most, binding, i) => Math.max(most, binding.detector.referencesFor(wanted[i] as number)), 1);
    let room = Math.max(1, Math.min(this.maxRowsPerRun, Math.floor(this.maxReferencesPerRun / K)));
    const capacity = Math.min(
      room,
      wanted.reduce((sum, rows) => sum + rows, 0),
    );
    if (group.x.length < capacity * F) group.x = allocate(model.card.onnx.elementType, capacity * F);
    if (group.references.length < capacity * K * F) group.references = allocate(model.card.onnx.elementType, capacity * K * F);

    const slots: Slot[] = [];
    waiting.forEach((binding, i) => {
      // Rows taken, scored or skipped, stay within what K was sized for.
      const limit = Math.min(wanted[i] as number, room);
      let taken = 0;
      for (let processed = 0; processed < limit && binding.head < binding.queue.length; processed++) {
        const { row, running } = binding.queue[binding.head++] as QueuedRow;
        const slot: BatchSlot = { x: group.x, xOffset: slots.length * F, references: group.references, referencesOffset: slots.length * K * F, referenceCount: K };
        const outcome = this.prepare(binding, row, running, slot);
        if (typeof outcome === 'string') {
          binding.skipped[outcome]++;
          continue;
        }
        slots.push({ binding, rowId: outcome, ts: row.ts });
        taken++;
      }
      room -= taken;
      if (binding.head === binding.queue.length || binding.head > 4096) {
        binding.queue = binding.queue.slice(binding.head);
        binding.head = 0;
      }
    });
    if (slots.length === 0) return;

    const B = slots.length;
    const type = model.card.onnx.elementType;
    let outputs;
    try {
      this.runs++;
      outputs = await model.session.run({
        [model.card.onnx.features]: new Tensor(type, group.x.subarray(0, B * F), [B, F]),
        [model.card.onnx.references]: new Tensor(type, group.references.subarray(0, B * K * F), [B, F, K]),
      });
    } catch (error) {
      for (const slot of slots) slot.binding.rowsFailed++;
      this.logger.error({ err: error, model: model.card.id, modelFile: model.modelFile, rows: B }, `model ${model.card.id}: an ONNX run failed; ${B} row(s) not scored`);
      return;
    }
    const scores = outputs[model.card.output.score]?.data as FloatArray;
    const nearest = outputs[model.card.output.nearest]?.data as BigInt64Array;
    const contributions = outputs[model.card.output.contributions]?.data as FloatArray;
    slots.forEach((slot, s) => this.report(slot, scores[s] as number, Number(nearest[s]), contributions.subarray(s * F, (s + 1) * F)));
  }

  private prepare(binding: Binding, row: GridRow, running: boolean, slot: BatchSlot): number | SkipReason {
    if (running) {
      // every row passes here: count the gaps without allocating for the usual row that has none
      let missing = false;
      for (let i = 0; i < binding.signals.length; i++) {
        if (row.valid[i] === 1) continue;
        const signal = binding.signals[i]!;
        binding.missingBySignal[signal] = (binding.missingBySignal[signal] ?? 0) + 1;
        missing = true;
      }
      if (missing) return 'missing-input';
    }
    return binding.detector.prepare(row, running, slot);
  }

  private report(slot: Slot, distance: number, nearest: number, terms: FloatArray): void {
    const { binding } = slot;
    const verdict = binding.detector.complete(slot.rowId, distance);
    binding.rowsScored++;
    const contributions: Record<string, number> = {};
    terms.forEach((term, feature) => {
      const signal = binding.featureSignals[feature] as string;
      contributions[signal] = (contributions[signal] ?? 0) + term;
    });
    const { card } = binding.model;
    const finding: Finding = {
      asset: binding.asset,
      model: card.id,
      mode: card.mode,
      ts: slot.ts,
      score: verdict.score,
      threshold: card.threshold,
      anomalous: verdict.anomalous,
      exceedances: verdict.exceedances,
      ...(verdict.settling ? { settling: true } : {}),
      contributions,
      distance,
      nearest,
    };
    try {
      this.options.onFinding(finding);
    } catch (error) {
      this.logger.error({ err: error, asset: binding.asset, model: card.id }, 'a finding listener threw; the finding is dropped for that listener');
    }
  }
}
