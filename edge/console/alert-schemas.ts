import { Type, type TSchema } from 'typebox';
import { ALERT_STATES, OPEN_ALERT_STATES } from '../alerts/alert.js';
import { ALERT_PRIORITIES } from '../alerts/condition-report.js';
import { literalUnion } from './literal-union.js';

/** The alert engine's objects (edge/alerts/alert.ts) as JSON Schema, for the HTTP API and the WebSocket. */
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const AlertStateSchema = literalUnion(ALERT_STATES);
export const OpenAlertStateSchema = literalUnion(OPEN_ALERT_STATES);
export const AlertPrioritySchema = literalUnion(ALERT_PRIORITIES);

export const AlertSchema = Type.Object({
  id: Type.Integer(),
  conditionId: Type.String(),
  asset: Type.String(),
  kind: Type.String(),
  priority: AlertPrioritySchema,
  state: AlertStateSchema,
  conditionActive: Type.Boolean(),
  message: Type.String(),
  details: Type.Unknown(),
  activatedAt: Type.Number(),
  lastActivatedAt: Type.Number(),
  reactivations: Type.Integer(),
  clearedAt: Nullable(Type.Number()),
  acknowledged: Nullable(Type.Object({ by: Type.String(), at: Type.Number(), comment: Nullable(Type.String()) })),
  shelved: Nullable(Type.Object({ by: Type.String(), at: Type.Number(), until: Type.Number(), reason: Type.String() })),
  outOfService: Nullable(Type.Object({ by: Type.String(), at: Type.Number(), reason: Type.String() })),
  closedAt: Nullable(Type.Number()),
  lastEventId: Type.Integer(),
  updatedAt: Type.Number(),
});

export const AlertEventSchema = Type.Object({
  id: Type.Integer(),
  ts: Type.Number(),
  type: Type.String({ description: 'activated, reactivated, cleared, acknowledged, shelved, unshelved, removed-from-service, returned-to-service, condition-active, condition-cleared, priority-changed, commented, flood-started, flood-ended' }),
  alertId: Nullable(Type.Integer()),
  conditionId: Nullable(Type.String()),
  asset: Nullable(Type.String()),
  fromState: Nullable(AlertStateSchema),
  toState: Nullable(AlertStateSchema),
  cause: Type.String({ description: 'condition, delay, action, expiry, restart, rate' }),
  who: Type.String(),
  comment: Nullable(Type.String()),
  details: Type.Unknown(),
  alert: Nullable(AlertSchema),
});

export const AlertCountsSchema = Type.Object(Object.fromEntries(OPEN_ALERT_STATES.map((state) => [state, Type.Integer()])));

export const FloodSchema = Type.Object({ active: Type.Boolean(), since: Nullable(Type.Number()), annunciationsInWindow: Type.Integer() });

export const ActionResultSchema = Type.Object({ alert: AlertSchema, event: AlertEventSchema });
