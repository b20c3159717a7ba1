import { Type } from 'typebox';
import { defineTool, requireAsset } from './assistant-tool.js';

export const assetInfoTool = defineTool({
  name: 'asset_info',
  description: "An asset's configuration (name, kind, line, signals with units, normal bands and limits, trip codes) and its anomaly model's card (model id, inputs, threshold, training data, evaluation).",
  parameters: Type.Object({ asset: Type.String({ description: 'asset id, e.g. "pump-01"' }) }, { additionalProperties: false }),
  effect: 'none',
  target: (args) => `asset/${args.asset}`,
  run(args, { plant }) {
    requireAsset(plant, args.asset);
    const config = plant.assets[args.asset]!;
    const model = plant.detection?.models().find((status) => status.asset === args.asset) ?? null;
    return {
      asset: args.asset,
      name: config.name ?? args.asset,
      kind: config.kind,
      line: config.line ?? null,
      running: config.running ?? null,
      tripCodes: config.trip?.codes ?? null,
      signals: config.signals,
      model:
        model === null
          ? null
          : {
              id: model.id,
              state: model.state,
              mode: model.mode,
              version: model.version,
              description: model.description,
              inputs: model.inputs,
              threshold: model.threshold,
              trainedAt: model.trainedAt,
              training: model.training,
              rows: model.rows,
              evaluation: model.evaluation,
              calibration: model.calibration,
              error: model.error,
            },
    };
  },
});
