import { Type } from 'typebox';
import type { AlertWithHistory } from '../../alerts/alert-engine.js';
import { defineTool, requireAsset, ToolInputError } from './assistant-tool.js';
import { explainAlert } from './alert-explanation.js';
import type { PlantAccess } from './plant-access.js';

const HISTORY_SHOWN = 20;

const ALERT_ID_PARAMETERS = Type.Object({ alertId: Type.Integer({ minimum: 1, description: 'the alert id' }) }, { additionalProperties: false });

export const listAlertsTool = defineTool({
  name: 'list_alerts',
  description: 'The open alerts (most urgent first), optionally of one asset or including recently closed ones: id, asset, priority, state, message, when.',
  parameters: Type.Object(
    {
      asset: Type.Optional(Type.String({ description: 'only this asset' })),
      includeClosed: Type.Optional(Type.Boolean({ description: 'add recently closed alerts' })),
      limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, description: 'default 20' })),
    },
    { additionalProperties: false },
  ),
  effect: 'none',
  target: (args) => (args.asset ? `asset/${args.asset}` : 'alerts'),
  run(args, { plant }) {
    if (args.asset !== undefined) requireAsset(plant, args.asset);
    const alerts = plant.alerts.list({ ...(args.asset ? { assets: [args.asset] } : {}), includeNormal: args.includeClosed === true, limit: args.limit ?? 20 });
    return {
      alerts: alerts.map((alert) => ({
        id: alert.id,
        asset: alert.asset,
        kind: alert.kind,
        priority: alert.priority,
        state: alert.state,
        message: alert.message,
        activatedAt: new Date(alert.lastActivatedAt).toISOString(),
        acknowledgedBy: alert.acknowledged?.by ?? null,
      })),
    };
  },
});

export const alertDetailsTool = defineTool({
  name: 'alert_details',
  description: 'One alert with its history (activations, acknowledgements, comments, shelving) — newest 20 events.',
  parameters: ALERT_ID_PARAMETERS,
  effect: 'none',
  target: (args) => `alert/${args.alertId}`,
  run(args, { plant }) {
    const { alert, events } = requireAlert(plant, args.alertId);
    return {
      id: alert.id,
      asset: alert.asset,
      condition: alert.conditionId,
      kind: alert.kind,
      priority: alert.priority,
      state: alert.state,
      conditionActive: alert.conditionActive,
      message: alert.message,
      activatedAt: new Date(alert.activatedAt).toISOString(),
      reactivations: alert.reactivations,
      history: events.slice(-HISTORY_SHOWN).map((event) => ({ at: new Date(event.ts).toISOString(), type: event.type, by: event.who, comment: event.comment, toState: event.toState })),
    };
  },
});

export const explainFindingTool = defineTool({
  name: 'explain_finding',
  description:
    'Why an alert was raised, in figures: for an anomaly-model alert, which signals contribute how much of the score and how far each is from its fitted normal (in standard deviations); for a limit alert the value against the limit; for a trip the fault code; plus the other signals of the asset outside their normal band now.',
  parameters: ALERT_ID_PARAMETERS,
  effect: 'none',
  target: (args) => `alert/${args.alertId}`,
  run(args, { plant }) {
    const { alert } = requireAlert(plant, args.alertId);
    return explainAlert(alert, plant.assets[alert.asset], plant.bus);
  },
});

function requireAlert(plant: PlantAccess, alertId: number): AlertWithHistory {
  const found = plant.alerts.get(alertId);
  if (!found) throw new ToolInputError(`no alert ${alertId}`);
  return found;
}
