import { closest, distance } from 'fastest-levenshtein';
import { compileMapping } from '../../gateway/mqtt/mqtt-mapping.js';
import type { MqttSourceConfig } from '../../gateway/mqtt/mqtt-source-config.js';
import { checkSecuritySettings, type OpcuaSourceConfig } from '../../gateway/opcua/opcua-source-config.js';
import { resolveAlertPolicy, type AlertPolicy } from '../alerts/alert-policy.js';
import { assistantConfigProblems, type AssistantConfig } from '../assistant/assistant-config.js';
import { knowledgeConfigProblems, type KnowledgeConfig } from '../assistant/knowledge/knowledge-config.js';
import { consoleConfigProblems, type ConsoleConfig } from '../console/console-config.js';
import { detectionConfigProblems, type DetectionConfig } from '../detect/detection-config.js';
import { EMBEDDED_BROKER, uplinkConfigProblems, type UplinkConfig } from '../../gateway/uplink/uplink-config.js';
import type { AssetConfig, SourceConfig } from './config-schema.js';
import { formatPath } from './config-error.js';
import type { SchemaProblem } from './schema-problems.js';

export interface SchemaValidFile {
  readonly embeddedBroker?: unknown;
  readonly alerts?: AlertPolicy;
  readonly console?: ConsoleConfig;
  readonly assistant?: AssistantConfig;
  readonly knowledge?: KnowledgeConfig;
  readonly detection?: DetectionConfig;
  readonly uplink?: UplinkConfig;
  readonly sources: readonly SourceConfig[];
  readonly assets: Readonly<Record<string, AssetConfig>>;
}

/** Checks that a schema-valid file also makes sense as a whole: ids unique, references resolve, ranges ordered. */
export function semanticProblems(file: SchemaValidFile): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  checkAssets(file.assets, problems);
  try {
    resolveAlertPolicy(file.alerts);
  } catch (error) {
    problems.push({ path: ['alerts'], message: (error as Error).message });
  }
  if (file.detection) problems.push(...detectionConfigProblems(file.detection, file.assets));
  if (file.console) problems.push(...consoleConfigProblems(file.console).map((problem) => ({ ...problem, path: ['console', ...problem.path] })));
  if (file.assistant) problems.push(...assistantConfigProblems(file.assistant).map((problem) => ({ ...problem, path: ['assistant', ...problem.path] })));
  if (file.knowledge) problems.push(...knowledgeConfigProblems(file.knowledge).map((problem) => ({ ...problem, path: ['knowledge', ...problem.path] })));
  if (file.assistant && !file.knowledge) {
    problems.push({ path: ['assistant'], message: 'the assistant needs the manuals: add a knowledge section, e.g. knowledge: { folder: manuals } (a folder of Markdown, text or PDF files)' });
  }
  if (file.uplink) {
    problems.push(...uplinkConfigProblems(file.uplink).map((problem) => ({ ...problem, path: ['uplink', ...problem.path] })));
    if (file.uplink.url === EMBEDDED_BROKER && !file.embeddedBroker) {
      problems.push({ path: ['uplink', 'url'], message: 'url "embedded" needs an embeddedBroker section at the top of the file (or give the plant broker\'s URL such as mqtts://broker:8883)' });
    }
  }
  const mappedBy = new Map<string, string>();
  const sourceIds = new Map<string, number>();
  file.sources.forEach((source, index) => {
    const path = ['sources', index];
    const earlier = sourceIds.get(source.id);
    if (earlier !== undefined) problems.push({ path: [...path, 'id'], message: `source id "${source.id}" is already used by sources[${earlier}]` });
    sourceIds.set(source.id, index);
    if (source.kind === 'opcua') checkOpcuaSource(source, path, file.assets, mappedBy, problems);
    else checkMqttSource(source, path, file, mappedBy, problems);
  });
  return problems;
}

