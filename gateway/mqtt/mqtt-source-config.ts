import { Type, type Static } from 'typebox';
import { MqttAuthSchema, MqttTlsSchema } from './mqtt-security-options.js';

const Identifier = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$', description: 'letters, digits, "-", "_" or "."' });

/**
 * A field path into a JSON payload: dotted keys with optional array indices, e.g. "voltage.l1",
 * "readings[0].t". "$" is the whole payload (a payload that is a bare number).
 */
const FieldPath = Type.String({ minLength: 1, description: 'dotted path such as "voltage.l1", or "$" for the whole payload' });

/** Text that may hold "{name}" placeholders filled from named topic wildcards ("+name" or "#name"). */
const Template = Type.String({ minLength: 1 });

export const TimestampSchema = Type.Object(
  {
    path: FieldPath,
    /** auto: numbers above 1e11 are epoch milliseconds, smaller ones epoch seconds; strings are ISO 8601. */
    format: Type.Optional(
      Type.Union([Type.Literal('auto'), Type.Literal('epoch-ms'), Type.Literal('epoch-s'), Type.Literal('iso8601')]),
    ),
  },
  { additionalProperties: false },
);

export const MqttMappingSchema = Type.Object(
  {
    /** MQTT topic filter; "+name" and "#name" are wildcards whose match can be used in asset/signal templates. */
    topic: Type.String({ minLength: 1 }),
    asset: Template,
    /** Path to an array in the payload; each element is one timestamped reading and the paths below are relative to it. */
    samples: Type.Optional(FieldPath),
    /** Where the reading's time is; without it, the time of arrival. */
    timestamp: Type.Optional(TimestampSchema),
    /** Several signals in one object: signal id -> field path. */
    signals: Type.Optional(Type.Record(Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$' }), FieldPath)),
    /** One value per message: the signal (template) and the path of its value. */
    signal: Type.Optional(Template),
    value: Type.Optional(FieldPath),
  },
  { additionalProperties: false },
);

export const MqttSourceConfigSchema = Type.Object(
  {
    id: Identifier,
    kind: Type.Literal('mqtt'),
    /** Broker URL (mqtt://, mqtts://, ws://, wss://), or "embedded" for the broker this process runs. */
    url: Type.String({ minLength: 1 }),
    clientId: Type.Optional(Type.String({ minLength: 1 })),
    auth: Type.Optional(MqttAuthSchema),
    tls: Type.Optional(MqttTlsSchema),
    qos: Type.Optional(Type.Union([Type.Literal(0), Type.Literal(1)])),
    /** Payloads larger than this are rejected and dead-lettered. */
    maxPayloadBytes: Type.Optional(Type.Integer({ minimum: 16 })),
    /** How many rejected messages are kept, newest first, for inspection. */
    deadLetterCapacity: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000 })),
    mappings: Type.Array(MqttMappingSchema, { minItems: 1 }),
  },
  { additionalProperties: false },
);

export type MqttTimestamp = Static<typeof TimestampSchema>;
export type MqttMapping = Static<typeof MqttMappingSchema>;
export type MqttSourceConfig = Static<typeof MqttSourceConfigSchema>;
