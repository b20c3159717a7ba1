import sparkplugPayload from 'sparkplug-payload';
import type { UMetric, UPayload } from 'sparkplug-payload/lib/sparkplugbpayload.js';

export type { UMetric, UPayload };

const codec = sparkplugPayload.get('spBv1.0');
if (codec === null) throw new Error('sparkplug-payload does not provide the spBv1.0 namespace');

/** Eclipse Tahu's Sparkplug B protobuf encoder (sparkplug-payload). */
export const encodeSparkplug: (payload: UPayload) => Uint8Array = codec.encodePayload;
export const decodeSparkplug: (bytes: Uint8Array) => UPayload = codec.decodePayload;

/** Decoded 64-bit fields are Long objects; numbers pass through; anything else is NaN. */
export function longToNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'object' && value !== null && 'toNumber' in value && typeof value.toNumber === 'function') return Number(value.toNumber());
  return Number.NaN;
}
