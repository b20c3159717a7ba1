import type { Quality } from '../sample.js';
import type { UplinkPoint } from './telemetry-downsampler.js';
import { topicLevel } from './topic-tree.js';
import type { UplinkAlertEvent, UplinkFinding } from './uplink-records.js';

export type SparkplugMetricType = 'Double' | 'Boolean' | 'String';

/** A metric as buffered: encoded to protobuf, with alias and sequence number, only when sent. */
export interface StoredMetric {
  readonly name: string;
  readonly type: SparkplugMetricType;
  /** null: no usable value (isNull on the wire). */
  readonly value: number | boolean | string | null;
  readonly ts: number;
  readonly quality?: Exclude<Quality, 'good'>;
}

/** Metric names the uplink adds to every edge node / device. */
export const ALERT_EVENT_METRIC = 'Alert Event';
export const MESSAGE_ID_METRIC = 'Message Id';

export function telemetryMetrics(points: readonly UplinkPoint[]): StoredMetric[] {
  return points.map((point) => ({
    name: point.signal,
    type: 'Double',
    value: Number.isFinite(point.value) ? point.value : null,
    ts: point.ts,
    ...(point.quality === 'good' ? {} : { quality: point.quality }),
  }));
}

/** Score, threshold and (when known) the verdict, under "Anomaly/<model>/". */
export function findingMetrics(finding: UplinkFinding): StoredMetric[] {
  const folder = `Anomaly/${topicLevel(finding.model)}`;
  const metrics: StoredMetric[] = [
    { name: `${folder}/Score`, type: 'Double', value: finite(finding.score), ts: finding.ts },
    { name: `${folder}/Threshold`, type: 'Double', value: finite(finding.threshold), ts: finding.ts },
  ];
  if (typeof finding.anomalous === 'boolean') metrics.push({ name: `${folder}/Anomalous`, type: 'Boolean', value: finding.anomalous, ts: finding.ts });
  return metrics;
}

/** The whole event as JSON text in one String metric. */
export function alertMetrics(event: UplinkAlertEvent, json: string): StoredMetric[] {
  return [{ name: ALERT_EVENT_METRIC, type: 'String', value: json, ts: event.ts }];
}

function finite(value: number): number | null {
  return Number.isFinite(value) ? value : null;
}
