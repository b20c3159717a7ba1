import type { Static } from 'typebox';
import type { UplinkHealth } from '../../gateway/uplink/mqtt-uplink.js';
import type { ConsoleContext } from './console-context.js';
import type { HealthAnswer } from './http-schemas.js';
import type { SourceRates } from './source-rates.js';

export type Health = Static<typeof HealthAnswer>;

export interface ConsoleStatus {
  readonly startedAt: number;
  readonly webSocketClients: number;
  readonly sessions: number;
}

/** The box at a glance: `degraded` with the reasons when a source or the uplink is down, storage or the uplink buffer is not ok, alarms flood, or a model failed. */
export function healthReport(context: ConsoleContext, rates: SourceRates, status: ConsoleStatus): Health {
  const sources = context.sources();
  const storage = context.storage();
  const flood = context.alerts.flood();
  const brokerUrl = context.brokerUrl();
  const models = context.models();
  const uplink = context.uplink?.() ?? null;
  const problems = [
    ...sources.filter((source) => source.state !== 'connected').map((source) => `source ${source.id} is ${source.state}${source.lastError ? `: ${source.lastError}` : ''}`),
    ...(storage.status === 'ok' ? [] : [`storage is ${storage.status}${storage.lastError ? `: ${storage.lastError.message}` : ''}`]),
    ...(flood.active ? [`alarm flood: ${flood.annunciationsInWindow} alerts in the window`] : []),
    ...(uplink === null ? [] : uplinkProblems(uplink)),
    ...models.filter((model) => model.state === 'failed').map((model) => `model ${model.id}${model.asset ? ` for ${model.asset}` : ''} failed: ${typeof model['error'] === 'string' ? model['error'] : 'no reason given'}`),
  ];
  return {
    status: problems.length === 0 ? 'ok' : 'degraded',
    problems,
    site: context.site,
    startedAt: status.startedAt,
    now: Date.now(),
    sources: sources.map((source) => ({ ...source, rejected: { ...source.rejected }, samplesPerSecond: Math.round(rates.rate(source.id) * 10) / 10 })),
    broker: brokerUrl === null ? null : { embedded: true, url: brokerUrl },
    bus: context.bus.stats(),
    storage: { ...storage, lastError: storage.lastError && { message: storage.lastError.message, at: storage.lastError.at, ...(storage.lastError.code ? { code: storage.lastError.code } : {}) } },
    alerts: { counts: context.alerts.counts(), flood, latestEventId: context.alerts.latestEventId(), stats: { ...context.alerts.stats() } },
    console: { webSocketClients: status.webSocketClients, sessions: status.sessions },
    models: [...models],
    uplink: uplink === null ? null : { ...uplink, channels: [...uplink.channels] },
  };
}

function uplinkProblems(uplink: UplinkHealth): string[] {
  const problems = uplink.channels
    .filter((channel) => channel.state !== 'connected')
    .map((channel) => `uplink (${channel.format}) to ${uplink.target} is ${channel.state}${channel.lastError ? `: ${channel.lastError.message}` : ''}; ${uplink.buffer.messages} message(s) buffered`);
  if (uplink.buffer.status === 'memory') problems.push(`uplink buffer is in memory only: ${uplink.buffer.lastError?.message ?? 'the file cannot be written'}`);
  return problems;
}
