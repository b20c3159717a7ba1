/** What the detection engine reports for every scored row of every attached model. */
export interface Finding {
  readonly asset: string;
  /** The model card's id. */
  readonly model: string;
  readonly mode: 'machine' | 'stream';
  /** Time of the row (ms since the epoch): the grid point, or the source timestamp when the card has no grid. */
  readonly ts: number;
  /**
   * Machine mode: the distance of the row from its drifting reference (a squared Mahalanobis distance).
   * Stream mode: the surprise of an episode's first row, z / (z + c) in [0, 1); 0 on every other row.
   */
  readonly score: number;
  readonly threshold: number;
  /** Over the threshold for as many consecutive rows as the card's persistence rule asks. */
  readonly anomalous: boolean;
  /** Consecutive rows over the threshold up to this one. */
  readonly exceedances: number;
  /** Present (true) on a row scored while the machine settles after a start (the card's settleCalmRows): never anomalous. */
  readonly settling?: boolean;
  /**
   * Each input signal's share of `distance`, keyed by the asset's signal ids; the shares add up to
   * `distance` (a share can be slightly negative when inputs are correlated).
   */
  readonly contributions: Readonly<Record<string, number>>;
  /** The ONNX model's score: the squared distance to the nearest reference. */
  readonly distance: number;
  /** Index of the nearest reference among those passed with the row. */
  readonly nearest: number;
}

export type FindingListener = (finding: Finding) => void;
