import type { RunningCondition } from '../detection-engine.js';
import { MACHINE_FIT_DEFAULTS, type MachineFitSettings } from '../machine-calibration.js';
import type { ModelCard } from '../model-card.js';

/** The asset to calibrate, as the configuration (or the history's record of it) describes it. */
export interface CalibrationTarget {
  readonly asset: string;
  readonly kind: string;
  readonly running?: RunningCondition;
  /** The asset's signals from the configuration, when it is known. */
  readonly signals?: Readonly<Record<string, { readonly unit: string; readonly normal?: readonly [number, number] }>>;
  /** The PLC trip signal, never a model input. */
  readonly tripSignal?: string;
}

/** How an asset's own model is fitted: which inputs, on which grid, with which settings. */
export interface CalibrationPlan {
  readonly asset: string;
  readonly kind: string;
  /** Id of the model written: `<asset>-calibrated`. */
  readonly modelId: string;
  readonly inputs: readonly { readonly signal: string; readonly unit: string }[];
  readonly grid: ModelCard['grid'];
  readonly settings: MachineFitSettings;
  readonly settleRows: number | undefined;
  readonly settleCalmRows: number | undefined;
  readonly persistence: ModelCard['persistence'];
  readonly priority: ModelCard['priority'];
  readonly running: RunningCondition | undefined;
  /** The model whose inputs and settings were followed, when there was one. */
  readonly template: string | null;
  /** Fewest fit rows accepted. */
  readonly minimumRows: number;
}

export const DEFAULT_CALIBRATION_GRID: ModelCard['grid'] = { periodMs: 1000, maxHoldMs: 2500, latenessMs: 1000 };
const SETTING_KEYS = Object.keys(MACHINE_FIT_DEFAULTS) as (keyof MachineFitSettings)[];

/** Fewest fit rows accepted: ten minutes of running operation on the grid (and twice the warm-up). */
const MINIMUM_MINUTES = 10;

function minimumRows(grid: ModelCard['grid'], settings: MachineFitSettings): number {
  const period = grid.periodMs > 0 ? grid.periodMs : 1000;
  return Math.max(2 * settings.warmupRows, Math.ceil((MINIMUM_MINUTES * 60_000) / period));
}

export function calibratedModelId(asset: string): string {
  return `${asset}-calibrated`;
}

/**
 * Plans an asset's calibration. Template: the asset's own earlier model, else a model of its kind
 * (machine mode); its inputs, grid, fit settings, settle time and persistence are followed, so a
 * recalibration or a calibrated model of a shipped kind fits the same way on the asset's own data.
 * Inputs: `configuredInputs` (detection.calibrationInputs) over the template's, else the asset's
 * signals that have a normal range, without its running and trip signals.
 */
export function planCalibration(target: CalibrationTarget, candidates: readonly ModelCard[], configuredInputs?: readonly string[]): CalibrationPlan {
  const machine = candidates.filter((card) => card.mode === 'machine');
  const template = machine.find((card) => card.asset === target.asset) ?? machine.find((card) => card.asset === undefined && card.assetKind === target.kind) ?? null;
  const unitOf = (signal: string) => target.signals?.[signal]?.unit ?? template?.inputs.find((input) => input.signal === signal)?.unit ?? '';
  let signals: readonly string[];
  if (configuredInputs && configuredInputs.length > 0) signals = configuredInputs;
  else if (template) signals = template.inputs.map((input) => input.signal);
  else if (target.signals) {
    const excluded = new Set([target.running?.signal, target.tripSignal]);
    signals = Object.entries(target.signals)
      .filter(([signal, config]) => config.normal !== undefined && !excluded.has(signal))
      .map(([signal]) => signal);
  } else {
    throw new Error(
      `cannot tell which signals a model of ${target.asset} should take: there is no model of its kind (${target.kind}) to follow and no configuration was given; ` +
        'run with --config FILE, or set detection.calibrationInputs for the kind',
    );
  }
  if (signals.length === 0) {
    throw new Error(`no input signals for a model of ${target.asset}: give the kind's signals under detection.calibrationInputs.${target.kind}, or normal ranges to its analog signals`);
  }
  const missing = target.signals ? signals.filter((signal) => !Object.hasOwn(target.signals!, signal)) : [];
  if (missing.length > 0) throw new Error(`asset ${target.asset} has no signal ${missing.map((s) => `"${s}"`).join(', ')} that a model of it would take (its signals: ${Object.keys(target.signals!).join(', ')})`);

  const trained = template?.training.settings ?? {};
  const settings = Object.fromEntries(SETTING_KEYS.map((key) => [key, typeof trained[key] === typeof MACHINE_FIT_DEFAULTS[key] ? trained[key] : MACHINE_FIT_DEFAULTS[key]])) as unknown as MachineFitSettings;
  const detector = template?.detector.kind === 'machine' ? template.detector : undefined;
  return {
    asset: target.asset,
    kind: target.kind,
    modelId: calibratedModelId(target.asset),
    inputs: signals.map((signal) => ({ signal, unit: unitOf(signal) })),
    grid: template ? { ...template.grid } : DEFAULT_CALIBRATION_GRID,
    settings,
    settleRows: detector?.settleRows,
    settleCalmRows: detector?.settleCalmRows,
    persistence: template ? { ...template.persistence } : { raiseAfter: 1 },
    priority: template?.priority,
    running: target.running,
    template: template?.id ?? null,
    minimumRows: minimumRows(template ? template.grid : DEFAULT_CALIBRATION_GRID, settings),
  };
}