function checkAssets(assets: Readonly<Record<string, AssetConfig>>, problems: SchemaProblem[]): void {
  for (const [assetId, asset] of Object.entries(assets)) {
    if (asset.running) {
      const path = ['assets', assetId, 'running'];
      if (!asset.signals[asset.running.signal]) problems.push({ path: [...path, 'signal'], message: `asset "${assetId}" has no signal "${asset.running.signal}"${suggest(asset.running.signal, Object.keys(asset.signals))}` });
      if ((asset.running.above === undefined) === (asset.running.equals === undefined)) problems.push({ path, message: 'give exactly one of "above" or "equals"' });
    }
    if (asset.trip && !asset.signals[asset.trip.signal]) {
      problems.push({ path: ['assets', assetId, 'trip', 'signal'], message: `asset "${assetId}" has no signal "${asset.trip.signal}"${suggest(asset.trip.signal, Object.keys(asset.signals))}` });
    }
    for (const [signalId, signal] of Object.entries(asset.signals)) {
      const path = ['assets', assetId, 'signals', signalId];
      if (signal.normal && !(signal.normal[0] < signal.normal[1])) {
        problems.push({ path: [...path, 'normal'], message: `normal range must be [low, high] with low < high (got [${signal.normal.join(', ')}])` });
      }
      const { lowLow, low, high, highHigh } = signal.limits ?? {};
      const ordered = [lowLow, low, high, highHigh].filter((limit): limit is number => limit !== undefined);
      if (ordered.some((limit, i) => i > 0 && limit <= ordered[i - 1]!)) {
        problems.push({ path: [...path, 'limits'], message: 'limits must increase: lowLow < low < high < highHigh' });
      }
    }
  }
}

function checkOpcuaSource(
  source: OpcuaSourceConfig,
  path: (string | number)[],
  assets: Readonly<Record<string, AssetConfig>>,
  mappedBy: Map<string, string>,
  problems: SchemaProblem[],
): void {
  try {
    checkSecuritySettings(source.security, 'security');
  } catch (error) {
    problems.push({ path: [...path, 'security'], message: (error as Error).message.replace(/^security: /, '') });
  }
  source.nodes.forEach((node, index) => {
    const nodePath = [...path, 'nodes', index];
    if (checkSignalReference(node.asset, node.signal, nodePath, assets, problems)) {
      claimSignal(node.asset, node.signal, nodePath, mappedBy, problems);
    }
  });
}

function checkMqttSource(
  source: MqttSourceConfig,
  path: (string | number)[],
  file: SchemaValidFile,
  mappedBy: Map<string, string>,
  problems: SchemaProblem[],
): void {
  if (source.url === 'embedded' && !file.embeddedBroker) {
    problems.push({ path: [...path, 'url'], message: 'url "embedded" needs an embeddedBroker section at the top of the file (or give a broker URL such as mqtt://host:1883)' });
  }
  source.mappings.forEach((mapping, index) => {
    const mappingPath = [...path, 'mappings', index];
    try {
      compileMapping(mapping, index);
    } catch (error) {
      problems.push({ path: mappingPath, message: (error as Error).message.replace(`mappings[${index}]`, '').replace(/^[.:]\s*/, '') });
      return;
    }
    if (isTemplate(mapping.asset)) return; // resolved per message; unknown ones are rejected and counted then
    const signalIds = mapping.signals ? Object.keys(mapping.signals) : mapping.signal && !isTemplate(mapping.signal) ? [mapping.signal] : [];
    for (const signalId of signalIds) {
      const signalPath = mapping.signals ? [...mappingPath, 'signals', signalId] : [...mappingPath, 'signal'];
      if (checkSignalReference(mapping.asset, signalId, signalPath, file.assets, problems)) {
        claimSignal(mapping.asset, signalId, signalPath, mappedBy, problems);
      }
    }
  });
}

function checkSignalReference(
  assetId: string,
  signalId: string,
  path: (string | number)[],
  assets: Readonly<Record<string, AssetConfig>>,
  problems: SchemaProblem[],
): boolean {
  const asset = assets[assetId];
  if (!asset) {
    problems.push({ path, message: `asset "${assetId}" is not defined under assets${suggest(assetId, Object.keys(assets))}` });
    return false;
  }
  if (!asset.signals[signalId]) {
    problems.push({ path, message: `asset "${assetId}" has no signal "${signalId}"${suggest(signalId, Object.keys(asset.signals))}` });
    return false;
  }
  return true;
}

function claimSignal(assetId: string, signalId: string, path: (string | number)[], mappedBy: Map<string, string>, problems: SchemaProblem[]): void {
  const key = `${assetId}/${signalId}`;
  const owner = mappedBy.get(key);
  if (owner) problems.push({ path, message: `${key} is already mapped by ${owner}; a signal has one source` });
  else mappedBy.set(key, formatPath(path));
}

function suggest(name: string, known: readonly string[]): string {
  if (known.length === 0) return '';
  const nearest = closest(name, [...known]);
  return distance(name, nearest) <= Math.max(2, Math.floor(name.length / 3)) ? ` — did you mean "${nearest}"?` : ` (known: ${known.join(', ')})`;
}

/** Templates are compiled by then, so a brace can only be a placeholder. */
function isTemplate(text: string): boolean {
  return text.includes('{');
}
