import type { Static } from 'typebox';
import { ANNUNCIATED_STATES, type Alert } from '../alerts/alert.js';
import { PRIORITY_RANK } from '../alerts/condition-report.js';
import { assetSignals, isDerivedSignal } from './asset-signals.js';
import type { ConsoleContext } from './console-context.js';
import type { AssetViewSchema, SignalViewSchema } from './http-schemas.js';

export type AssetView = Static<typeof AssetViewSchema>;
type SignalView = Static<typeof SignalViewSchema>;

/** Every configured asset, in configuration order, with its signals' latest values and its open alerts. */
export function assetViews(context: ConsoleContext): AssetView[] {
  const silent = new Set(context.overview.silentAssets(context.silentAfterMs));
  const alertsByAsset = new Map<string, Alert[]>();
  for (const alert of context.alerts.list({ limit: 1000 })) {
    const list = alertsByAsset.get(alert.asset) ?? [];
    list.push(alert);
    alertsByAsset.set(alert.asset, list);
  }
  return Object.keys(context.assets).map((id) => assetView(context, id, silent.has(id), alertsByAsset.get(id) ?? []));
}

export function findAssetView(context: ConsoleContext, id: string): AssetView | undefined {
  if (!Object.hasOwn(context.assets, id)) return undefined;
  const silent = context.overview.silentAssets(context.silentAfterMs).includes(id);
  return assetView(context, id, silent, context.alerts.list({ assets: [id], limit: 1000 }));
}

function assetView(context: ConsoleContext, id: string, silent: boolean, alerts: readonly Alert[]): AssetView {
  const config = context.assets[id]!;
  const annunciated = alerts.filter((alert) => ANNUNCIATED_STATES.includes(alert.state));
  const highest = annunciated.reduce<Alert | undefined>((top, alert) => (top === undefined || PRIORITY_RANK[alert.priority] < PRIORITY_RANK[top.priority] ? alert : top), undefined);
  return {
    id,
    name: config.name ?? id,
    kind: config.kind,
    line: config.line ?? null,
    running: config.running ?? null,
    reporting: !silent,
    alerts: {
      open: alerts.length,
      unacknowledged: alerts.filter((alert) => alert.state === 'active-unacked' || alert.state === 'rtn-unacked').length,
      highestPriority: highest?.priority ?? null,
    },
    signals: Object.entries(assetSignals(context, id) ?? config.signals).map(([signal, signalConfig]): SignalView => {
      const latest = context.bus.latest(id, signal);
      return {
        id: signal,
        key: `${id}/${signal}`,
        unit: signalConfig.unit,
        description: signalConfig.description ?? null,
        normal: signalConfig.normal ?? null,
        limits: signalConfig.limits ?? {},
        deadband: signalConfig.deadband ?? null,
        latest: latest ? { ts: latest.ts, value: Number.isNaN(latest.value) ? null : latest.value, quality: latest.quality, source: latest.source } : null,
        ...(isDerivedSignal(context, id, signal) ? { derived: true } : {}),
      };
    }),
  };
}
