import { Type, type Static } from 'typebox';
import { ALERT_PRIORITIES, type AlertPriority } from '../alerts/condition-report.js';

const SignalId = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$' });

/** The `detection:` section of the configuration file: anomaly models on the box. Every key is optional. */
export const DetectionConfigSchema = Type.Object(
  {
    /** false: no models are loaded or scored (the rule layer still runs). */
    enabled: Type.Optional(Type.Boolean()),
    /** Load the pre-trained models shipped in Millwright's models/ folder (besides <dataDir>/models). */
    shippedModels: Type.Optional(Type.Boolean()),
    /** Priority of model alerts, unless the model's card names one. */
    alertPriority: Type.Optional(Type.Union(ALERT_PRIORITIES.map((priority) => Type.Literal(priority)))),
    /** Assets of these kinds without a model of their own learn their normal behaviour from their first running minutes. */
    calibrateOnFirstStart: Type.Optional(
      Type.Object(
        {
          kinds: Type.Array(Type.String({ minLength: 1 }), { description: 'asset kinds, e.g. energy-meter' }),
          minutes: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 10_080, description: 'minutes of running data to collect; default 30' })),
        },
        { additionalProperties: false },
      ),
    ),
    /**
     * The signals a calibrated model of a kind takes, by kind. Default: the inputs of a model of the
     * kind if there is one, else the asset's signals that have a normal range (minus running and trip signals).
     */
    calibrationInputs: Type.Optional(Type.Record(Type.String({ minLength: 1 }), Type.Array(SignalId, { minItems: 1 }))),
  },
  { additionalProperties: false },
);

export type DetectionConfig = Static<typeof DetectionConfigSchema>;

export const DEFAULT_CALIBRATION_MINUTES = 30;

/** The detection section with defaults filled in. */
export interface DetectionSettings {
  readonly enabled: boolean;
  readonly shippedModels: boolean;
  readonly alertPriority: AlertPriority;
  readonly calibrateOnFirstStart: { readonly kinds: readonly string[]; readonly minutes: number };
  readonly calibrationInputs: Readonly<Record<string, readonly string[]>>;
  /**
   * Simulated seconds per second of the data's timestamps: 1 on a real plant; the demo at `--speed X`
   * sets X, so model grids (and calibration times) shrink by X and a model sees the same process per
   * row as in real time. Not a configuration-file key.
   */
  readonly timeScale: number;
}

export function resolveDetectionConfig(config: DetectionConfig | undefined): DetectionSettings {
  return {
    enabled: config?.enabled ?? true,
    shippedModels: config?.shippedModels ?? true,
    alertPriority: config?.alertPriority ?? 'medium',
    calibrateOnFirstStart: { kinds: config?.calibrateOnFirstStart?.kinds ?? [], minutes: config?.calibrateOnFirstStart?.minutes ?? DEFAULT_CALIBRATION_MINUTES },
    calibrationInputs: config?.calibrationInputs ?? {},
    timeScale: 1,
  };
}

/** What the file schema cannot check: kinds that no asset has, inputs an asset of the kind lacks. */
export function detectionConfigProblems(
  config: DetectionConfig,
  assets: Readonly<Record<string, { readonly kind: string; readonly signals: Readonly<Record<string, unknown>> }>>,
): { path: (string | number)[]; message: string }[] {
  const problems: { path: (string | number)[]; message: string }[] = [];
  const kinds = [...new Set(Object.values(assets).map((asset) => asset.kind))];
  const unknownKind = (kind: string) => `no asset has kind "${kind}" (kinds in this configuration: ${kinds.join(', ')})`;
  (config.calibrateOnFirstStart?.kinds ?? []).forEach((kind, index) => {
    if (!kinds.includes(kind)) problems.push({ path: ['detection', 'calibrateOnFirstStart', 'kinds', index], message: unknownKind(kind) });
  });
  for (const [kind, signals] of Object.entries(config.calibrationInputs ?? {})) {
    if (!kinds.includes(kind)) {
      problems.push({ path: ['detection', 'calibrationInputs', kind], message: unknownKind(kind) });
      continue;
    }
    for (const [assetId, asset] of Object.entries(assets)) {
      if (asset.kind !== kind) continue;
      signals.forEach((signal, index) => {
        if (!Object.hasOwn(asset.signals, signal)) problems.push({ path: ['detection', 'calibrationInputs', kind, index], message: `asset "${assetId}" (kind ${kind}) has no signal "${signal}"` });
      });
    }
  }
  return problems;
}
