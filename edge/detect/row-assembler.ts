import type { Sample } from '../../gateway/sample.js';
import { AssetResampler, type RowListener } from './asset-resampler.js';
import { EventRowAssembler } from './event-row-assembler.js';
import type { ModelCard } from './model-card.js';

/** Turns one asset's samples into rows of a model's inputs. */
export interface RowAssembler {
  /** True when the sample is one of the model's inputs (and was taken). */
  push(sample: Sample): boolean;
  drain(listener: RowListener): void;
  readonly lateReadings: number;
}

/** A card's grid: a resampler on periodMs, or rows by source timestamp when periodMs is 0. */
export function rowAssemblerFor(grid: ModelCard['grid'], signals: readonly string[]): RowAssembler {
  const { periodMs, maxHoldMs, latenessMs } = grid;
  return periodMs === 0 ? new EventRowAssembler({ signals, maxHoldMs }) : new AssetResampler({ signals, periodMs, maxHoldMs, latenessMs });
}
