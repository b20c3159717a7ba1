import type { StatusCode } from 'node-opcua';
import type { Quality } from '../sample.js';

/**
 * Folds an OPC UA StatusCode into a Quality by its severity, the two top bits of the code
 * (OPC UA Part 4, 7.39): 00 Good, 01 Uncertain, 10 Bad (11 is reserved and treated as bad).
 * Sub-codes and info bits (e.g. GoodClamped, UncertainLastUsableValue, BadSensorFailure) do not matter here.
 */
export function qualityOf(status: StatusCode): Quality {
  switch (status.value >>> 30) {
    case 0:
      return 'good';
    case 1:
      return 'uncertain';
    default:
      return 'bad';
  }
}
