import { Type, type Static } from 'typebox';
import { DEFAULT_HISTORY_MAX_MEGABYTES, DEFAULT_HISTORY_RETENTION_DAYS } from './asset-history.js';

/** The `history:` section: the asset history kept in the box's database (a 1 s grid per asset). */
export const HistoryConfigSchema = Type.Object(
  {
    /** Seconds older than this are deleted. */
    retentionDays: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 3650, description: 'days of history kept; default 3' })),
    /** Bound on the stored history; the oldest hours go first when it is passed. */
    maxMegabytes: Type.Optional(Type.Number({ minimum: 1, maximum: 1_000_000, description: 'most megabytes the history may take; default 1024' })),
  },
  { additionalProperties: false },
);

export type HistoryConfig = Static<typeof HistoryConfigSchema>;

export interface HistorySettings {
  readonly retentionDays: number;
  readonly maxMegabytes: number;
}

export function resolveHistoryConfig(config: HistoryConfig | undefined): HistorySettings {
  return { retentionDays: config?.retentionDays ?? DEFAULT_HISTORY_RETENTION_DAYS, maxMegabytes: config?.maxMegabytes ?? DEFAULT_HISTORY_MAX_MEGABYTES };
}
