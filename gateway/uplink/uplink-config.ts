import { hostname } from 'node:os';
import path from 'node:path';
import { Type, type Static } from 'typebox';
import { MqttAuthSchema, MqttTlsSchema, unencryptedTlsProblem } from '../mqtt/mqtt-security-options.js';
import { MESSAGE_CLASSES, type MessageClass } from './message-class.js';
import { compileSignalPattern, type SignalPattern } from './signal-pattern.js';
import { topicLevel } from './topic-tree.js';

export const UPLINK_FORMATS = ['json', 'sparkplug'] as const;
export type UplinkFormat = (typeof UPLINK_FORMATS)[number];

export const FINDINGS_MODES = ['all', 'anomalous', 'none'] as const;
export type FindingsMode = (typeof FINDINGS_MODES)[number];

/** The `url` that names the broker this process runs (the configuration's embeddedBroker); the runtime puts in its URL. */
export const EMBEDDED_BROKER = 'embedded';

const Identifier = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$', description: 'letters, digits, "-", "_" or "."' });
/** A Sparkplug group or edge node id: no "/", "+" or "#" (they would change the topic's levels). */
const SparkplugId = Type.String({ minLength: 1, pattern: '^[^/+#]+$', description: 'text without "/", "+" or "#"' });

const Hours = Type.Number({ exclusiveMinimum: 0, maximum: 87_600 });

const DownsampleFields = {
  /** Every Nth sample of the signal goes north (1: every sample). */
  every: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000, description: 'send every Nth sample; 1 sends all' })),
  /** One point per signal and period: the last value, with min, max, mean and count of the period. */
  periodSeconds: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 86_400, description: 'one point per period with last, min, max, mean, count' })),
};
const DownsampleSchema = Type.Object(DownsampleFields, { additionalProperties: false });

