/** One reading of a quantity (e.g. heap used in MB) at a moment of the run (minutes since start). */
export interface Reading {
  readonly minute: number;
  readonly value: number;
}

export interface GrowthVerdict {
  /** Least-squares slope over the readings after warm-up, in units per hour. */
  readonly slopePerHour: number;
  /** What the fitted line rises over the measured stretch: slope × its length. */
  readonly fittedChange: number;
  /** The change below which the run calls the quantity flat: max(absolute, relative × mean level). */
  readonly tolerance: number;
  readonly grows: boolean;
  /** The slowest growth (units per hour) this run could have told from flat: tolerance over the stretch. */
  readonly resolutionPerHour: number;
}

/** Growth of a quantity after warm-up, judged by the fitted line's rise against a tolerance. */
export function judgeGrowth(readings: readonly Reading[], tolerance: { readonly absolute: number; readonly relative: number }): GrowthVerdict {
  if (readings.length < 3) throw new RangeError(`need at least 3 readings after warm-up to fit a trend, got ${readings.length}; run longer or shorten --interval`);
  const meanMinute = readings.reduce((sum, reading) => sum + reading.minute, 0) / readings.length;
  const meanValue = readings.reduce((sum, reading) => sum + reading.value, 0) / readings.length;
  let covariance = 0;
  let variance = 0;
  for (const reading of readings) {
    covariance += (reading.minute - meanMinute) * (reading.value - meanValue);
    variance += (reading.minute - meanMinute) ** 2;
  }
  const slopePerMinute = covariance / variance;
  const stretchMinutes = readings[readings.length - 1]!.minute - readings[0]!.minute;
  const fittedChange = slopePerMinute * stretchMinutes;
  const allowed = Math.max(tolerance.absolute, tolerance.relative * Math.abs(meanValue));
  return {
    slopePerHour: slopePerMinute * 60,
    fittedChange,
    tolerance: allowed,
    grows: fittedChange > allowed,
    resolutionPerHour: (allowed / stretchMinutes) * 60,
  };
}
