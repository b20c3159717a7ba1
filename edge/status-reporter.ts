import type { Logger } from '../gateway/logger.js';
import type { Source, SourceHealth } from '../gateway/source.js';
import type { OutOfNormal, PlantOverview } from './plant-overview.js';

export interface Snapshot {
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

/** "6 of 6 assets reporting" or "5 of 6 assets reporting (silent: conveyor-02)" */
export function formatAssetsLine(assetCount: number, silent: readonly string[]): string {
  return `${assetCount - silent.length} of ${assetCount} assets reporting${silent.length > 0 ? ` (silent: ${silent.join(', ')})` : ''}`;
}

const MAX_LISTED = 5;

/** "outside normal range: pump-01.vibration_de 6.12 mm/s (0.5–2.8)" */
export function formatOutOfNormal(found: readonly OutOfNormal[]): string {
  if (found.length === 0) return '';
  const listed = found.slice(0, MAX_LISTED).map((f) => `${f.asset}.${f.signal} ${round(f.value)}${f.unit ? ` ${f.unit}` : ''} (${f.normal[0]}–${f.normal[1]})`);
  const more = found.length > MAX_LISTED ? `, +${found.length - MAX_LISTED} more` : '';
  return `outside normal range: ${listed.join(', ')}${more}`;
}

function round(value: number): string {
  return Number(value.toPrecision(4)).toString();
}

/** Logs one status line every `intervalSeconds`; returns the function that stops it. */
export function startStatusReporter(sources: readonly Source[], overview: PlantOverview, assetCount: number, intervalSeconds: number, logger: Logger): () => void {
  if (intervalSeconds <= 0 || sources.length === 0) return () => {};
  const snapshot = (): Snapshot => ({ at: performance.now(), health: sources.map((source) => source.health()) });
  let previous = snapshot();
  const timer = setInterval(() => {
    const current = snapshot();
    const rates = sourceRates(previous, current);
    previous = current;
    const silent = overview.silentAssets(2 * intervalSeconds * 1000);
    const outOfNormal = overview.outOfNormal();
    const parts = [formatStatusLine(rates), formatAssetsLine(assetCount, silent), formatOutOfNormal(outOfNormal)].filter((part) => part !== '');
    logger.info({ sources: rates, silent, outOfNormal }, `status: ${parts.join(' | ')}`);
  }, intervalSeconds * 1000);
  timer.unref();
  return () => clearInterval(timer);
}
