/** How far a reading can be trusted, folded from OPC UA status codes or MQTT payload checks. */
export type Quality = 'good' | 'uncertain' | 'bad';

/**
 * One reading of one signal of one asset. Every connector decodes its protocol into these, once,
 * at the edge of the gateway; only Samples flow further.
 *
 * `value` is finite when quality is 'good' or 'uncertain'; a 'bad' sample may carry NaN when the
 * source had no usable value (sensor failure, lost communication).
 */
export interface Sample {
  readonly asset: string;
  readonly signal: string;
  readonly value: number;
  /** Milliseconds since the Unix epoch: the source timestamp when the device gave one, else arrival time. */
  readonly ts: number;
  readonly quality: Quality;
  /** Id of the configured source that produced the sample. */
  readonly source: string;
}

export type EmitBatch = (batch: Sample[]) => void;
