import { Type, type Static } from 'typebox';

const Seconds = (description: string, maximum: number) => Type.Number({ minimum: 0, maximum, description });

const DelaysSchema = Type.Object(
  {
    onSeconds: Type.Optional(Seconds('the condition must stay active this long before the alert activates', 3600)),
    offSeconds: Type.Optional(Seconds('the condition must stay clear this long before the alert returns to normal', 3600)),
  },
  { additionalProperties: false },
);

/**
 * Alert settings, in seconds as people write them in the config file (`alerts:` section). Every field
 * is optional; see DEFAULT_ALERT_POLICY.
 */
export const AlertPolicySchema = Type.Object(
  {
    delays: Type.Optional(
      Type.Object(
        {
          default: Type.Optional(DelaysSchema),
          /** By ConditionReport.kind, e.g. `model: { onSeconds: 10 }`. */
          byKind: Type.Optional(Type.Record(Type.String({ minLength: 1 }), DelaysSchema)),
          /** By conditionId; `*` matches any run of characters. The first match wins over byKind. */
          byCondition: Type.Optional(
            Type.Array(
              Type.Object(
                {
                  match: Type.String({ minLength: 1, description: 'conditionId pattern, e.g. "pump-01/limit/*"' }),
                  onSeconds: Type.Optional(Seconds('on-delay for matching conditions', 3600)),
                  offSeconds: Type.Optional(Seconds('off-delay for matching conditions', 3600)),
                },
                { additionalProperties: false },
              ),
            ),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    shelving: Type.Optional(
      Type.Object(
        {
          defaultSeconds: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 604_800, description: 'when the operator gives no duration' })),
          maxSeconds: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 604_800, description: 'longest shelving allowed' })),
        },
        { additionalProperties: false },
      ),
    ),
    flood: Type.Optional(
      Type.Object(
        {
          windowSeconds: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 86_400 })),
          /** A flood starts when more than this many alerts annunciate within the window. */
          startAbove: Type.Optional(Type.Integer({ minimum: 1 })),
          /** ...and ends when fewer than this many remain within the window. */
          endBelow: Type.Optional(Type.Integer({ minimum: 1 })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export type AlertPolicy = Static<typeof AlertPolicySchema>;

/**
 * Defaults. No on-delay: detection's rules and models already require persistence, and every second
 * here is a second later to the operator. A short off-delay keeps a value hovering at its limit from
 * closing and reopening alerts. Shelving up to one shift. Flood per ISA-18.2: more than 10 alerts in
 * 10 minutes, over when fewer than 5 remain in the last 10 minutes.
 */
export const DEFAULT_ALERT_POLICY = {
  delays: { onSeconds: 0, offSeconds: 5 },
  shelving: { defaultSeconds: 3600, maxSeconds: 8 * 3600 },
  flood: { windowSeconds: 600, startAbove: 10, endBelow: 5 },
} as const;

export interface ConditionDelays {
  readonly onDelayMs: number;
  readonly offDelayMs: number;
}

export interface ResolvedAlertPolicy {
  delaysFor(conditionId: string, kind: string): ConditionDelays;
  readonly shelving: { readonly defaultMs: number; readonly maxMs: number };
  readonly flood: { readonly windowMs: number; readonly startAbove: number; readonly endBelow: number };
}

/** Fills in defaults and checks what the schema cannot (e.g. endBelow <= startAbove); throws naming the field. */
export function resolveAlertPolicy(policy: AlertPolicy = {}): ResolvedAlertPolicy {
  const shelving = {
    defaultMs: (policy.shelving?.defaultSeconds ?? Math.min(DEFAULT_ALERT_POLICY.shelving.defaultSeconds, policy.shelving?.maxSeconds ?? Infinity)) * 1000,
    maxMs: (policy.shelving?.maxSeconds ?? DEFAULT_ALERT_POLICY.shelving.maxSeconds) * 1000,
  };
  if (shelving.defaultMs > shelving.maxMs) {
    throw new Error(`alerts.shelving.defaultSeconds (${shelving.defaultMs / 1000}) must not exceed alerts.shelving.maxSeconds (${shelving.maxMs / 1000})`);
  }
  const flood = {
    windowMs: (policy.flood?.windowSeconds ?? DEFAULT_ALERT_POLICY.flood.windowSeconds) * 1000,
    startAbove: policy.flood?.startAbove ?? DEFAULT_ALERT_POLICY.flood.startAbove,
    endBelow: policy.flood?.endBelow ?? DEFAULT_ALERT_POLICY.flood.endBelow,
  };
  if (flood.endBelow > flood.startAbove) {
    throw new Error(`alerts.flood.endBelow (${flood.endBelow}) must not exceed alerts.flood.startAbove (${flood.startAbove})`);
  }
  const base = { ...DEFAULT_ALERT_POLICY.delays, ...policy.delays?.default };
  const byKind = policy.delays?.byKind ?? {};
  const byCondition = (policy.delays?.byCondition ?? []).map((rule) => ({ ...rule, pattern: patternToRegExp(rule.match) }));
  return {
    shelving,
    flood,
    delaysFor(conditionId, kind) {
      const rule = byCondition.find((candidate) => candidate.pattern.test(conditionId));
      const kindDelays = Object.hasOwn(byKind, kind) ? byKind[kind] : undefined;
      const onSeconds = rule?.onSeconds ?? kindDelays?.onSeconds ?? base.onSeconds;
      const offSeconds = rule?.offSeconds ?? kindDelays?.offSeconds ?? base.offSeconds;
      return { onDelayMs: onSeconds * 1000, offDelayMs: offSeconds * 1000 };
    },
  };
}

function patternToRegExp(pattern: string): RegExp {
  const escaped = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join('.*')}$`);
}
