import { Type, type TSchema } from 'typebox';
import type { Quality } from '../../gateway/sample.js';
import { AlertCountsSchema, AlertEventSchema, AlertPrioritySchema, AlertSchema, AlertStateSchema, FloodSchema } from './alert-schemas.js';
import { literalUnion } from './literal-union.js';
import { ROLES } from './roles.js';

/** Request and response schemas of every HTTP route (PROTOCOL.md explains them). */
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Id = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$', maxLength: 200 });
const Text = (maxLength: number) => Type.String({ minLength: 1, maxLength });
const Time = Type.Number({ minimum: 0, description: 'ms since the Unix epoch' });
export const QualitySchema = literalUnion(['good', 'uncertain', 'bad']);
/**
 * [ts, value (null when the reading had none), quality]. Written with `type` lists and `enum` rather
 * than anyOf: fast-json-stringify refuses anyOf inside a tuple.
 */
export const PointSchema = Type.Tuple([
  Type.Number(),
  Type.Unsafe<number | null>({ type: ['number', 'null'] }),
  Type.Unsafe<Quality>({ type: 'string', enum: ['good', 'uncertain', 'bad'] }),
]);

export const ErrorSchema = Type.Object({
  statusCode: Type.Integer(),
  error: Type.String(),
  code: Type.String(),
  message: Type.String(),
  problems: Type.Optional(Type.Array(Type.Object({ path: Type.String(), message: Type.String() }))),
});

// --- session ---
export const LoginBody = Type.Object({ name: Text(64), password: Text(256) }, { additionalProperties: false });
export const UserSchema = Type.Object({ name: Type.String(), role: literalUnion(ROLES) });
export const SessionAnswer = Type.Object({ user: UserSchema, expiresAt: Type.Number() });
export const TokenAnswer = Type.Object({ token: Type.String(), user: UserSchema, expiresAt: Type.Number() });

// --- health ---
const SourceHealthSchema = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  state: Type.String(),
  target: Type.String(),
  samplesIn: Type.Number(),
  samplesPerSecond: Type.Number(),
  rejected: Type.Record(Type.String(), Type.Number()),
  reconnects: Type.Number(),
  lastSampleAt: Nullable(Type.Number()),
  lastError: Nullable(Type.String()),
});
const StorageHealthSchema = Type.Object({
  file: Type.String(),
  status: Type.String(),
  writes: Type.Number(),
  writeFailures: Type.Number(),
  consecutiveFailures: Type.Number(),
  pendingRows: Type.Number(),
  lostRows: Type.Number(),
  lastError: Nullable(Type.Object({ message: Type.String(), code: Type.Optional(Type.String()), at: Type.Number() })),
});
/** gateway/uplink/mqtt-uplink.ts UplinkHealth: the fields a reader needs first are declared, the rest passes as is. */
const UplinkHealthSchema = Type.Object(
  {
    box: Type.String(),
    target: Type.String(),
    connected: Type.Boolean(),
    channels: Type.Array(Type.Object({ format: Type.String(), state: Type.String(), problem: Nullable(Type.String()) }, { additionalProperties: true })),
    buffer: Type.Object({ status: Type.String(), messages: Type.Number(), bytes: Type.Number(), droppedTotal: Type.Number(), writeFailures: Type.Number() }, { additionalProperties: true }),
  },
  { additionalProperties: true },
);
export const ModelSchema = Type.Object(
  { id: Type.String(), asset: Nullable(Type.String()), kind: Type.String(), state: Type.String() },
  { additionalProperties: true },
);
export const ModelsAnswer = Type.Object({ models: Type.Array(ModelSchema) });
export const LivenessAnswer = Type.Object({ status: literalUnion(['ok', 'degraded']) });

export const HealthAnswer = Type.Object({
  status: literalUnion(['ok', 'degraded']),
  problems: Type.Array(Type.String()),
  site: Type.String(),
  startedAt: Type.Number(),
  now: Type.Number(),
  sources: Type.Array(SourceHealthSchema),
  broker: Nullable(Type.Object({ embedded: Type.Boolean(), url: Type.String() })),
  bus: Type.Object({ samplesPublished: Type.Number(), duplicates: Type.Number(), consumerErrors: Type.Number() }),
  storage: StorageHealthSchema,
  alerts: Type.Object({
    counts: AlertCountsSchema,
    flood: FloodSchema,
    latestEventId: Type.Integer(),
    stats: Type.Record(Type.String(), Type.Number()),
  }),
  console: Type.Object({ webSocketClients: Type.Integer(), sessions: Type.Integer() }),
  models: Type.Array(ModelSchema),
  /** Null when the box has no uplink section. */
  uplink: Nullable(UplinkHealthSchema),
});

