import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { LineCounter, parseDocument, visit, type Document } from 'yaml';
import { MqttSourceConfigSchema, type MqttSourceConfig } from '../../gateway/mqtt/mqtt-source-config.js';
import { OpcuaSourceConfigSchema, type OpcuaSourceConfig } from '../../gateway/opcua/opcua-source-config.js';
import { resolveUplinkConfig, type UplinkConfig } from '../../gateway/uplink/uplink-config.js';
import type { AlertPolicy } from '../alerts/alert-policy.js';
import { resolveAssistantConfig, type AssistantConfig } from '../assistant/assistant-config.js';
import { resolveKnowledgeConfig, type KnowledgeConfig } from '../assistant/knowledge/knowledge-config.js';
import { resolveConsoleConfig, type ConsoleConfig } from '../console/console-config.js';
import { resolveDetectionConfig, type DetectionConfig } from '../detect/detection-config.js';
import { resolveHistoryConfig, type HistoryConfig } from '../store/history-config.js';
import { ConfigError, formatPath, type ConfigIssue } from './config-error.js';
import { ConfigFileSchema, type AssetConfig, type LogLevel, type MillwrightConfig, type SourceConfig } from './config-schema.js';
import { interpolateEnvironment } from './env-interpolation.js';
import { schemaProblems, show, type SchemaProblem } from './schema-problems.js';
import { semanticProblems } from './semantic-checks.js';
import { YamlLocator } from './yaml-locator.js';

const SOURCE_SCHEMAS = { opcua: OpcuaSourceConfigSchema, mqtt: MqttSourceConfigSchema } as const;

export interface LoadOptions {
  /** Environment for ${VAR} references; defaults to process.env. (${file:PATH} reads PATH relative to the config's folder.) */
  readonly environment?: NodeJS.ProcessEnv;
}

export async function loadConfigFile(file: string, options: LoadOptions = {}): Promise<MillwrightConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (error as Error).message;
    throw new ConfigError(file, [{ path: '', message: `cannot read the configuration: ${reason}` }]);
  }
  return parseConfigText(text, file, path.dirname(path.resolve(file)), options);
}

/** Parses YAML text; `baseDir` anchors relative paths (normally the file's folder). */
export function parseConfigText(text: string, origin: string, baseDir: string, options: LoadOptions = {}): MillwrightConfig {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: true });
  if (document.errors.length > 0) {
    throw new ConfigError(
      origin,
      document.errors.map((error) => ({
        path: '',
        message: `YAML syntax: ${error.message.split('\n')[0]}`,
        line: error.linePos?.[0].line,
        column: error.linePos?.[0].col,
      })),
    );
  }
  const locator = new YamlLocator(document, lineCounter);
  let value: unknown;
  try {
    value = document.toJS();
  } catch (error) {
    // yaml refuses aliases that expand too far (a "billion laughs" file) with a ReferenceError.
    const at = firstAlias(document, lineCounter);
    throw new ConfigError(origin, [
      { path: '', message: `YAML aliases (*name) expand to too many copies of their anchors (${(error as Error).message}); write the values out instead`, ...at },
    ]);
  }
  // From a text, every problem points at a line: one about the whole file at the first.
  return validateConfig(value, origin, baseDir, options, (problem) => locator.locate(problem.path, problem.key) ?? { line: 1, column: 1 });
}

function firstAlias(document: Document, lineCounter: LineCounter): { line: number; column: number } {
  let offset: number | undefined;
  visit(document, {
    Alias(_, node) {
      offset = node.range?.[0];
      return visit.BREAK;
    },
  });
  if (offset === undefined) return { line: 1, column: 1 };
  const { line, col } = lineCounter.linePos(offset);
  return { line, column: col };
}

/** Validates an already-parsed document (for programmatic use and tests); issues carry no line numbers. */
export function configFromObject(value: unknown, origin: string, baseDir: string, options: LoadOptions = {}): MillwrightConfig {
  return validateConfig(value, origin, baseDir, options, () => undefined);
}

type Locate = (problem: SchemaProblem) => { line: number; column: number } | undefined;

