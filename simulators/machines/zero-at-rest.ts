/**
 * An instrument reading of something that is exactly zero at rest (speed, current, flow): it carries
 * its noise while the quantity is positive and reads 0 at standstill, never below.
 */
export function zeroAtRest(value: number, noise: number): number {
  return value > 0 ? Math.max(0, value + noise) : 0;
}
