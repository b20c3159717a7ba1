import { DataType, DataValue, StatusCodes, Variant, VariantArrayType, type StatusCode } from 'node-opcua';
import { describe, expect, it } from 'vitest';
import { decodeDataValue } from '../../../gateway/opcua/data-value-reading.js';

const ARRIVAL = Date.UTC(2030, 0, 1);
const SOURCE_TIME = new Date(Date.UTC(2029, 11, 31, 23, 59));
const SERVER_TIME = new Date(Date.UTC(2029, 11, 31, 23, 59, 30));

function dataValue(variant: ConstructorParameters<typeof Variant>[0], statusCode: StatusCode = StatusCodes.Good, times: { source?: Date | null; server?: Date | null } = {}): DataValue {
  return new DataValue({
    value: new Variant(variant),
    statusCode,
    sourceTimestamp: times.source === undefined ? SOURCE_TIME : times.source,
    serverTimestamp: times.server === undefined ? SERVER_TIME : times.server,
  });
}

describe('decodeDataValue', () => {
  it('keeps numbers of every numeric type, maps Boolean to 1/0 and 64-bit integers to numbers', () => {
    const cases: [DataType, unknown, number][] = [
      [DataType.Double, 12.5, 12.5],
      [DataType.Float, 0.5, 0.5],
      [DataType.Int16, -3, -3],
      [DataType.UInt32, 4_000_000_000, 4_000_000_000],
      [DataType.Byte, 255, 255],
      [DataType.Boolean, true, 1],
      [DataType.Boolean, false, 0],
      [DataType.Int64, [0xffffffff, 0xfffffffe], -2],
      [DataType.UInt64, [1, 0], 2 ** 32],
    ];
    for (const [dataType, value, expected] of cases) {
      expect(decodeDataValue(dataValue({ dataType, arrayType: VariantArrayType.Scalar, value }), ARRIVAL), DataType[dataType]).toEqual({
        kind: 'sample',
        value: expected,
        ts: SOURCE_TIME.getTime(),
        quality: 'good',
      });
    }
  });

  it('rejects what is not a number, saying what it was', () => {
    expect(decodeDataValue(dataValue({ dataType: DataType.String, value: 'AUTO' }), ARRIVAL)).toEqual({ kind: 'rejected', reason: 'not_a_number', detail: 'a String' });
    expect(decodeDataValue(dataValue({ dataType: DataType.Double, arrayType: VariantArrayType.Array, value: [1, 2] }), ARRIVAL)).toEqual({
      kind: 'rejected',
      reason: 'not_a_number',
      detail: 'an array of Double',
    });
    expect(decodeDataValue(dataValue({ dataType: DataType.Null }), ARRIVAL)).toMatchObject({ kind: 'rejected', reason: 'not_a_number', detail: 'no value (null)' });
    expect(decodeDataValue(dataValue({ dataType: DataType.Double, value: Number.NaN }), ARRIVAL)).toMatchObject({ kind: 'rejected', reason: 'not_a_number' });
    expect(decodeDataValue(dataValue({ dataType: DataType.Double, value: Number.POSITIVE_INFINITY }, StatusCodes.UncertainLastUsableValue), ARRIVAL)).toMatchObject({
      reason: 'not_a_number',
    });
  });

  it('turns a Bad status into a bad sample, NaN when it carries no usable number', () => {
    expect(decodeDataValue(dataValue({ dataType: DataType.Null }, StatusCodes.BadSensorFailure), ARRIVAL)).toMatchObject({ kind: 'sample', quality: 'bad', value: Number.NaN });
    expect(decodeDataValue(dataValue({ dataType: DataType.String, value: 'x' }, StatusCodes.BadNoCommunication), ARRIVAL)).toMatchObject({ quality: 'bad', value: Number.NaN });
    expect(decodeDataValue(dataValue({ dataType: DataType.Double, value: 3 }, StatusCodes.BadOutOfRange), ARRIVAL)).toMatchObject({ quality: 'bad', value: 3 });
    expect(decodeDataValue(dataValue({ dataType: DataType.Double, value: 3 }, StatusCodes.UncertainSensorNotAccurate), ARRIVAL)).toMatchObject({ quality: 'uncertain', value: 3 });
  });

  it('takes the source timestamp, else the server timestamp, else the arrival time', () => {
    const double = { dataType: DataType.Double, value: 1 };
    expect(decodeDataValue(dataValue(double), ARRIVAL)).toMatchObject({ ts: SOURCE_TIME.getTime() });
    expect(decodeDataValue(dataValue(double, StatusCodes.Good, { source: null }), ARRIVAL)).toMatchObject({ ts: SERVER_TIME.getTime() });
    expect(decodeDataValue(dataValue(double, StatusCodes.Good, { source: null, server: null }), ARRIVAL)).toMatchObject({ ts: ARRIVAL });
  });
});