export const UplinkConfigSchema = Type.Object(
  {
    /** The plant's broker: mqtt://, mqtts://, ws:// or wss://; "embedded" for the broker this process runs (see EMBEDDED_BROKER). */
    url: Type.String({ minLength: 1 }),
    /** Names this box in ids, topics and Sparkplug; default: the host name. */
    boxId: Type.Optional(Identifier),
    /** Default "millwright-<boxId>"; the Sparkplug connection adds "-spb" unless sparkplug.clientId is set. */
    clientId: Type.Optional(Type.String({ minLength: 1 })),
    auth: Type.Optional(MqttAuthSchema),
    tls: Type.Optional(MqttTlsSchema),
    keepaliveSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 3600 })),
    /** ms; reconnection backs off from 250 ms to this. */
    maxReconnectDelay: Type.Optional(Type.Integer({ minimum: 100, maximum: 600_000 })),
    /** First level(s) of the JSON topic tree. */
    topicPrefix: Type.Optional(Type.String({ minLength: 1, pattern: '^[^+#$][^+#]*$', description: 'topic levels without "+" or "#", not starting with "$"' })),
    formats: Type.Optional(Type.Array(Type.Union([Type.Literal('json'), Type.Literal('sparkplug')]), { minItems: 1, uniqueItems: true })),
    sparkplug: Type.Optional(
      Type.Object(
        {
          /** Default: the site. */
          groupId: Type.Optional(SparkplugId),
          /** Default: the box id. */
          edgeNodeId: Type.Optional(SparkplugId),
          clientId: Type.Optional(Type.String({ minLength: 1 })),
          /** 0 as the specification asks (tck-id-topics-ddata-mqtt); 1 for at-least-once delivery like the JSON topics. */
          qos: Type.Optional(Type.Union([Type.Literal(0), Type.Literal(1)])),
        },
        { additionalProperties: false },
      ),
    ),
    telemetry: Type.Optional(
      Type.Object(
        {
          /** false: no telemetry north (findings and alerts still go). */
          publish: Type.Optional(Type.Boolean()),
          /** For every signal no entry of `signals` matches; default every sample. */
          downsample: Type.Optional(DownsampleSchema),
          /** First match wins; `match` is "asset/signal" with "*" wildcards, e.g. "pump-01/*", "*\/vibration_*". */
          signals: Type.Optional(Type.Array(Type.Object({ match: Type.String({ minLength: 3 }), ...DownsampleFields }, { additionalProperties: false }))),
          maxSamplesPerMessage: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
          /** ms telemetry is gathered into one message per asset before it is committed to the buffer; 0: every bus batch at once. */
          batchIntervalMs: Type.Optional(Type.Integer({ minimum: 0, maximum: 60_000 })),
        },
        { additionalProperties: false },
      ),
    ),
    /** Which findings of the anomaly models go north; default all (one per scored row). */
    findings: Type.Optional(Type.Union([Type.Literal('all'), Type.Literal('anomalous'), Type.Literal('none')])),
    buffer: Type.Optional(
      Type.Object(
        {
          /** SQLite file; relative to the data folder; default uplink.db. */
          file: Type.Optional(Type.String({ minLength: 1 })),
          maxMegabytes: Type.Optional(Type.Number({ minimum: 0.01, maximum: 1_000_000 })),
          maxMessages: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000_000 })),
          /** Per class; alert transitions are kept longest. */
          maxAgeHours: Type.Optional(
            Type.Object({ alert: Type.Optional(Hours), finding: Type.Optional(Hours), telemetry: Type.Optional(Hours) }, { additionalProperties: false }),
          ),
          /** Bounds of the in-memory buffer used while the file cannot be written. */
          memoryMaxMegabytes: Type.Optional(Type.Number({ minimum: 0.01, maximum: 100_000 })),
          memoryMaxMessages: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000_000 })),
          /** normal: survives a crash of the process; full: also a power cut (fsync on every write, slower). */
          synchronous: Type.Optional(Type.Union([Type.Literal('normal'), Type.Literal('full')])),
        },
        { additionalProperties: false },
      ),
    ),
    /** Bounds on what goes to the broker, live and replay together. */
    publish: Type.Optional(
      Type.Object(
        {
          maxMessagesPerSecond: Type.Optional(Type.Number({ minimum: 1, maximum: 1_000_000 })),
          maxInFlight: Type.Optional(Type.Integer({ minimum: 1, maximum: 65_000 })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export type UplinkConfig = Static<typeof UplinkConfigSchema>;

export type DownsampleRule = { readonly kind: 'every'; readonly every: number } | { readonly kind: 'period'; readonly periodMs: number };

export interface SparkplugSettings {
  readonly groupId: string;
  readonly edgeNodeId: string;
  readonly clientId: string;
  readonly qos: 0 | 1;
}

/** The `uplink:` section with defaults filled in and paths made absolute. */
export interface UplinkSettings {
  readonly url: string;
  readonly site: string;
  readonly boxId: string;
  readonly clientId: string;
  readonly auth: { readonly username: string; readonly password: string } | null;
  readonly tls: { readonly caFile?: string; readonly certFile?: string; readonly keyFile?: string; readonly rejectUnauthorized?: boolean } | null;
  readonly keepaliveSeconds: number;
  readonly maxReconnectDelayMs: number;
  readonly topicPrefix: string;
  readonly json: boolean;
  readonly sparkplug: SparkplugSettings | null;
  readonly telemetry: {
    readonly publish: boolean;
    readonly downsample: DownsampleRule;
    readonly signals: readonly { readonly pattern: SignalPattern; readonly rule: DownsampleRule }[];
    readonly maxSamplesPerMessage: number;
    readonly batchIntervalMs: number;
  };
  readonly findings: FindingsMode;
  readonly buffer: {
    readonly file: string;
    readonly maxBytes: number;
    readonly maxMessages: number;
    readonly maxAgeMs: Readonly<Record<MessageClass, number>>;
    readonly memoryMaxBytes: number;
    readonly memoryMaxMessages: number;
    readonly synchronous: 'normal' | 'full';
  };
  readonly publish: { readonly maxMessagesPerSecond: number; readonly maxInFlight: number };
}

export const UPLINK_DEFAULTS = {
  bufferFile: 'uplink.db',
  maxMegabytes: 256,
  maxMessages: 1_000_000,
  maxAgeHours: { alert: 720, finding: 72, telemetry: 24 } satisfies Record<MessageClass, number>,
  memoryMaxMegabytes: 32,
  memoryMaxMessages: 100_000,
  maxMessagesPerSecond: 1000,
  maxInFlight: 100,
  maxSamplesPerMessage: 200,
  batchIntervalMs: 200,
  keepaliveSeconds: 30,
  maxReconnectDelayMs: 5000,
  topicPrefix: 'millwright',
} as const;

const MEGABYTE = 1024 * 1024;

/** Problems a schema cannot express, with paths relative to the `uplink:` section. */
export function uplinkConfigProblems(config: UplinkConfig): { path: (string | number)[]; message: string }[] {
  const problems: { path: (string | number)[]; message: string }[] = [];
  let protocol: string | null = null;
  if (config.url === EMBEDDED_BROKER) {
    if (config.tls !== undefined) problems.push({ path: ['tls'], message: 'tls is set but the url is "embedded", which speaks plain MQTT on loopback; remove tls or give the broker\'s mqtts:// URL' });
  } else {
    try {
      protocol = new URL(config.url).protocol;
    } catch {
      problems.push({ path: ['url'], message: `"${config.url}" is not a URL; write e.g. "mqtts://broker.plant.local:8883", or "embedded" for the broker this process runs` });
    }
  }
  if (protocol !== null && !['mqtt:', 'mqtts:', 'ws:', 'wss:'].includes(protocol)) {
    problems.push({ path: ['url'], message: `${protocol} is not supported; use mqtt://, mqtts://, ws:// or wss://` });
  }
  const unencrypted = unencryptedTlsProblem(config.url, config.tls);
  if (unencrypted !== null) problems.push({ path: ['tls'], message: unencrypted });
  if (config.sparkplug !== undefined && !(config.formats ?? ['json']).includes('sparkplug')) {
    problems.push({ path: ['sparkplug'], message: 'sparkplug settings are given but formats does not list "sparkplug"; add it to formats or remove the section' });
  }
  const downsample = config.telemetry?.downsample;
  if (downsample !== undefined) {
    const problem = downsampleProblem(downsample);
    if (problem) problems.push({ path: ['telemetry', 'downsample'], message: problem });
  }
  config.telemetry?.signals?.forEach((entry, index) => {
    const path = ['telemetry', 'signals', index];
    const problem = downsampleProblem(entry);
    if (problem) problems.push({ path, message: problem });
    try {
      compileSignalPattern(entry.match);
    } catch (error) {
      problems.push({ path: [...path, 'match'], message: (error as Error).message });
    }
  });
  const ages = { ...UPLINK_DEFAULTS.maxAgeHours, ...config.buffer?.maxAgeHours };
  if (!(ages.alert >= ages.finding && ages.finding >= ages.telemetry)) {
    problems.push({
      path: ['buffer', 'maxAgeHours'],
      message: `alert transitions must be kept at least as long as findings, and findings as long as telemetry (got alert ${ages.alert} h, finding ${ages.finding} h, telemetry ${ages.telemetry} h)`,
    });
  }
  return problems;
}

/**
 * Fills in defaults. `site` is the configuration's site; `dataDir` holds the buffer file; `resolvePath`
 * makes TLS file names absolute (relative to the configuration file). Throws on what uplinkConfigProblems reports.
 */
export function resolveUplinkConfig(
  config: UplinkConfig,
  context: { readonly site: string; readonly dataDir: string; readonly resolvePath?: (file: string) => string },
): UplinkSettings {
  const [problem] = uplinkConfigProblems(config);
  if (problem) throw new Error(`uplink.${problem.path.join('.')}: ${problem.message}`);
  const resolvePath = context.resolvePath ?? ((file: string) => path.resolve(file));
  const boxId = config.boxId ?? topicLevel(hostname());
  const clientId = config.clientId ?? `millwright-${boxId}`;
  const formats: readonly UplinkFormat[] = config.formats ?? ['json'];
  const tls = config.tls;
  const buffer = config.buffer ?? {};
  return {
    url: config.url,
    site: context.site,
    boxId,
    clientId,
    auth: config.auth ?? null,
    tls:
      tls === undefined
        ? null
        : {
            ...(tls.caFile === undefined ? {} : { caFile: resolvePath(tls.caFile) }),
            ...(tls.certFile === undefined ? {} : { certFile: resolvePath(tls.certFile) }),
            ...(tls.keyFile === undefined ? {} : { keyFile: resolvePath(tls.keyFile) }),
            ...(tls.rejectUnauthorized === undefined ? {} : { rejectUnauthorized: tls.rejectUnauthorized }),
          },
    keepaliveSeconds: config.keepaliveSeconds ?? UPLINK_DEFAULTS.keepaliveSeconds,
    maxReconnectDelayMs: config.maxReconnectDelay ?? UPLINK_DEFAULTS.maxReconnectDelayMs,
    topicPrefix: config.topicPrefix ?? UPLINK_DEFAULTS.topicPrefix,
    json: formats.includes('json'),
    sparkplug: formats.includes('sparkplug')
      ? {
          groupId: config.sparkplug?.groupId ?? topicLevel(context.site),
          edgeNodeId: config.sparkplug?.edgeNodeId ?? boxId,
          clientId: config.sparkplug?.clientId ?? `${clientId}-spb`,
          qos: config.sparkplug?.qos ?? 0,
        }
      : null,
    telemetry: {
      publish: config.telemetry?.publish ?? true,
      downsample: config.telemetry?.downsample ? toRule(config.telemetry.downsample) : { kind: 'every', every: 1 },
      signals: (config.telemetry?.signals ?? []).map((entry) => ({ pattern: compileSignalPattern(entry.match), rule: toRule(entry) })),
      maxSamplesPerMessage: config.telemetry?.maxSamplesPerMessage ?? UPLINK_DEFAULTS.maxSamplesPerMessage,
      batchIntervalMs: config.telemetry?.batchIntervalMs ?? UPLINK_DEFAULTS.batchIntervalMs,
    },
    findings: config.findings ?? 'all',
    buffer: {
      file: path.resolve(context.dataDir, buffer.file ?? UPLINK_DEFAULTS.bufferFile),
      maxBytes: Math.round((buffer.maxMegabytes ?? UPLINK_DEFAULTS.maxMegabytes) * MEGABYTE),
      maxMessages: buffer.maxMessages ?? UPLINK_DEFAULTS.maxMessages,
      maxAgeMs: Object.fromEntries(
        MESSAGE_CLASSES.map((cls) => [cls, (buffer.maxAgeHours?.[cls] ?? UPLINK_DEFAULTS.maxAgeHours[cls]) * 3_600_000]),
      ) as Record<MessageClass, number>,
      memoryMaxBytes: Math.round((buffer.memoryMaxMegabytes ?? UPLINK_DEFAULTS.memoryMaxMegabytes) * MEGABYTE),
      memoryMaxMessages: buffer.memoryMaxMessages ?? UPLINK_DEFAULTS.memoryMaxMessages,
      synchronous: buffer.synchronous ?? 'normal',
    },
    publish: {
      maxMessagesPerSecond: config.publish?.maxMessagesPerSecond ?? UPLINK_DEFAULTS.maxMessagesPerSecond,
      maxInFlight: config.publish?.maxInFlight ?? UPLINK_DEFAULTS.maxInFlight,
    },
  };
}

function downsampleProblem(entry: { every?: number; periodSeconds?: number }): string | undefined {
  if ((entry.every === undefined) === (entry.periodSeconds === undefined)) return 'give exactly one of "every" or "periodSeconds"';
  return undefined;
}

function toRule(entry: { every?: number; periodSeconds?: number }): DownsampleRule {
  return entry.periodSeconds !== undefined ? { kind: 'period', periodMs: Math.round(entry.periodSeconds * 1000) } : { kind: 'every', every: entry.every ?? 1 };
}
