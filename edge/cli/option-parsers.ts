import { InvalidArgumentError } from 'commander';
import { parseDurationSeconds } from '../../simulators/duration.js';

/** Commander argument parsers that say what was expected. */
export function integerIn(low: number, high: number): (text: string) => number {
  return (text) => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < low || value > high) throw new InvalidArgumentError(`expected a whole number from ${low} to ${high}, got "${text}"`);
    return value;
  };
}

export function numberIn(low: number, high: number): (text: string) => number {
  return (text) => {
    const value = Number(text);
    if (text.trim() === '' || !Number.isFinite(value) || value < low || value > high) throw new InvalidArgumentError(`expected a number from ${low} to ${high}, got "${text}"`);
    return value;
  };
}

export function durationSeconds(text: string): number {
  try {
    return parseDurationSeconds(/^\d+(\.\d+)?$/.test(text) ? Number(text) : text);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}
