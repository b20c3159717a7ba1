import { Type } from 'typebox';
import { defineTool, requireSignal } from './assistant-tool.js';
import { round } from './signal-status.js';

const MAX_POINTS = 24;

export const signalHistoryTool = defineTool({
  name: 'signal_history',
  description:
    'How one signal of an asset behaved over the last minutes or hours: min, max, mean, standard deviation, first and last value, and up to 24 evenly spaced points (from the stored 1 s history, or the recent in-memory history when nothing is stored).',
  parameters: Type.Object(
    {
      asset: Type.String({ description: 'asset id, e.g. "pump-01"' }),
      signal: Type.String({ description: 'signal id, e.g. "vibration_de"' }),
      minutes: Type.Optional(Type.Number({ minimum: 1, maximum: 10_080, description: 'how far back, default 60' })),
    },
    { additionalProperties: false },
  ),
  effect: 'none',
  target: (args) => `asset/${args.asset}`,
  run(args, { plant, now }) {
    requireSignal(plant, args.asset, args.signal);
    const to = now();
    const from = to - (args.minutes ?? 60) * 60_000;
    const unit = plant.assets[args.asset]!.signals[args.signal]!.unit;
    const stored = plant.history?.statistics(args.asset, args.signal, from, to);
    if (stored && stored.good > 0) {
      const range = plant.history!.read(args.asset, from, to);
      const index = range.signals.indexOf(args.signal);
      const points = range.rows.flatMap((row) => (row.qualities[index] && row.qualities[index] !== 'bad' ? [{ ts: row.ts, value: row.values[index] as number }] : []));
      return { asset: args.asset, signal: args.signal, unit, source: 'stored history (1 s grid)', ...summary(stored), points: thin(points) };
    }
    const recent = plant.bus.history(args.asset, args.signal, from, to).filter((point) => point.quality !== 'bad' && Number.isFinite(point.value));
    if (recent.length === 0) return { asset: args.asset, signal: args.signal, unit, source: 'none', from: new Date(from).toISOString(), to: new Date(to).toISOString(), readings: 0 };
    const values = recent.map((point) => point.value);
    const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
    const std = Math.sqrt(values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / values.length);
    return {
      asset: args.asset,
      signal: args.signal,
      unit,
      source: 'recent readings in memory',
      from: new Date(recent[0]!.ts).toISOString(),
      to: new Date(recent.at(-1)!.ts).toISOString(),
      readings: recent.length,
      min: round(Math.min(...values)),
      max: round(Math.max(...values)),
      mean: round(mean),
      std: round(std),
      first: round(values[0]!),
      last: round(values.at(-1)!),
      points: thin(recent),
    };
  },
});

function summary(stats: { from: number; to: number; seconds: number; good: number; min: number | null; max: number | null; mean: number | null; std: number | null; first: { value: number } | null; last: { value: number } | null }) {
  const r = (value: number | null | undefined) => (value === null || value === undefined ? null : round(value));
  return {
    from: new Date(stats.from).toISOString(),
    to: new Date(stats.to).toISOString(),
    readings: stats.good,
    min: r(stats.min),
    max: r(stats.max),
    mean: r(stats.mean),
    std: r(stats.std),
    first: r(stats.first?.value),
    last: r(stats.last?.value),
  };
}

function thin(points: readonly { ts: number; value: number }[]): { at: string; value: number }[] {
  const step = Math.max(1, Math.ceil(points.length / MAX_POINTS));
  const picked = points.filter((_, i) => i % step === 0 || i === points.length - 1);
  return picked.map((point) => ({ at: new Date(point.ts).toISOString(), value: round(point.value) }));
}
