import { Type } from 'typebox';
import { defineTool, requireAsset } from './assistant-tool.js';
import { round } from './signal-status.js';

export const runModelTool = defineTool({
  name: 'run_model',
  description:
    "Runs the asset's anomaly model on every reading received so far and gives its newest score against the threshold, whether its alert condition holds, and each signal's share of the score with its value and fitted normal.",
  parameters: Type.Object({ asset: Type.String({ description: 'asset id, e.g. "pump-01"' }) }, { additionalProperties: false }),
  effect: 'none',
  target: (args) => `asset/${args.asset}`,
  async run(args, { plant }) {
    requireAsset(plant, args.asset);
    const assessment = (await plant.detection?.assess(args.asset)) ?? null;
    if (assessment === null) return { asset: args.asset, model: null, note: `no anomaly model scores ${args.asset}; only its alarm limits and rules watch it` };
    const finding = assessment.finding;
    return {
      asset: args.asset,
      model: assessment.model,
      mode: assessment.mode,
      threshold: round(assessment.threshold),
      anomalous: assessment.anomalous,
      rowsScored: assessment.rowsScored,
      latest:
        finding === null
          ? null
          : {
              at: new Date(finding.ts).toISOString(),
              score: round(finding.score),
              severity: round(finding.severity),
              signals: finding.contributions.map((part) => ({
                signal: part.signal,
                share: Math.round(part.contribution * 1000) / 1000,
                value: part.value === null ? null : round(part.value),
                unit: part.unit,
                ...(part.normalMean !== undefined ? { fittedMean: round(part.normalMean), fittedSd: round(part.normalSd ?? 0) } : {}),
              })),
            },
    };
  },
});
