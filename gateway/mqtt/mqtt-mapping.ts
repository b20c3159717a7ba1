import { compileCaptureTemplate, type CaptureTemplate } from './capture-template.js';
import { compileFieldPath, type FieldPath } from './field-path.js';
import type { MqttMapping } from './mqtt-source-config.js';
import { compileTimestampReader, type TimestampFormat, type TimestampReader } from './reading-timestamp.js';
import { compileTopicPattern, type TopicPattern } from './topic-pattern.js';

export interface SignalField {
  /** The signal id; a constant for `signals` entries, filled from the topic for a `signal` template. */
  readonly signal: CaptureTemplate;
  readonly path: FieldPath;
}

export interface CompiledTimestamp {
  readonly path: FieldPath;
  readonly format: TimestampFormat;
  readonly read: TimestampReader;
}

/** A configured mapping with every pattern, template and path compiled, ready for the hot path. */
export interface CompiledMapping {
  /** Position in the source's `mappings`, for messages. */
  readonly index: number;
  readonly topic: TopicPattern;
  readonly asset: CaptureTemplate;
  /** The array of readings; null when the payload itself is the one reading. */
  readonly samples: FieldPath | null;
  readonly timestamp: CompiledTimestamp | null;
  readonly fields: readonly SignalField[];
}

/** Throws an Error naming `mappings[index]`, the offending key and what to change. */
export function compileMapping(mapping: MqttMapping, index: number): CompiledMapping {
  const where = `mappings[${index}]`;
  const topic = within(`${where}.topic`, () => compileTopicPattern(mapping.topic));
  const template = (key: string, text: string): CaptureTemplate =>
    within(`${where}.${key}`, () => compileCaptureTemplate(text, topic.names), ` (topic "${mapping.topic}")`);
  const path = (key: string, text: string): FieldPath => within(`${where}.${key}`, () => compileFieldPath(text));

  const oneValue = mapping.signal !== undefined || mapping.value !== undefined;
  if (mapping.signals !== undefined && oneValue) {
    throw new Error(`${where}: has both "signals" and "signal"/"value"; use "signals" for several values per reading, or "signal" with "value" for one`);
  }
  let fields: SignalField[];
  if (mapping.signals !== undefined) {
    fields = Object.entries(mapping.signals).map(([signal, text]) => ({ signal: () => signal, path: path(`signals.${signal}`, text) }));
    if (fields.length === 0) throw new Error(`${where}.signals: is empty; map at least one signal id to a field path`);
  } else if (mapping.signal !== undefined && mapping.value !== undefined) {
    fields = [{ signal: template('signal', mapping.signal), path: path('value', mapping.value) }];
  } else if (oneValue) {
    const missing = mapping.signal === undefined ? 'signal' : 'value';
    throw new Error(`${where}: "${missing}" is missing; "signal" (the signal id) and "value" (its field path, "$" for a bare number) go together`);
  } else {
    throw new Error(`${where}: says nothing about values; add "signals" (signal id -> field path) or "signal" with "value"`);
  }

  const timestamp =
    mapping.timestamp === undefined
      ? null
      : {
          path: path('timestamp.path', mapping.timestamp.path),
          format: mapping.timestamp.format ?? 'auto',
          read: compileTimestampReader(mapping.timestamp.format ?? 'auto'),
        };

  return {
    index,
    topic,
    asset: template('asset', mapping.asset),
    samples: mapping.samples === undefined ? null : path('samples', mapping.samples),
    timestamp,
    fields,
  };
}

function within<T>(where: string, compile: () => T, suffix = ''): T {
  try {
    return compile();
  } catch (error) {
    throw new Error(`${where}: ${(error as Error).message}${suffix}`, { cause: error });
  }
}
