/** Descriptive statistics of fit data, with the conventions the detector research used (numpy's). */

export function mean(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i] as number;
  return sum / values.length;
}

/** Standard deviation with divisor n (numpy's default, ddof = 0). */
export function populationStd(values: ArrayLike<number>): number {
  const centre = mean(values);
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += ((values[i] as number) - centre) ** 2;
  return Math.sqrt(sum / values.length);
}

/** The q-quantile of ascending values, interpolating linearly between ranks (numpy's default method). */
export function quantileOfSorted(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) throw new Error('the quantile of no values is undefined');
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const low = sorted[below] as number;
  if (below + 1 >= sorted.length) return low;
  return low + (position - below) * ((sorted[below + 1] as number) - low);
}

export function quantile(values: ArrayLike<number>, q: number): number {
  return quantileOfSorted(Float64Array.from(values).sort(), q);
}

/** Round half to even, as Python's round(), so that lengths derived from fit sizes match the research. */
export function roundHalfEven(value: number): number {
  const floor = Math.floor(value);
  const fraction = value - floor;
  if (fraction !== 0.5) return Math.round(value);
  return floor % 2 === 0 ? floor : floor + 1;
}
