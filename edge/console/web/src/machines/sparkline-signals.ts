import type { Asset, SignalView } from '../api-types.js';

const SPARKLINES_PER_MACHINE = 3;

/**
 * The signals a machine's card shows: those with an open alert first, then those with a normal
 * range (the ones that say whether the machine is healthy), in configuration order.
 */
export function sparklineSignals(asset: Asset, alertedSignals: ReadonlySet<string>): SignalView[] {
  const ranked = asset.signals.filter((signal) => signal.normal !== null || alertedSignals.has(signal.id));
  ranked.sort((a, b) => Number(alertedSignals.has(b.id)) - Number(alertedSignals.has(a.id)));
  return ranked.slice(0, SPARKLINES_PER_MACHINE);
}
