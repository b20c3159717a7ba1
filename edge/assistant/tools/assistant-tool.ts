import type { Static, TObject } from 'typebox';
import type { ActionProposal } from '../../console/assistant-port.js';
import type { Role } from '../../console/roles.js';
import type { ManualLanguage } from '../knowledge/language-detection.js';
import type { CitationRegistry } from '../safety/citation-registry.js';
import type { ProposedAction } from '../actions/action-book.js';
import type { PlantAccess } from './plant-access.js';

/** What a tool may use while it runs: the box (read-only), the turn's citations, and the proposal book. */
export interface ToolContext {
  readonly plant: PlantAccess;
  readonly user: string;
  readonly role: Role;
  readonly language: ManualLanguage;
  readonly citations: CitationRegistry;
  /** Effect tools only propose: the person decides in the console (`ConsoleAssistant.decide`). */
  propose(action: ProposedAction): ActionProposal;
  readonly now: () => number;
}

/**
 * One tool the model can call. `effect: 'proposal'` marks a tool with effects: it never acts, it returns
 * a proposal that the same person must confirm. The set of tools is fixed in code (tool-set.ts).
 */
export interface AssistantTool<Parameters extends TObject = TObject> {
  readonly name: string;
  readonly description: string;
  readonly parameters: Parameters;
  readonly effect: 'none' | 'proposal';
  /** The asset or alert the call concerns, for the audit log ("asset/pump-01", "alert/42"). */
  target(args: Static<Parameters>): string;
  run(args: Static<Parameters>, context: ToolContext): unknown;
}

/** Keeps the arguments' type tied to the parameters' schema. */
export function defineTool<Parameters extends TObject>(tool: AssistantTool<Parameters>): AssistantTool {
  return tool as unknown as AssistantTool;
}

/** A refusal the model should see and may recover from (unknown asset, no such alert…). */
export class ToolInputError extends Error {
  override readonly name = 'ToolInputError';
}

export function requireAsset(plant: PlantAccess, asset: string): void {
  if (!Object.hasOwn(plant.assets, asset)) {
    throw new ToolInputError(`no asset "${asset}"; the assets are: ${Object.keys(plant.assets).join(', ')}`);
  }
}

export function requireSignal(plant: PlantAccess, asset: string, signal: string): void {
  requireAsset(plant, asset);
  const signals = plant.assets[asset]!.signals;
  if (!Object.hasOwn(signals, signal)) throw new ToolInputError(`asset ${asset} has no signal "${signal}"; its signals are: ${Object.keys(signals).join(', ')}`);
}