function validateConfig(raw: unknown, origin: string, baseDir: string, options: LoadOptions, locate: Locate): MillwrightConfig {
  const fail = (problems: SchemaProblem[]): never => {
    throw new ConfigError(origin, problems.map((problem): ConfigIssue => ({ path: formatPath(problem.path), message: problem.message, ...locate(problem) })));
  };
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    fail([{ path: [], message: `the file must be a mapping with "sources" and "assets" (got ${show(raw)})` }]);
  }
  const problems: SchemaProblem[] = [];
  const value = interpolateEnvironment(raw, { environment: options.environment ?? process.env, baseDir }, problems) as Record<string, unknown>;
  problems.push(...schemaProblems(ConfigFileSchema, value));
  const sources = Array.isArray(value['sources']) ? (value['sources'] as unknown[]) : [];
  sources.forEach((source, index) => problems.push(...sourceProblems(source, index)));
  if (problems.length > 0) fail(problems);

  const file = value as unknown as FileShape;
  const semantic = semanticProblems(file);
  if (semantic.length > 0) fail(semantic);
  return resolveConfig(file, origin, baseDir);
}

function sourceProblems(source: unknown, index: number): SchemaProblem[] {
  const kind = (source as { kind?: unknown } | null)?.kind;
  const schema = typeof kind === 'string' ? SOURCE_SCHEMAS[kind as keyof typeof SOURCE_SCHEMAS] : undefined;
  if (!schema) {
    if (typeof kind !== 'string') return []; // the file schema already reports the missing kind
    return [{ path: ['sources', index, 'kind'], message: `unknown source kind ${show(kind)}: must be one of ${Object.keys(SOURCE_SCHEMAS).map((k) => `"${k}"`).join(', ')}` }];
  }
  return schemaProblems(schema, source, ['sources', index]);
}

interface FileShape {
  site?: string;
  dataDir?: string;
  log?: { level?: LogLevel };
  statusIntervalSeconds?: number;
  embeddedBroker?: { host?: string; port?: number };
  telemetry?: { historyPerSignal?: number; silentAfterSeconds?: number };
  history?: HistoryConfig;
  detection?: DetectionConfig;
  alerts?: AlertPolicy;
  console?: ConsoleConfig;
  assistant?: AssistantConfig;
  knowledge?: KnowledgeConfig;
  uplink?: UplinkConfig;
  sources: SourceConfig[];
  assets: Record<string, AssetConfig>;
}

function resolveConfig(file: FileShape, origin: string, baseDir: string): MillwrightConfig {
  const absolute = (p: string) => path.resolve(baseDir, p);
  return {
    origin,
    site: file.site ?? 'site',
    dataDir: absolute(file.dataDir ?? 'data'),
    logLevel: file.log?.level ?? 'info',
    statusIntervalSeconds: file.statusIntervalSeconds ?? 5,
    embeddedBroker: file.embeddedBroker ? { host: file.embeddedBroker.host ?? '127.0.0.1', port: file.embeddedBroker.port ?? 1883 } : null,
    historyPerSignal: file.telemetry?.historyPerSignal ?? 3600,
    silentAfterSeconds: file.telemetry?.silentAfterSeconds ?? 30,
    history: resolveHistoryConfig(file.history),
    detection: resolveDetectionConfig(file.detection),
    alerts: file.alerts ?? {},
    console: file.console ? resolveConsoleConfig(file.console, baseDir) : null,
    assistant: file.knowledge ? { settings: resolveAssistantConfig(file.assistant, baseDir), knowledge: resolveKnowledgeConfig(file.knowledge, baseDir, absolute(file.dataDir ?? 'data')) } : null,
    uplink: file.uplink ? resolveUplinkConfig(file.uplink, { site: file.site ?? 'site', dataDir: absolute(file.dataDir ?? 'data'), resolvePath: absolute }) : null,
    sources: file.sources.map((source) => resolveSourcePaths(source, absolute)),
    assets: file.assets,
  };
}

function resolveSourcePaths(source: SourceConfig, absolute: (p: string) => string): SourceConfig {
  if (source.kind === 'opcua') {
    const opcua: OpcuaSourceConfig = source.certificateFolder ? { ...source, certificateFolder: absolute(source.certificateFolder) } : source;
    return opcua;
  }
  if (!source.tls) return source;
  const tls = Object.fromEntries(
    Object.entries(source.tls).map(([key, item]) => [key, typeof item === 'string' ? absolute(item) : item]),
  ) as NonNullable<MqttSourceConfig['tls']>;
  return { ...source, tls };
}
