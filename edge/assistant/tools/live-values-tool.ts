import { Type } from 'typebox';
import { defineTool, requireAsset } from './assistant-tool.js';
import { readSignal } from './signal-status.js';

export const liveValuesTool = defineTool({
  name: 'live_values',
  description:
    'The latest value of every signal of one asset, with unit, quality, age, the normal band and alarm limits, and whether it is normal, outside normal or past a limit.',
  parameters: Type.Object({ asset: Type.String({ description: 'asset id, e.g. "pump-01"' }) }, { additionalProperties: false }),
  effect: 'none',
  target: (args) => `asset/${args.asset}`,
  run(args, { plant, now }) {
    requireAsset(plant, args.asset);
    const config = plant.assets[args.asset]!;
    return {
      asset: args.asset,
      name: config.name ?? args.asset,
      kind: config.kind,
      signals: Object.entries(config.signals).map(([signal, signalConfig]) => readSignal(plant.bus, args.asset, signal, signalConfig, now())),
    };
  },
});
