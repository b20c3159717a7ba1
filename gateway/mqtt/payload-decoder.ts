import type { Sample } from '../sample.js';
import type { FieldPath } from './field-path.js';
import type { CompiledMapping } from './mqtt-mapping.js';
import { explainTimestamp } from './reading-timestamp.js';
import { describeFound, readingValue } from './reading-value.js';
import type { Reject, RejectReason } from './reject.js';
import type { Captures } from './topic-pattern.js';

export type KnownSignal = (asset: string, signal: string) => boolean;

export interface PayloadDecoderOptions {
  /** Id of the source, stamped on every sample. */
  readonly sourceId: string;
  readonly mappings: readonly CompiledMapping[];
  /** Larger payloads are rejected before parsing. */
  readonly maxPayloadBytes: number;
  /** When given, readings of an asset/signal pair it refuses are rejected as 'unknown_signal'. */
  readonly knownSignal?: KnownSignal;
}

/**
 * Turns one MQTT message into samples: one size check, one JSON.parse, then every mapping whose
 * topic pattern matches extracts its readings. Good readings become samples even when others in
 * the same message are rejected; a field that is null (a sensor channel that failed) becomes a
 * sample of quality 'bad' with value NaN.
 */
export class PayloadDecoder {
  readonly #sourceId: string;
  readonly #mappings: readonly CompiledMapping[];
  readonly #maxPayloadBytes: number;
  readonly #knownSignal: KnownSignal | undefined;

  constructor(options: PayloadDecoderOptions) {
    this.#sourceId = options.sourceId;
    this.#mappings = options.mappings;
    this.#maxPayloadBytes = options.maxPayloadBytes;
    this.#knownSignal = options.knownSignal;
  }

  /** Appends the message's samples to `samples` and its problems to `rejects`. */
  decode(topic: string, payload: Buffer, arrivalMs: number, samples: Sample[], rejects: Reject[]): void {
    if (payload.length > this.#maxPayloadBytes) {
      rejects.push({
        reason: 'payload_too_large',
        detail: `topic "${topic}": payload of ${payload.length} bytes exceeds maxPayloadBytes (${this.#maxPayloadBytes}); not parsed`,
      });
      return;
    }
    let json: unknown;
    let parsed = false;
    for (const mapping of this.#mappings) {
      const captures = mapping.topic.match(topic);
      if (captures === null) continue;
      if (!parsed) {
        try {
          json = JSON.parse(payload.toString('utf8'));
        } catch (error) {
          const why = payload.length === 0 ? 'the payload is empty' : `the payload is not JSON (${(error as Error).message})`;
          rejects.push({ reason: 'malformed_json', detail: `topic "${topic}": ${why}` });
          return;
        }
        parsed = true;
      }
      this.#extract(mapping, captures, json, topic, arrivalMs, samples, rejects);
    }
    if (!parsed) {
      rejects.push({
        reason: 'no_matching_mapping',
        detail: `topic "${topic}": no mapping's topic matches (a subscription left from an earlier configuration in the broker's session?)`,
      });
    }
  }

