import { describe, expect, it } from 'vitest';
import { judgeGrowth, type Reading } from '../../bench/soak/growth-verdict.js';

const tolerance = { absolute: 2, relative: 0.02 };
const series = (minutes: number, value: (minute: number) => number): Reading[] => Array.from({ length: minutes * 2 + 1 }, (_, index) => ({ minute: index / 2, value: value(index / 2) }));

describe('the soak benchmark\'s growth verdict', () => {
  it('calls a level with a garbage-collector sawtooth flat', () => {
    const verdict = judgeGrowth(series(20, (minute) => 100 + (minute % 2 === 0 ? 1.5 : -1.5)), tolerance);
    expect(verdict.grows).toBe(false);
    expect(Math.abs(verdict.slopePerHour)).toBeLessThan(1);
  });

  it('finds a steady leak and measures its slope per hour', () => {
    const verdict = judgeGrowth(series(20, (minute) => 100 + 0.5 * minute), tolerance);
    expect(verdict.grows).toBe(true);
    expect(verdict.slopePerHour).toBeCloseTo(30, 6);
    expect(verdict.fittedChange).toBeCloseTo(10, 6);
  });

  it('says how slow a growth the run could still miss', () => {
    const verdict = judgeGrowth(series(10, () => 300), tolerance);
    expect(verdict.tolerance).toBe(6);
    expect(verdict.resolutionPerHour).toBeCloseTo(36, 6);
  });

  it('refuses to judge too few readings', () => {
    expect(() => judgeGrowth([{ minute: 0, value: 1 }, { minute: 1, value: 2 }], tolerance)).toThrow(/at least 3 readings/);
  });
});
