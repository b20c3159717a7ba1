import type { HistoryPoint } from '../../gateway/signal-history.js';

/**
 * Reduces points (oldest first) to at most `maxPoints` for a chart: the time range is cut into
 * maxPoints / 2 equal buckets and each keeps its lowest and highest point, in time order, so peaks and
 * dips survive where averaging or taking every n-th point would hide them. A bucket with bad-quality
 * points keeps one of them (and its highest good point), so gaps in the data stay visible.
 */
export function downsampleMinMax(points: readonly HistoryPoint[], maxPoints: number): HistoryPoint[] {
  if (points.length <= maxPoints) return [...points];
  const buckets = Math.max(1, Math.floor(maxPoints / 2));
  const first = points[0]!.ts;
  const span = points[points.length - 1]!.ts - first;
  const width = span / buckets;
  const result: HistoryPoint[] = [];
  let index = 0;
  for (let bucket = 0; bucket < buckets && index < points.length; bucket++) {
    const end = bucket === buckets - 1 ? Infinity : first + width * (bucket + 1);
    let min: HistoryPoint | undefined;
    let max: HistoryPoint | undefined;
    let bad: HistoryPoint | undefined;
    for (; index < points.length && points[index]!.ts < end; index++) {
      const point = points[index]!;
      if (point.quality === 'bad' || Number.isNaN(point.value)) {
        bad ??= point;
        continue;
      }
      if (min === undefined || point.value < min.value) min = point;
      if (max === undefined || point.value > max.value) max = point;
    }
    result.push(...keep(min, max, bad, maxPoints - result.length));
  }
  return result;
}

/** The bucket's distinct points in time order: lowest and highest, or a bad point and the highest when it has one. */
function keep(min: HistoryPoint | undefined, max: HistoryPoint | undefined, bad: HistoryPoint | undefined, room: number): HistoryPoint[] {
  const chosen = bad === undefined ? [min, max] : [bad, max];
  return [...new Set(chosen.filter((point): point is HistoryPoint => point !== undefined))].sort((a, b) => a.ts - b.ts).slice(0, room);
}
