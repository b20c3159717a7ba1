import { Type, type Static } from 'typebox';
import type { MqttSourceConfig } from '../../gateway/mqtt/mqtt-source-config.js';
import type { OpcuaSourceConfig } from '../../gateway/opcua/opcua-source-config.js';
import { UplinkConfigSchema, type UplinkSettings } from '../../gateway/uplink/uplink-config.js';
import { AlertPolicySchema, type AlertPolicy } from '../alerts/alert-policy.js';
import { AssistantConfigSchema, type AssistantSettings } from '../assistant/assistant-config.js';
import { KnowledgeConfigSchema, type KnowledgeSettings } from '../assistant/knowledge/knowledge-config.js';
import { ConsoleConfigSchema, type ConsoleSettings } from '../console/console-config.js';
import { DetectionConfigSchema, type DetectionSettings } from '../detect/detection-config.js';
import { HistoryConfigSchema, type HistorySettings } from '../store/history-config.js';

export const ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.-]*$';
const Id = Type.String({ pattern: ID_PATTERN });
/** Records keyed by id: keys must be ids, and nothing else is allowed. */
const RecordById = <T extends Parameters<typeof Type.Record>[1]>(value: T) =>
  Type.Record(Id, value, { additionalProperties: false });

export const SignalConfigSchema = Type.Object(
  {
    unit: Type.String({ description: 'engineering unit as shown to people, e.g. "bar", "m³/h", "°C"; "" for none' }),
    description: Type.Optional(Type.String()),
    /** The range the signal stays in during normal operation: [low, high]. */
    normal: Type.Optional(Type.Tuple([Type.Number(), Type.Number()])),
    /** Alarm limits, from the plant's alarm philosophy; each is its own alert condition. */
    limits: Type.Optional(
      Type.Object(
        {
          lowLow: Type.Optional(Type.Number()),
          low: Type.Optional(Type.Number()),
          high: Type.Optional(Type.Number()),
          highHigh: Type.Optional(Type.Number()),
        },
        { additionalProperties: false },
      ),
    ),
    /** Hysteresis of the limits, in the signal's unit: a tripped limit clears once the value is back by this much. */
    deadband: Type.Optional(Type.Number({ minimum: 0 })),
    /** Faster changes than this (unit per second) point at the instrument: a 'rate' condition. */
    maxRatePerSecond: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
    /** A value frozen this long while the machine's other signals move: a 'stuck' condition. */
    stuckAfterSeconds: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
  },
  { additionalProperties: false },
);

export const AssetConfigSchema = Type.Object(
  {
    name: Type.Optional(Type.String()),
    kind: Type.String({ minLength: 1, description: 'machine kind, e.g. centrifugal-pump' }),
    line: Type.Optional(Type.String()),
    /**
     * When the machine counts as running, from one of its signals: low limits and stuck-sensor checks
     * apply only then, so a stopped machine does not raise alarms for being stopped.
     */
    running: Type.Optional(
      Type.Object(
        {
          signal: Id,
          above: Type.Optional(Type.Number()),
          equals: Type.Optional(Type.Number()),
        },
        { additionalProperties: false },
      ),
    ),
    /** The PLC's trip (fault code) signal: non-zero raises an urgent trip alert; `codes` says what each means. */
    trip: Type.Optional(
      Type.Object(
        {
          signal: Id,
          codes: Type.Optional(Type.Record(Type.String({ pattern: '^[0-9]+$' }), Type.String(), { additionalProperties: false })),
        },
        { additionalProperties: false },
      ),
    ),
    signals: RecordById(SignalConfigSchema),
  },
  { additionalProperties: false },
);

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/**
 * The file as a whole. Each entry of `sources` is checked against the schema of its `kind`
 * separately (see validate-config.ts), so its errors point into that source and not at a union.
 */
export const ConfigFileSchema = Type.Object(
  {
    site: Type.Optional(Type.String()),
    /** Where the box keeps its state (certificates, databases); relative paths are relative to this file. */
    dataDir: Type.Optional(Type.String({ minLength: 1 })),
    log: Type.Optional(
      Type.Object({ level: Type.Optional(Type.Union(LOG_LEVELS.map((level) => Type.Literal(level)))) }, { additionalProperties: false }),
    ),
    /** Seconds between one-line status summaries in the log; 0 turns them off. */
    statusIntervalSeconds: Type.Optional(Type.Number({ minimum: 0 })),
    /** Runs an MQTT broker in this process; sources with `url: embedded` use it. */
    embeddedBroker: Type.Optional(
      Type.Object(
        {
          host: Type.Optional(Type.String({ minLength: 1 })),
          port: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
        },
        { additionalProperties: false },
      ),
    ),
    telemetry: Type.Optional(
      Type.Object(
        {
          historyPerSignal: Type.Optional(Type.Integer({ minimum: 10, maximum: 10_000_000 })),
          /** No data from an asset for this long raises its communication condition. */
          silentAfterSeconds: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
        },
        { additionalProperties: false },
      ),
    ),
    /** The asset history in the box's database: each asset's signals on a 1 s grid, for calibration and the assistant. */
    history: Type.Optional(HistoryConfigSchema),
    /** Anomaly models on the box: which are loaded, their alerts, calibration on first start. */
    detection: Type.Optional(DetectionConfigSchema),
    alerts: Type.Optional(AlertPolicySchema),
    /** The operator console (web page, HTTP API, WebSocket) and its users; no console without it. */
    console: Type.Optional(ConsoleConfigSchema),
    /** The assistant: a language model (none: offline answers), escalation of alerts, proposals; needs `knowledge`. */
    assistant: Type.Optional(AssistantConfigSchema),
    /** The plant's manuals the assistant searches and cites; no assistant without it. */
    knowledge: Type.Optional(KnowledgeConfigSchema),
    /** Publishing north to the plant's broker (JSON topic tree and/or Sparkplug B) through a buffer on disk; none without it. */
    uplink: Type.Optional(UplinkConfigSchema),
    sources: Type.Array(Type.Object({ kind: Type.String() }), { minItems: 1 }),
    assets: RecordById(AssetConfigSchema),
  },
  { additionalProperties: false },
);

export type SignalConfig = Static<typeof SignalConfigSchema>;
export type AssetConfig = Static<typeof AssetConfigSchema>;
export type LogLevel = (typeof LOG_LEVELS)[number];
export type SourceConfig = OpcuaSourceConfig | MqttSourceConfig;

/** A validated configuration with defaults filled in and paths made absolute. */
export interface MillwrightConfig {
  /** The file it came from, or a label such as "<inline>". */
  readonly origin: string;
  readonly site: string;
  readonly dataDir: string;
  readonly logLevel: LogLevel;
  readonly statusIntervalSeconds: number;
  readonly embeddedBroker: { readonly host: string; readonly port: number } | null;
  readonly historyPerSignal: number;
  readonly silentAfterSeconds: number;
  readonly history: HistorySettings;
  readonly detection: DetectionSettings;
  readonly alerts: AlertPolicy;
  /** Null when the file has no console section: the box runs without one. */
  readonly console: ConsoleSettings | null;
  /** Null when the file has no knowledge section: the box runs without an assistant. */
  readonly assistant: { readonly settings: AssistantSettings; readonly knowledge: KnowledgeSettings } | null;
  /** Null when the file has no uplink section. `url` may be "embedded" (EMBEDDED_BROKER): the runtime puts in the embedded broker's URL. */
  readonly uplink: UplinkSettings | null;
  readonly sources: readonly SourceConfig[];
  readonly assets: Readonly<Record<string, AssetConfig>>;
}
