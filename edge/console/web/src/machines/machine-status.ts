import type { Asset } from '../api-types.js';
import { parseEnumeration } from './enumeration.js';

/** What the overview shows for a machine. `reporting`: data flows, but its configuration says nothing about running. */
export type MachineStatus = 'running' | 'starting' | 'stopping' | 'stopped' | 'tripped' | 'reporting' | 'no-data';
const STATE_WORDS: readonly string[] = ['running', 'starting', 'stopping', 'stopped', 'tripped'];

/**
 * From the asset's `running` definition and its latest value: running when it holds; otherwise the
 * state its running signal's description names (stopped, tripped…), or stopped.
 */
export function machineStatus(asset: Asset, latestValue: (signal: string) => number | null | undefined, live: boolean): MachineStatus {
  if (!live) return 'no-data';
  const running = asset.running;
  if (running === null) return 'reporting';
  const value = latestValue(running.signal);
  if (value === null || value === undefined) return 'no-data';
  const holds = running.equals !== undefined ? value === running.equals : running.above !== undefined ? value > running.above : false;
  if (holds) return 'running';
  const description = asset.signals.find((signal) => signal.id === running.signal)?.description ?? null;
  const word = parseEnumeration(description).get(value);
  return word !== undefined && STATE_WORDS.includes(word) ? (word as MachineStatus) : 'stopped';
}
