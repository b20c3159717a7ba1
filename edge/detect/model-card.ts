import { Type, type Static, type TSchema } from 'typebox';

const MODEL_ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.-]*$';
const Count = (description: string) => Type.Integer({ minimum: 1, description });
const Positive = (description: string) => Type.Number({ exclusiveMinimum: 0, description });
const Numbers = (description: string) => Type.Array(Type.Number(), { minItems: 1, description });

const InputSchema = Type.Object(
  {
    signal: Type.String({ pattern: MODEL_ID_PATTERN, description: 'signal id of the input, e.g. "flow"' }),
    unit: Type.String({ description: 'engineering unit, e.g. "m³/h"; "" for none' }),
  },
  { additionalProperties: false },
);

const GridSchema = Type.Object(
  {
    periodMs: Type.Number({
      minimum: 0,
      description: 'grid period in ms; 0: no grid, one row per source timestamp (for sources that stamp all inputs together)',
    }),
    maxHoldMs: Type.Number({ minimum: 0, description: 'how long a reading is held onto later rows before that input counts as missing' }),
    latenessMs: Type.Number({ minimum: 0, description: 'how long an incomplete grid row waits for late inputs' }),
  },
  { additionalProperties: false },
);

const NormalisationSchema = Type.Object(
  {
    mean: Numbers('per input: subtracted first (stream mode: the low end of the fit range)'),
    std: Type.Array(Positive('per input: divides next (stream mode: the width of the fit range)'), { minItems: 1 }),
  },
  { additionalProperties: false },
);

/** Machine mode: one detector per asset over all its inputs (the research's design S5). */
export const MachineDetectorSchema = Type.Object(
  {
    kind: Type.Literal('machine'),
    ewmaSpan: Positive('span of the fast EWMA of the standardised inputs, in rows (smoothing 2/(span+1))'),
    residualScale: Type.Array(Positive('per input: the residual is divided by this before the model'), { minItems: 1 }),
    referenceTau: Positive('time constant of the drifting reference, in rows; it is frozen while anomalous'),
    warmupRows: Type.Integer({ minimum: 0, description: 'rows at the start of the fit left out of the residual scale; also the settle time after a start unless settleRows says otherwise' }),
    settleRows: Type.Optional(
      Type.Integer({ minimum: 0, description: 'rows after a start (running again after a stop) that never raise, while temperatures and levels come back; default warmupRows' }),
    ),
    settleCalmRows: Type.Optional(
      Type.Integer({
        minimum: 1,
        description:
          'with it, settling after a start ends early: the first warmupRows rows are skipped, later settling rows are scored (never anomalous) and settling ends once this many in a row score under half the threshold, at most settleRows rows after the start (then the present level becomes the reference); without it, all settleRows rows are skipped',
      }),
    ),
    initialReference: Numbers('per input: the reference (and EWMA) a fresh detector starts from, standardised units'),
  },
  { additionalProperties: false },
);

/** Stream mode: one detector per univariate stream (the research's design N7). */
export const StreamDetectorSchema = Type.Object(
  {
    kind: Type.Literal('stream'),
    windowRows: Count('rows per window: blocks × blockRows'),
    blocks: Count('blocks per window; each gives its max and min, so the model has 2 × blocks features'),
    blockRows: Count('rows per block'),
    tailQuantile: Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1, description: 'quantile of past distances above which the exponential tail applies' }),
    tailMinHistory: Count('distances needed before any is turned into a probability'),
    refitEvery: Count('rows between refits of the tail'),
    maskRows: Type.Number({ minimum: 0, description: 'rows after an episode starts during which only a clearly larger surprise raises again' }),
    reraiseFactor: Type.Number({ exclusiveMinimum: 0, maximum: 1, description: 'inside the mask, raise again only when z > last z / this' }),
    memoryCap: Count('most windows kept as references, the oldest going first; also caps the tail history'),
    quietRows: Type.Integer({ minimum: 0, description: 'rows from the stream start that only build memory, the fit stretch: output 0' }),
    outputScale: Positive('output = z / (z + outputScale), z = -log10 of the tail probability'),
  },
  { additionalProperties: false },
);

