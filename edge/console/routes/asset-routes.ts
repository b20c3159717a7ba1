import { assetViews, findAssetView } from '../asset-view.js';
import { assetSignals } from '../asset-signals.js';
import type { ConsoleApp } from '../console-app.js';
import type { ConsoleContext } from '../console-context.js';
import { downsampleMinMax } from '../history-downsampling.js';
import { ApiError } from '../http-errors.js';
import { AssetParams, AssetsAnswer, AssetViewSchema, ErrorSchema, HistoryAnswer, HistoryQuery, SignalParams } from '../http-schemas.js';

const DEFAULT_POINTS = 500;
const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema };

export function assetRoutes(app: ConsoleApp, context: ConsoleContext): void {
  const unknownAsset = (asset: string) =>
    new ApiError(404, 'not-found', `no asset "${asset}" is configured (known: ${Object.keys(context.assets).join(', ')})`);

  app.get('/api/assets', { schema: { response: { 200: AssetsAnswer, ...errors } }, config: { role: 'viewer' } }, async () => ({ assets: assetViews(context) }));

  app.get('/api/assets/:asset', { schema: { params: AssetParams, response: { 200: AssetViewSchema, ...errors } }, config: { role: 'viewer' } }, async (request) => {
    const view = findAssetView(context, request.params.asset);
    if (!view) throw unknownAsset(request.params.asset);
    return view;
  });

  app.get(
    '/api/assets/:asset/signals/:signal/history',
    { schema: { params: SignalParams, querystring: HistoryQuery, response: { 200: HistoryAnswer, ...errors } }, config: { role: 'viewer' } },
    async (request) => {
      const { asset, signal } = request.params;
      const signals = assetSignals(context, asset);
      if (!signals) throw unknownAsset(asset);
      const signalConfig = Object.hasOwn(signals, signal) ? signals[signal] : undefined;
      if (!signalConfig) throw new ApiError(404, 'not-found', `asset "${asset}" has no signal "${signal}" (known: ${Object.keys(signals).join(', ')})`);
      const to = request.query.to ?? Date.now();
      const from = request.query.from;
      if (from !== undefined && from > to) {
        throw new ApiError(400, 'invalid-request', `querystring.from (${from}) is after querystring.to (${to})`, [{ path: 'querystring.from', message: 'must not be after "to"' }]);
      }
      const raw = context.bus.history(asset, signal, from, to);
      const points = downsampleMinMax(raw, request.query.points ?? DEFAULT_POINTS);
      return {
        asset,
        signal,
        unit: signalConfig.unit,
        from: from ?? null,
        to,
        rawPoints: raw.length,
        downsampled: points.length < raw.length,
        points: points.map((point): [number, number | null, typeof point.quality] => [point.ts, Number.isNaN(point.value) ? null : point.value, point.quality]),
      };
    },
  );
}
