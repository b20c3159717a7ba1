import { DataChangeFilter, DataChangeTrigger, DeadbandType, type MonitoringParametersOptions } from 'node-opcua';
import type { OpcuaDeadband, OpcuaNodeMapping, OpcuaSourceConfig } from './opcua-source-config.js';

export interface SubscriptionSettings {
  readonly publishingInterval: number;
  readonly keepAliveCount: number;
  readonly lifetimeCount: number;
  readonly maxNotificationsPerPublish: number;
}

export interface MonitoringSettings {
  readonly samplingInterval: number;
  readonly queueSize: number;
  readonly deadband: OpcuaDeadband;
}

const DEFAULT_PUBLISHING_INTERVAL_MS = 250;
const DEFAULT_KEEP_ALIVE_COUNT = 10;
/** The subscription outlives a connection break of this long on the server, so a repaired session gets it back. */
const SUBSCRIPTION_LIFETIME_MS = 60_000;
const DEFAULT_QUEUE_SIZE = 10;
const NO_DEADBAND: OpcuaDeadband = { type: 'none', value: 0 };

export function subscriptionSettings(config: OpcuaSourceConfig): SubscriptionSettings {
  const requested = config.subscription ?? {};
  const publishingInterval = requested.publishingInterval ?? DEFAULT_PUBLISHING_INTERVAL_MS;
  const keepAliveCount = requested.keepAliveCount ?? DEFAULT_KEEP_ALIVE_COUNT;
  return {
    publishingInterval,
    keepAliveCount,
    // OPC UA requires lifetimeCount >= 3 × keepAliveCount.
    lifetimeCount: requested.lifetimeCount ?? Math.max(3 * keepAliveCount, Math.ceil(SUBSCRIPTION_LIFETIME_MS / publishingInterval)),
    maxNotificationsPerPublish: requested.maxNotificationsPerPublish ?? 0,
  };
}

/** A node's own settings win over the source's `defaults`; sampling defaults to the publishing interval. */
export function monitoringSettingsFor(node: OpcuaNodeMapping, config: OpcuaSourceConfig, publishingInterval: number): MonitoringSettings {
  const defaults = config.defaults ?? {};
  return {
    samplingInterval: node.samplingInterval ?? defaults.samplingInterval ?? publishingInterval,
    queueSize: node.queueSize ?? defaults.queueSize ?? DEFAULT_QUEUE_SIZE,
    deadband: node.deadband ?? defaults.deadband ?? NO_DEADBAND,
  };
}

export function monitoringParameters(settings: MonitoringSettings): MonitoringParametersOptions {
  const { deadband } = settings;
  return {
    samplingInterval: settings.samplingInterval,
    queueSize: settings.queueSize,
    discardOldest: true,
    filter:
      deadband.type === 'none'
        ? null
        : new DataChangeFilter({
            trigger: DataChangeTrigger.StatusValue,
            deadbandType: deadband.type === 'absolute' ? DeadbandType.Absolute : DeadbandType.Percent,
            deadbandValue: deadband.value,
          }),
  };
}