function cardSchema<Detector extends TSchema>(detector: Detector) {
  return Type.Object(
    {
      id: Type.String({ pattern: MODEL_ID_PATTERN, description: 'model id, named in findings, e.g. "pump-01-machine"' }),
      version: Type.String({ minLength: 1, description: 'version of this model, e.g. "1" or "2024-05-01"' }),
      assetKind: Type.String({ minLength: 1, description: 'machine kind the model is for, e.g. "centrifugal-pump"' }),
      asset: Type.Optional(
        Type.String({ pattern: MODEL_ID_PATTERN, description: 'the one asset the model was calibrated for; it takes precedence over a model of the asset\'s kind' }),
      ),
      priority: Type.Optional(
        Type.Union([Type.Literal('urgent'), Type.Literal('high'), Type.Literal('medium'), Type.Literal('low')], {
          description: 'priority of the alerts the model raises; default the configuration\'s detection.alertPriority',
        }),
      ),
      description: Type.String(),
      inputs: Type.Array(InputSchema, { minItems: 1, description: 'the model inputs, in order' }),
      mode: Type.Union([Type.Literal('machine'), Type.Literal('stream')]),
      grid: GridSchema,
      normalisation: NormalisationSchema,
      detector,
      onnx: Type.Object(
        {
          elementType: Type.Union([Type.Literal('float32'), Type.Literal('float64')]),
          features: Type.String({ minLength: 1, description: 'name of the [batch, F] input' }),
          references: Type.String({ minLength: 1, description: 'name of the [batch, F, K] input: K references per row, feature-major' }),
        },
        { additionalProperties: false },
      ),
      output: Type.Object(
        {
          kind: Type.Literal('nearest-reference-distance'),
          score: Type.String({ minLength: 1, description: 'name of the [batch] output: min over references of dᵀPd' }),
          nearest: Type.String({ minLength: 1, description: 'name of the [batch] int64 output: index of the nearest reference' }),
          contributions: Type.String({ minLength: 1, description: 'name of the [batch, F] output: per-feature terms summing to the score' }),
        },
        { additionalProperties: false },
      ),
      threshold: Positive('a row is over the threshold when its score is above it; machine mode: the distance, stream mode: the output in [0, 1]'),
      persistence: Type.Object(
        { raiseAfter: Count('consecutive rows over the threshold before a finding is anomalous') },
        { additionalProperties: false },
      ),
      training: Type.Object(
        {
          data: Type.String({ description: 'what the model was fitted on' }),
          rows: Type.Integer({ minimum: 0 }),
          fittedAt: Type.String({ description: 'ISO 8601 time of the fit' }),
          method: Type.String(),
          seed: Type.Optional(Type.Integer()),
          from: Type.Optional(Type.String({ description: 'ISO 8601 time of the first fit row, when fitted on an asset\'s own data' })),
          to: Type.Optional(Type.String({ description: 'ISO 8601 time of the last fit row' })),
          settings: Type.Optional(
            Type.Record(Type.String(), Type.Union([Type.Number(), Type.Boolean()]), {
              description: 'the fit settings (machine mode: MachineFitSettings), so a calibration on the box can fit the same way',
            }),
          ),
        },
        { additionalProperties: false },
      ),
      evaluation: Type.Optional(
        Type.Object(
          {
            data: Type.String(),
            figures: Type.Record(Type.String(), Type.Number()),
            notes: Type.Optional(Type.String()),
          },
          { additionalProperties: false },
        ),
      ),
    },
    { additionalProperties: false },
  );
}

export const ModelCardSchema = cardSchema(Type.Union([MachineDetectorSchema, StreamDetectorSchema]));
/** The card schema for one detector kind, so that a problem in the detector is reported against that kind only. */
export const CARD_SCHEMA_BY_KIND = { machine: cardSchema(MachineDetectorSchema), stream: cardSchema(StreamDetectorSchema) } as const;

export type ModelCard = Static<typeof ModelCardSchema>;
export type MachineDetectorParams = Static<typeof MachineDetectorSchema>;
export type StreamDetectorParams = Static<typeof StreamDetectorSchema>;

/** Features per row of the model: one per input in machine mode, a max and a min per block in stream mode. */
export function featureCount(card: ModelCard): number {
  return card.detector.kind === 'stream' ? 2 * card.detector.blocks : card.inputs.length;
}

/** Consistency the schema cannot express: lengths that follow the inputs, the mode and its detector. */
export function cardProblems(card: ModelCard): { path: (string | number)[]; message: string }[] {
  const problems: { path: (string | number)[]; message: string }[] = [];
  const inputs = card.inputs.length;
  const perInput = (path: (string | number)[], values: readonly number[]) => {
    if (values.length !== inputs) problems.push({ path, message: `has ${values.length} value(s); the card lists ${inputs} input(s) (${card.inputs.map((input) => input.signal).join(', ')})` });
  };
  perInput(['normalisation', 'mean'], card.normalisation.mean);
  perInput(['normalisation', 'std'], card.normalisation.std);
  const signals = card.inputs.map((input) => input.signal);
  signals.forEach((signal, index) => {
    if (signals.indexOf(signal) !== index) problems.push({ path: ['inputs', index, 'signal'], message: `"${signal}" is listed twice` });
  });
  if (card.detector.kind !== card.mode) {
    problems.push({ path: ['detector', 'kind'], message: `is "${card.detector.kind}" but the mode is "${card.mode}"; they must agree` });
  } else if (card.detector.kind === 'machine') {
    perInput(['detector', 'residualScale'], card.detector.residualScale);
    perInput(['detector', 'initialReference'], card.detector.initialReference);
  } else {
    const { windowRows, blocks, blockRows } = card.detector;
    if (inputs !== 1) problems.push({ path: ['inputs'], message: `stream mode takes exactly one input (got ${inputs}); attach one stream model per signal` });
    if (windowRows !== blocks * blockRows) problems.push({ path: ['detector', 'windowRows'], message: `is ${windowRows}; it must be blocks × blockRows = ${blocks * blockRows}` });
    if (card.threshold > 1) problems.push({ path: ['threshold'], message: `is ${card.threshold}; stream-mode outputs lie in [0, 1]` });
    if (card.persistence.raiseAfter !== 1) problems.push({ path: ['persistence', 'raiseAfter'], message: 'must be 1 in stream mode: an episode raises on its first row' });
  }
  return problems;
}
