import type { Logger } from '../gateway/logger.js';
import type { Source, SourceHealth } from '../gateway/source.js';

interface Snapshot {
  readonly at: number;
  readonly health: readonly SourceHealth[];
}

export interface SourceRate {
  readonly id: string;
  readonly state: SourceHealth['state'];
  readonly samplesPerSecond: number;
  readonly rejectedSinceLast: number;
}

/** Per-source sample rates and new rejects between two snapshots. */
export function sourceRates(previous: Snapshot, current: Snapshot): SourceRate[] {
  const seconds = Math.max((current.at - previous.at) / 1000, 1e-3);
  return current.health.map((now) => {
    const before = previous.health.find((h) => h.id === now.id);
    return {
      id: now.id,
      state: now.state,
      samplesPerSecond: (now.samplesIn - (before?.samplesIn ?? 0)) / seconds,
      rejectedSinceLast: totalRejected(now) - (before ? totalRejected(before) : 0),
    };
  });
}

/** "plc connected 361/s · sensors disconnected 0/s (12 rejected)" */
export function formatStatusLine(rates: readonly SourceRate[]): string {
  return rates
    .map((rate) => {
      const rejected = rate.rejectedSinceLast > 0 ? ` (${rate.rejectedSinceLast} rejected)` : '';
      return `${rate.id} ${rate.state} ${Math.round(rate.samplesPerSecond)} samples/s${rejected}`;
    })
    .join(' · ');
}

function totalRejected(health: SourceHealth): number {
  return Object.values(health.rejected).reduce((sum, count) => sum + count, 0);
}

/** Logs one status line every `intervalSeconds`; returns the function that stops it. */
export function startStatusReporter(sources: readonly Source[], intervalSeconds: number, logger: Logger): () => void {
  if (intervalSeconds <= 0 || sources.length === 0) return () => {};
  const snapshot = (): Snapshot => ({ at: performance.now(), health: sources.map((source) => source.health()) });
  let previous = snapshot();
  const timer = setInterval(() => {
    const current = snapshot();
    const rates = sourceRates(previous, current);
    previous = current;
    logger.info({ sources: rates }, `status: ${formatStatusLine(rates)}`);
  }, intervalSeconds * 1000);
  timer.unref();
  return () => clearInterval(timer);
}
