import { StatusCode, StatusCodes } from 'node-opcua';
import { describe, expect, it } from 'vitest';
import { qualityOf } from '../../../gateway/opcua/status-quality.js';

describe('qualityOf', () => {
  it('folds a StatusCode by its severity, whatever the sub-code and info bits', () => {
    expect(qualityOf(StatusCodes.Good)).toBe('good');
    expect(qualityOf(StatusCodes.GoodClamped)).toBe('good');
    expect(qualityOf(StatusCodes.UncertainLastUsableValue)).toBe('uncertain');
    expect(qualityOf(StatusCodes.UncertainSensorNotAccurate)).toBe('uncertain');
    expect(qualityOf(StatusCodes.BadSensorFailure)).toBe('bad');
    expect(qualityOf(StatusCodes.BadNoCommunication)).toBe('bad');
    expect(qualityOf(StatusCode.makeStatusCode(StatusCodes.Good, 'Overflow'))).toBe('good');
    expect(qualityOf(StatusCode.makeStatusCode(StatusCodes.BadOutOfService, 'HistorianCalculated'))).toBe('bad');
  });
});
