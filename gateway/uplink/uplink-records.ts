/**
 * What the uplink accepts from the edge runtime, declared here because the gateway imports nothing of
 * edge/. Edge's Finding, AlertEvent and the configuration's assets fit these shapes as they are. Every
 * field of the object given is sent north (the JSON payload carries the whole record); the fields below
 * are those the uplink checks or uses for topics and Sparkplug metrics, and those that describe the record.
 */

/** A scored row of an anomaly model (edge/detect/finding.ts). */
export interface UplinkFinding {
  readonly asset: string;
  readonly model: string;
  readonly ts: number;
  readonly score: number;
  readonly threshold: number;
  /** Findings with `anomalous: false` are skipped when `findings: anomalous`. */
  readonly anomalous?: boolean;
}

/** A transition of an alert's lifecycle, or a flood start/end (edge/alerts/alert.ts AlertEvent). */
export interface UplinkAlertEvent {
  /** Increases by one with every event of the box, across restarts. */
  readonly id: number;
  readonly ts: number;
  readonly type: string;
  /** Null for events that concern no single asset (flood start/end): they go to the box's topic / the edge node. */
  readonly asset: string | null;
  readonly conditionId: string | null;
  readonly toState: string | null;
}

/** What the uplink needs to know of an asset (a subset of the configuration's assets entries). */
export interface UplinkAssetDescription {
  /** The production line: a level of the JSON topic tree. */
  readonly line?: string;
  /** Declared in the Sparkplug DBIRTH (as Double metrics, with the unit as the engUnit property). */
  readonly signals?: Readonly<Record<string, { readonly unit?: string }>>;
}
