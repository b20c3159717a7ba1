/**
 * One step of a first-order lag (thermal mass, water column, valve actuator) toward its target.
 * Exact for a constant target over the step, so it is stable for any step length.
 */
export function approach(current: number, target: number, tauSeconds: number, dtSeconds: number): number {
  if (tauSeconds <= 0) return target;
  return target + (current - target) * Math.exp(-dtSeconds / tauSeconds);
}