// --- assets ---
export const AssetParams = Type.Object({ asset: Id });
export const SignalParams = Type.Object({ asset: Id, signal: Id });
const LimitsSchema = Type.Object({
  lowLow: Type.Optional(Type.Number()),
  low: Type.Optional(Type.Number()),
  high: Type.Optional(Type.Number()),
  highHigh: Type.Optional(Type.Number()),
});
export const SignalViewSchema = Type.Object({
  id: Type.String(),
  key: Type.String(),
  unit: Type.String(),
  description: Nullable(Type.String()),
  normal: Nullable(Type.Tuple([Type.Number(), Type.Number()])),
  limits: LimitsSchema,
  deadband: Nullable(Type.Number()),
  latest: Nullable(Type.Object({ ts: Type.Number(), value: Nullable(Type.Number()), quality: QualitySchema, source: Type.String() })),
  /** Present (true) for a signal the box derives, e.g. detection's anomaly_score. */
  derived: Type.Optional(Type.Boolean()),
});
export const AssetViewSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  kind: Type.String(),
  line: Nullable(Type.String()),
  running: Nullable(Type.Object({ signal: Type.String(), above: Type.Optional(Type.Number()), equals: Type.Optional(Type.Number()) })),
  reporting: Type.Boolean(),
  alerts: Type.Object({ open: Type.Integer(), unacknowledged: Type.Integer(), highestPriority: Nullable(AlertPrioritySchema) }),
  signals: Type.Array(SignalViewSchema),
});
export const AssetsAnswer = Type.Object({ assets: Type.Array(AssetViewSchema) });

export const MAX_HISTORY_POINTS = 5000;
export const HistoryQuery = Type.Object(
  {
    from: Type.Optional(Time),
    to: Type.Optional(Time),
    points: Type.Optional(Type.Integer({ minimum: 2, maximum: MAX_HISTORY_POINTS, description: 'the most points to return, 2..5000' })),
  },
  { additionalProperties: false },
);
export const HistoryAnswer = Type.Object({
  asset: Type.String(),
  signal: Type.String(),
  unit: Type.String(),
  from: Nullable(Type.Number()),
  to: Type.Number(),
  rawPoints: Type.Integer(),
  downsampled: Type.Boolean(),
  points: Type.Array(PointSchema),
});

// --- alerts ---
export const AlertParams = Type.Object({ id: Type.Integer({ minimum: 1, description: 'an alert id, a positive integer' }) });
export const AlertListQuery = Type.Object(
  {
    state: Type.Optional(Type.Array(AlertStateSchema)),
    priority: Type.Optional(Type.Array(AlertPrioritySchema)),
    asset: Type.Optional(Type.Array(Id)),
    includeNormal: Type.Optional(Type.Boolean()),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  },
  { additionalProperties: false },
);
export const AlertListAnswer = Type.Object({ alerts: Type.Array(AlertSchema), latestEventId: Type.Integer(), counts: AlertCountsSchema, flood: FloodSchema });
export const AlertDetailAnswer = Type.Object({ alert: AlertSchema, events: Type.Array(AlertEventSchema) });
export const EventPageQuery = Type.Object(
  { after: Type.Integer({ minimum: 0 }), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })) },
  { additionalProperties: false },
);
export const EventPageAnswer = Type.Object({ events: Type.Array(AlertEventSchema), latestEventId: Type.Integer(), hasMore: Type.Boolean(), resync: Type.Boolean() });

const OptionalComment = Type.Object({ comment: Type.Optional(Type.String({ maxLength: 2000 })) }, { additionalProperties: false });
export const AcknowledgeBody = OptionalComment;
export const UnshelveBody = OptionalComment;
export const ReturnToServiceBody = OptionalComment;
export const ShelveBody = Type.Object(
  {
    reason: Text(2000),
    durationSeconds: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: 'how long, in seconds; default alerts.shelving.defaultSeconds' })),
    until: Type.Optional(Type.Number({ minimum: 0, description: 'until when, ms since the epoch (instead of durationSeconds)' })),
  },
  { additionalProperties: false },
);
export const CommentBody = Type.Object({ text: Text(2000) }, { additionalProperties: false });
export const RemoveFromServiceBody = Type.Object({ reason: Text(2000) }, { additionalProperties: false });

// --- audit ---
export const AuditQuery = Type.Object(
  {
    user: Type.Optional(Type.String({ maxLength: 200 })),
    action: Type.Optional(Type.String({ maxLength: 200 })),
    target: Type.Optional(Type.String({ maxLength: 200 })),
    outcome: Type.Optional(literalUnion(['ok', 'rejected', 'denied', 'failed'])),
    since: Type.Optional(Time),
    until: Type.Optional(Time),
    beforeId: Type.Optional(Type.Integer({ minimum: 1 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  },
  { additionalProperties: false },
);
export const AuditAnswer = Type.Object({
  entries: Type.Array(
    Type.Object({
      id: Type.Integer(),
      ts: Type.Number(),
      user: Type.String(),
      action: Type.String(),
      target: Type.String(),
      outcome: Type.String(),
      detail: Nullable(Type.String()),
    }),
  ),
});
