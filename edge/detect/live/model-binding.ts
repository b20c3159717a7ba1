import path from 'node:path';
import type { AssetConfig } from '../../config/config-schema.js';
import type { DetectionModel } from '../detection-model.js';
import type { LibraryEntry, ModelOrigin } from './model-library.js';

export interface LoadedModel {
  readonly model: DetectionModel;
  readonly origin: ModelOrigin;
}

/** What serves an asset: the chosen model, and the candidates refused on the way (with why). */
export interface AssetBinding {
  readonly asset: string;
  readonly chosen: LoadedModel | null;
  readonly refused: readonly { readonly model: LoadedModel; readonly error: string }[];
}

/**
 * Picks each asset's model: one calibrated for the asset itself (card `asset` = the asset id, the newest
 * fit first) takes precedence over a model of its kind (card `assetKind` = the asset's `kind`; one
 * written on the box before a shipped one, then by id). A candidate the asset cannot feed — it lacks an
 * input signal — is refused with an error naming the model, its file and the missing signals, and the
 * next candidate is tried.
 */
export function bindModels(assets: Readonly<Record<string, AssetConfig>>, entries: readonly LibraryEntry[]): AssetBinding[] {
  const loaded = entries.flatMap((entry): LoadedModel[] => (entry.status === 'loaded' ? [{ model: entry.model, origin: entry.origin }] : []));
  return Object.entries(assets).map(([assetId, asset]) => {
    const own = loaded.filter(({ model }) => model.card.asset === assetId).sort(newestFitFirst);
    const ofKind = loaded.filter(({ model }) => model.card.asset === undefined && model.card.assetKind === asset.kind).sort(boxFirstThenId);
    const refused: { model: LoadedModel; error: string }[] = [];
    for (const candidate of [...own, ...ofKind]) {
      const missing = candidate.model.card.inputs.map((input) => input.signal).filter((signal) => !Object.hasOwn(asset.signals, signal));
      if (missing.length === 0) return { asset: assetId, chosen: candidate, refused };
      refused.push({ model: candidate, error: missingSignalsError(candidate.model, assetId, asset, missing) });
    }
    return { asset: assetId, chosen: null, refused };
  });
}

export function missingSignalsError(model: DetectionModel, assetId: string, asset: AssetConfig, missing: readonly string[]): string {
  const { card } = model;
  return (
    `model ${card.id} (${path.basename(model.cardFile)}) needs ${missing.map((signal) => `"${signal}"`).join(', ')}, ` +
    `which asset ${assetId} does not have (its signals: ${Object.keys(asset.signals).join(', ')}); ` +
    `map the signal under assets.${assetId}.signals in the configuration, or give the asset a model of its own (millwright calibrate ${assetId})`
  );
}

function newestFitFirst(a: LoadedModel, b: LoadedModel): number {
  return b.model.card.training.fittedAt.localeCompare(a.model.card.training.fittedAt) || a.model.card.id.localeCompare(b.model.card.id);
}

function boxFirstThenId(a: LoadedModel, b: LoadedModel): number {
  return Number(a.origin === 'shipped') - Number(b.origin === 'shipped') || a.model.card.id.localeCompare(b.model.card.id);
}
