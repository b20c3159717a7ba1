import type { Quality } from '../../gateway/sample.js';

/**
 * One second of one asset: a value and a quality code per signal of the asset's layout. Quality code
 * 0 means no reading fell in that second (the value is NaN then).
 */
export interface SecondCells {
  readonly values: Float64Array;
  readonly qualities: Uint8Array;
}

export type QualityCode = 0 | 1 | 2 | 3;

const CODES: Readonly<Record<Quality, QualityCode>> = { good: 1, uncertain: 2, bad: 3 };
const QUALITIES: readonly (Quality | null)[] = [null, 'good', 'uncertain', 'bad'];

export function qualityCode(quality: Quality): QualityCode {
  return CODES[quality];
}

/** The quality of a code; null for "no reading in that second". */
export function qualityOf(code: number): Quality | null {
  return QUALITIES[code] ?? null;
}

/** Bytes per signal in a stored second: the value as float64 (little-endian) and its quality code. */
export const BYTES_PER_CELL = 9;

export function emptyCells(signals: number): SecondCells {
  return { values: new Float64Array(signals).fill(Number.NaN), qualities: new Uint8Array(signals) };
}

/** The cells widened to `signals` (new signals have no reading); the same object when wide enough. */
export function widenCells(cells: SecondCells, signals: number): SecondCells {
  if (cells.values.length >= signals) return cells;
  const wider = emptyCells(signals);
  wider.values.set(cells.values);
  wider.qualities.set(cells.qualities);
  return wider;
}

export function encodeCells(cells: SecondCells, signals: number): Buffer {
  const buffer = Buffer.alloc(signals * BYTES_PER_CELL);
  for (let i = 0; i < signals; i++) {
    const offset = i * BYTES_PER_CELL;
    buffer.writeDoubleLE(i < cells.values.length ? (cells.values[i] as number) : Number.NaN, offset);
    buffer.writeUInt8(i < cells.qualities.length ? (cells.qualities[i] as number) : 0, offset + 8);
  }
  return buffer;
}

export function decodeCells(buffer: Uint8Array): SecondCells {
  const signals = Math.floor(buffer.length / BYTES_PER_CELL);
  const view = Buffer.from(buffer.buffer, buffer.byteOffset, buffer.length);
  const cells = emptyCells(signals);
  for (let i = 0; i < signals; i++) {
    const offset = i * BYTES_PER_CELL;
    cells.values[i] = view.readDoubleLE(offset);
    cells.qualities[i] = view.readUInt8(offset + 8);
  }
  return cells;
}