  #extract(
    mapping: CompiledMapping,
    captures: Captures,
    json: unknown,
    topic: string,
    arrivalMs: number,
    samples: Sample[],
    rejects: Reject[],
  ): void {
    const asset = mapping.asset(captures);
    if (asset === '') {
      rejects.push({
        reason: 'empty_name',
        detail: `topic "${topic}": mappings[${mapping.index}].asset gave an empty asset id (a wildcard matched an empty topic level)`,
      });
      return;
    }
    const signals = this.#signalsOf(mapping, captures, asset, topic, rejects);
    if (signals === null) return;
    if (mapping.samples === null) {
      this.#extractReading(mapping, asset, signals, json, -1, topic, arrivalMs, samples, rejects);
      return;
    }
    const readings = mapping.samples.get(json);
    if (!Array.isArray(readings)) {
      const reason: RejectReason = readings === undefined ? 'missing_field' : 'not_an_array';
      const what = readings === undefined ? 'is missing' : `is ${describeFound(readings)}, expected an array of readings`;
      rejects.push({ reason, detail: `topic "${topic}": ${pathText(mapping.samples)} ${what} (mappings[${mapping.index}])` });
      return;
    }
    for (let i = 0; i < readings.length; i++) {
      this.#extractReading(mapping, asset, signals, readings[i], i, topic, arrivalMs, samples, rejects);
    }
  }

  /** The signal id of each field for this message; '' marks a field whose readings are rejected. Null when none is left. */
  #signalsOf(mapping: CompiledMapping, captures: Captures, asset: string, topic: string, rejects: Reject[]): string[] | null {
    const signals: string[] = [];
    for (const field of mapping.fields) {
      const signal = field.signal(captures);
      if (signal === '') {
        rejects.push({
          reason: 'empty_name',
          detail: `topic "${topic}": mappings[${mapping.index}].signal gave an empty signal id (a wildcard matched an empty topic level)`,
        });
      } else if (this.#knownSignal !== undefined && !this.#knownSignal(asset, signal)) {
        rejects.push({
          reason: 'unknown_signal',
          detail: `topic "${topic}": asset "${asset}" signal "${signal}" (mappings[${mapping.index}]) is not in the gateway's asset configuration; add it there or fix the mapping`,
        });
      } else {
        signals.push(signal);
        continue;
      }
      signals.push('');
    }
    return signals.some((signal) => signal !== '') ? signals : null;
  }

  #extractReading(
    mapping: CompiledMapping,
    asset: string,
    signals: readonly string[],
    reading: unknown,
    element: number,
    topic: string,
    arrivalMs: number,
    samples: Sample[],
    rejects: Reject[],
  ): void {
    let ts = arrivalMs;
    const stamp = mapping.timestamp;
    if (stamp !== null) {
      const raw = stamp.path.get(reading);
      ts = raw === undefined ? Number.NaN : stamp.read(raw, arrivalMs);
      if (Number.isNaN(ts)) {
        const where = fieldLocation(mapping, element, stamp.path);
        rejects.push(
          raw === undefined
            ? { reason: 'missing_field', detail: `topic "${topic}": timestamp ${where} is missing (mappings[${mapping.index}])` }
            : { reason: 'bad_timestamp', detail: `topic "${topic}": timestamp ${where}: ${explainTimestamp(raw, stamp.format, arrivalMs)}` },
        );
        return;
      }
    }
    let f = 0;
    for (const { path } of mapping.fields) {
      const signal = signals[f++];
      if (signal === '' || signal === undefined) continue;
      const raw = path.get(reading);
      const value = readingValue(raw);
      if (!Number.isNaN(value)) {
        samples.push({ asset, signal, value, ts, quality: 'good', source: this.#sourceId });
        continue;
      }
      if (raw === null) {
        // A device's explicit "no value" (a failed channel) is a reading of bad quality, not a malformed message.
        samples.push({ asset, signal, value: Number.NaN, ts, quality: 'bad', source: this.#sourceId });
        continue;
      }
      const where = fieldLocation(mapping, element, path);
      rejects.push(
        raw === undefined
          ? { reason: 'missing_field', detail: `topic "${topic}": ${where} is missing (signal "${signal}" of "${asset}")` }
          : {
              reason: 'not_a_number',
              detail: `topic "${topic}": ${where} is ${describeFound(raw)}, expected a finite number (signal "${signal}" of "${asset}")`,
            },
      );
    }
  }
}

/** "readings[3].vib_rms" for a field of the 4th reading, "voltage.l1" for a field of the payload, "the payload" for "$". */
function fieldLocation(mapping: CompiledMapping, element: number, path: FieldPath): string {
  if (element < 0 || mapping.samples === null) return pathText(path);
  const inner = relativePath(path);
  const item = `${relativePath(mapping.samples) || '$'}[${element}]`;
  return inner === '' ? item : inner.startsWith('[') ? item + inner : `${item}.${inner}`;
}

function pathText(path: FieldPath): string {
  return path.text === '$' ? 'the payload' : path.text;
}

function relativePath(path: FieldPath): string {
  if (path.text === '$') return '';
  if (path.text.startsWith('$.')) return path.text.slice(2);
  return path.text.startsWith('$[') ? path.text.slice(1) : path.text;
}
