/**
 * What a buffered message carries. The order is the send priority: alert transitions go first, then
 * findings, then telemetry; the buffer drops in the reverse order (telemetry first, alerts last).
 */
export const MESSAGE_CLASSES = ['alert', 'finding', 'telemetry'] as const;
export type MessageClass = (typeof MESSAGE_CLASSES)[number];

export const DROP_ORDER: readonly MessageClass[] = ['telemetry', 'finding', 'alert'];

/** Each format has its own MQTT connection (each needs its own will) and its own rows in the buffer. */
export const CHANNELS = ['json', 'sparkplug'] as const;
export type ChannelName = (typeof CHANNELS)[number];

/**
 * expired: older than buffer.maxAgeHours of its class. full: the disk buffer passed maxMegabytes or
 * maxMessages. memory-full: the in-memory buffer (used while the file cannot be written) passed its bounds.
 */
export const DROP_REASONS = ['expired', 'full', 'memory-full'] as const;
export type DropReason = (typeof DROP_REASONS)[number];

/** A message as it is stored until the broker acknowledges it. */
export interface OutboxMessage {
  /** Unique for the box, increasing in the order messages were accepted; never reused. */
  readonly seq: number;
  readonly channel: ChannelName;
  readonly cls: MessageClass;
  /** ms since the epoch, when it was accepted. */
  readonly created: number;
  /** JSON: the MQTT topic. Sparkplug: the device id ("" for the edge node itself). */
  readonly topic: string;
  readonly payload: Buffer;
}

export const CLASS_CODE: Readonly<Record<MessageClass, number>> = { alert: 0, finding: 1, telemetry: 2 };
export const CHANNEL_CODE: Readonly<Record<ChannelName, number>> = { json: 0, sparkplug: 1 };
