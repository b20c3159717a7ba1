import type { SignalConfig } from '../config/config-schema.js';
import type { ConsoleContext } from './console-context.js';

/**
 * An asset's signals as the console shows them: the configured ones, then those the box derives
 * (detection's `anomaly_score`); undefined for an asset that is not configured.
 */
export function assetSignals(context: Pick<ConsoleContext, 'assets' | 'derivedSignals'>, asset: string): Readonly<Record<string, SignalConfig>> | undefined {
  const config = Object.hasOwn(context.assets, asset) ? context.assets[asset] : undefined;
  if (!config) return undefined;
  const derived = context.derivedSignals?.(asset);
  return derived ? { ...config.signals, ...derived } : config.signals;
}

/** True for a signal the box derives rather than reads from the plant. */
export function isDerivedSignal(context: Pick<ConsoleContext, 'assets' | 'derivedSignals'>, asset: string, signal: string): boolean {
  const config = Object.hasOwn(context.assets, asset) ? context.assets[asset] : undefined;
  return config !== undefined && !Object.hasOwn(config.signals, signal) && context.derivedSignals?.(asset)[signal] !== undefined;
}
