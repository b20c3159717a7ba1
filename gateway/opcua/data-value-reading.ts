import { DataType, Int64ToBigInt, UInt64ToBigInt, VariantArrayType, type DataValue, type Variant } from 'node-opcua';
import type { Quality } from '../sample.js';
import { qualityOf } from './status-quality.js';

/** Why a reading did not become a Sample; the keys of `SourceHealth.rejected`. */
export type ReadingRejection = 'not_a_number';

export type DecodedReading =
  | { readonly kind: 'sample'; readonly value: number; readonly ts: number; readonly quality: Quality }
  | { readonly kind: 'rejected'; readonly reason: ReadingRejection; readonly detail: string };

const PLAIN_NUMBER_TYPES = new Set<DataType>([
  DataType.Double,
  DataType.Float,
  DataType.SByte,
  DataType.Byte,
  DataType.Int16,
  DataType.UInt16,
  DataType.Int32,
  DataType.UInt32,
]);

/**
 * Turns one OPC UA DataValue into a sample value, timestamp and quality.
 *
 * - numbers as they are; Boolean → 1/0; Int64/UInt64 → number (beyond 2^53 precision is lost);
 * - strings, arrays, structures and null and NaN/±Infinity are rejected as `not_a_number` (the MQTT source's name for the same);
 * - a Bad status yields a 'bad' sample whatever the value: NaN when there is no usable number;
 * - ts: the source timestamp, else the server timestamp, else `arrivalMs`.
 */
export function decodeDataValue(dataValue: DataValue, arrivalMs: number): DecodedReading {
  const quality = qualityOf(dataValue.statusCode);
  const ts = epochMs(dataValue.sourceTimestamp) ?? epochMs(dataValue.serverTimestamp) ?? arrivalMs;
  const value = numberOf(dataValue.value);
  if (quality === 'bad') {
    return { kind: 'sample', value: typeof value === 'number' && Number.isFinite(value) ? value : Number.NaN, ts, quality };
  }
  if (typeof value !== 'number') return { kind: 'rejected', reason: 'not_a_number', detail: value.notNumeric };
  if (!Number.isFinite(value)) return { kind: 'rejected', reason: 'not_a_number', detail: String(value) };
  return { kind: 'sample', value, ts, quality };
}

function numberOf(variant: Variant | null | undefined): number | { notNumeric: string } {
  if (!variant || variant.dataType === DataType.Null) return { notNumeric: 'no value (null)' };
  const typeName = DataType[variant.dataType] ?? `DataType ${variant.dataType}`;
  if (variant.arrayType !== VariantArrayType.Scalar) return { notNumeric: `an array of ${typeName}` };
  if (PLAIN_NUMBER_TYPES.has(variant.dataType) && typeof variant.value === 'number') return variant.value;
  if (variant.dataType === DataType.Boolean) return variant.value === true ? 1 : 0;
  if (variant.dataType === DataType.Int64) return Number(Int64ToBigInt(variant.value));
  if (variant.dataType === DataType.UInt64) return Number(UInt64ToBigInt(variant.value));
  return { notNumeric: `a ${typeName}` };
}

/** A DateTime as ms since the epoch; null when absent (node-opcua decodes the OPC UA "no time" as null or year 1601). */
function epochMs(date: Date | null | undefined): number | null {
  const ms = date?.getTime();
  return ms !== undefined && Number.isFinite(ms) && ms > 0 ? ms : null;
}
