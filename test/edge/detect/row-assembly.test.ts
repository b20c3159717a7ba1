import { describe, expect, it } from 'vitest';
import type { Sample } from '../../../gateway/sample.js';
import { AssetResampler, type GridRow } from '../../../edge/detect/asset-resampler.js';
import { EventRowAssembler } from '../../../edge/detect/event-row-assembler.js';
import { rowAssemblerFor } from '../../../edge/detect/row-assembler.js';

function sample(signal: string, ts: number, value: number, quality: Sample['quality'] = 'good'): Sample {
  return { asset: 'pump-01', signal, value, ts, quality, source: 'plc' };
}

function rowsOf(assembler: { drain(listener: (row: GridRow) => void): void }) {
  const rows: GridRow[] = [];
  assembler.drain((row) => rows.push(row));
  return rows.map((row) => ({ ts: row.ts, values: [...row.values], valid: [...row.valid] }));
}

describe('grid rows go out as soon as every input has reached them', () => {
  it('does not wait latenessMs for a row that is already complete', () => {
    const resampler = new AssetResampler({ signals: ['flow', 'speed'], periodMs: 1000, maxHoldMs: 2500, latenessMs: 1000 });
    resampler.push(sample('flow', 1000, 120));
    expect(rowsOf(resampler)).toEqual([]);
    resampler.push(sample('speed', 1000, 2970));
    expect(rowsOf(resampler)).toEqual([{ ts: 1000, values: [120, 2970], valid: [1, 1] }]);
    resampler.push(sample('flow', 2000, 121));
    expect(rowsOf(resampler)).toEqual([]);
    resampler.push(sample('flow', 3000, 122));
    expect(rowsOf(resampler).map((row) => [row.ts, row.valid])).toEqual([[2000, [1, 1]]]);
  });
});

describe('rows by timestamp (a card with periodMs 0)', () => {
  it('forms one row per timestamp, emitted the moment every input is in it', () => {
    const assembler = new EventRowAssembler({ signals: ['flow', 'speed'], maxHoldMs: 5000 });
    assembler.push(sample('flow', 1070, 120));
    expect(rowsOf(assembler)).toEqual([]);
    assembler.push(sample('speed', 1070, 2970));
    expect(rowsOf(assembler)).toEqual([{ ts: 1070, values: [120, 2970], valid: [1, 1] }]);
  });

  it('closes an incomplete row when another timestamp arrives, holding the missing input up to maxHoldMs', () => {
    const assembler = new EventRowAssembler({ signals: ['flow', 'speed'], maxHoldMs: 1500 });
    assembler.push(sample('flow', 1000, 120));
    assembler.push(sample('speed', 1000, 2970));
    assembler.push(sample('flow', 2000, 121));
    assembler.push(sample('flow', 4000, 122));
    assembler.push(sample('speed', 4000, Number.NaN, 'bad'));
    expect(rowsOf(assembler)).toEqual([
      { ts: 1000, values: [120, 2970], valid: [1, 1] },
      { ts: 2000, values: [121, 2970], valid: [1, 1] },
      { ts: 4000, values: [122, Number.NaN], valid: [1, 0] },
    ]);
  });

  it('keeps repeated and out-of-order timestamps as rows of their own, in arrival order (as recordings have them)', () => {
    const assembler = new EventRowAssembler({ signals: ['value'], maxHoldMs: 0 });
    for (const [ts, value] of [
      [600, 1],
      [600, 2],
      [300, 3],
    ] as const) {
      assembler.push(sample('value', ts, value));
    }
    expect(rowsOf(assembler)).toEqual([
      { ts: 600, values: [1], valid: [1] },
      { ts: 600, values: [2], valid: [1] },
      { ts: 300, values: [3], valid: [1] },
    ]);
    expect(assembler.lateReadings).toBe(0);
  });

  it('is what a card without a grid gets', () => {
    expect(rowAssemblerFor({ periodMs: 0, maxHoldMs: 0, latenessMs: 0 }, ['a'])).toBeInstanceOf(EventRowAssembler);
    expect(rowAssemblerFor({ periodMs: 1000, maxHoldMs: 0, latenessMs: 0 }, ['a'])).toBeInstanceOf(AssetResampler);
  });
});
