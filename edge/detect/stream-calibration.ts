import { roundHalfEven } from './statistics.js';

/**
 * Settings of the stream-mode fit. The defaults are the research's design N7 (/tmp/detect-research/
 * RESULTS.md; on the 18 NAB files at hand 66.6 standard / 57.2 low-FP / 72.4 low-FN, sensitivity ±3):
 * blocks 3 and windowsPerFit 13 (window = fit rows / 13), tail quantile 0.98 with at least 30 distances
 * and a refit every 10 rows, an episode masking 0.4 × fit rows unless z grows by 1/0.9, output
 * z/(z+5). memoryCap bounds the memory of a stream on the box: 32,768 windows hold every row of the
 * longest NAB file (22,695), so the benchmark is not affected by it.
 */
export interface StreamFitSettings {
  readonly blocks: number;
  readonly windowsPerFit: number;
  readonly tailQuantile: number;
  readonly tailMinHistory: number;
  readonly refitEvery: number;
  /** Mask after an episode, as a share of the fit rows. */
  readonly maskShare: number;
  readonly reraiseFactor: number;
  readonly outputScale: number;
  readonly memoryCap: number;
}

export const STREAM_FIT_DEFAULTS: StreamFitSettings = {
  blocks: 3,
  windowsPerFit: 13,
  tailQuantile: 0.98,
  tailMinHistory: 30,
  refitEvery: 10,
  maskShare: 0.4,
  reraiseFactor: 0.9,
  outputScale: 5,
  memoryCap: 32_768,
};

export interface StreamFit {
  readonly settings: StreamFitSettings;
  readonly rows: number;
  /** The fit stretch's minimum: the normalisation's offset. */
  readonly low: number;
  /** Its max − min (1 when flat): the normalisation's divisor. */
  readonly range: number;
  readonly windowRows: number;
  readonly blockRows: number;
  readonly maskRows: number;
}

/**
 * Fits stream mode on the first rows of a stream (NAB: its probationary period): the value range,
 * and the window length L = blocks × ⌊max(blocks, round(rows / windowsPerFit)) / blocks⌋.
 */
export function fitStream(values: ArrayLike<number>, overrides: Partial<StreamFitSettings> = {}): StreamFit {
  const settings = { ...STREAM_FIT_DEFAULTS, ...overrides };
  const rows = values.length;
  if (rows < 2) throw new Error(`stream mode needs at least 2 fit rows; got ${rows}`);
  let low = Number.POSITIVE_INFINITY;
  let high = Number.NEGATIVE_INFINITY;
  for (let t = 0; t < rows; t++) {
    const value = values[t] as number;
    if (!Number.isFinite(value)) throw new Error(`fit row ${t} is ${value}; fit only on good values`);
    low = Math.min(low, value);
    high = Math.max(high, value);
  }
  const { blocks, windowsPerFit } = settings;
  const blockRows = Math.max(1, Math.floor(Math.max(blocks, roundHalfEven(rows / windowsPerFit)) / blocks));
  return {
    settings,
    rows,
    low,
    range: high > low ? high - low : 1,
    windowRows: blockRows * blocks,
    blockRows,
    maskRows: settings.maskShare * rows,
  };
}
