import type { TelemetryBus } from '../../../gateway/telemetry-bus.js';
import type { AlertEngine } from '../../alerts/alert-engine.js';
import type { AssetConfig } from '../../config/config-schema.js';
import type { AssetAssessment, ModelStatus } from '../../detect/live/live-detection.js';
import type { AssetHistory } from '../../store/asset-history.js';
import type { KnowledgeBase } from '../knowledge/knowledge-base.js';

/** What the tools read from the box. Detection and the stored history are optional (a box may run without). */
export interface PlantAccess {
  readonly site: string;
  readonly assets: Readonly<Record<string, AssetConfig>>;
  readonly bus: TelemetryBus;
  readonly alerts: AlertEngine;
  readonly manuals: KnowledgeBase;
  readonly history: AssetHistory | null;
  readonly detection: DetectionView | null;
}

/** The part of LiveDetection the assistant uses. */
export interface DetectionView {
  models(): ModelStatus[];
  assess(asset: string): Promise<AssetAssessment | null>;
}
