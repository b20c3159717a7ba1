import { decodeSparkplug, longToNumber } from './sparkplug-codec.js';

export const REBIRTH_METRIC = 'Node Control/Rebirth';
/** NCMD payloads larger than this are refused before decoding. */
export const MAX_COMMAND_BYTES = 64 * 1024;

export const COMMAND_REJECT_REASONS = ['too-large', 'undecodable', 'no-metrics', 'unsupported-metric', 'rebirth-not-true', 'device-command', 'unknown-topic'] as const;
export type CommandRejectReason = (typeof COMMAND_REJECT_REASONS)[number];

export type NodeCommand = { readonly kind: 'rebirth' } | { readonly kind: 'rejected'; readonly reason: CommandRejectReason; readonly detail: string };

export interface CommandTopics {
  /** spBv1.0/<group>/NCMD/<node> */
  readonly ncmd: string;
  /** spBv1.0/<group>/DCMD/<node>/ */
  readonly dcmdPrefix: string;
}

/**
 * What a message on the command topics asks for. The only command obeyed is the node's
 * `Node Control/Rebirth` = true (by name or by its alias); device commands (DCMD) are refused, since the
 * box never writes to a machine. Any input gives an answer, never an exception.
 */
export function parseNodeCommand(topic: string, payload: Uint8Array, topics: CommandTopics, rebirthAlias: number): NodeCommand {
  const reject = (reason: CommandRejectReason, detail: string): NodeCommand => ({ kind: 'rejected', reason, detail });
  if (topic.startsWith(topics.dcmdPrefix)) return reject('device-command', `device command on "${topic}" refused: Millwright never writes to machines`);
  if (topic !== topics.ncmd) return reject('unknown-topic', `message on "${topic}" is not a command to this edge node`);
  if (payload.length > MAX_COMMAND_BYTES) return reject('too-large', `NCMD payload of ${payload.length} bytes is over ${MAX_COMMAND_BYTES}`);
  let metrics: unknown;
  try {
    metrics = decodeSparkplug(payload).metrics;
  } catch (error) {
    return reject('undecodable', `NCMD payload is not a Sparkplug B payload: ${(error as Error).message}`);
  }
  if (!Array.isArray(metrics) || metrics.length === 0) return reject('no-metrics', 'NCMD payload has no metrics');
  for (const metric of metrics as { name?: unknown; alias?: unknown; value?: unknown }[]) {
    const byName = metric.name === REBIRTH_METRIC;
    const byAlias = metric.name === undefined && metric.alias !== undefined && longToNumber(metric.alias) === rebirthAlias;
    if (!byName && !byAlias) {
      const which = typeof metric.name === 'string' ? `"${metric.name.slice(0, 100)}"` : `alias ${String(longToNumber(metric.alias))}`;
      return reject('unsupported-metric', `NCMD metric ${which} is not supported; only "${REBIRTH_METRIC}" is`);
    }
    if (metric.value !== true) return reject('rebirth-not-true', `"${REBIRTH_METRIC}" must be true to ask for a rebirth`);
  }
  return { kind: 'rebirth' };
}
