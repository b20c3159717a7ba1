import type { Model } from '../api-types.js';

/**
 * The model attached to an asset and, when detection publishes its anomaly score as a signal, that
 * signal's key: `scoreSignal` ("asset/signal") in the model's entry of GET /api/models. Null while no
 * model is attached.
 */
export function scoreSignalOf(models: readonly Model[], asset: string): { model: Model; key: string | null } | null {
  const model = models.find((candidate) => candidate.asset === asset);
  if (!model) return null;
  const key = typeof model.scoreSignal === 'string' && model.scoreSignal.startsWith(`${asset}/`) ? model.scoreSignal : null;
  return { model, key };
}
