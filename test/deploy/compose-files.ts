import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { PACKAGE_ROOT } from '../../edge/package-paths.js';

/** Every compose file the project ships; a new one belongs here so the deployment tests cover it. */
export const COMPOSE_FILES = ['docker-compose.yml', 'deploy/two-boxes.compose.yml'] as const;

export interface ComposeService {
  image?: string;
  build?: { context?: string } | string;
  hostname?: string;
  command?: string[] | string;
  ports?: string[];
  volumes?: string[];
  depends_on?: Record<string, { condition: string }> | string[];
  healthcheck?: { test: string[] | string };
}

export interface ComposeFile {
  /** Relative to the repository root. */
  readonly file: string;
  /** The folder relative paths in the file are resolved against (the file's own, as compose does). */
  readonly folder: string;
  /** As parsed, with YAML merge keys (`<<: *anchor`) applied as compose applies them. */
  readonly document: { services: Record<string, ComposeService>; volumes?: Record<string, unknown>; [key: string]: unknown };
}

export function loadComposeFile(file: string): ComposeFile {
  const absolute = path.join(PACKAGE_ROOT, file);
  return { file, folder: path.dirname(absolute), document: parse(readFileSync(absolute, 'utf8'), { merge: true }) as ComposeFile['document'] };
}

export interface Mount {
  readonly source: string;
  readonly target: string;
  readonly readOnly: boolean;
  /** A named volume of the file rather than a path on the host. */
  readonly named: boolean;
}

/** Short volume syntax: SOURCE:TARGET[:MODE]. */
export function parseMount(spec: string): Mount {
  const [source = '', target = '', mode] = spec.split(':');
  return { source, target, readOnly: mode === 'ro', named: !/^[./~]/.test(source) };
}

/** Short port syntax: [HOST:]CONTAINER. */
export function parsePort(spec: string): { host: number | null; container: number } {
  const parts = spec.split(':').map(Number);
  return parts.length === 1 ? { host: null, container: parts[0]! } : { host: parts[parts.length - 2]!, container: parts[parts.length - 1]! };
}

export function commandOf(service: ComposeService): string[] {
  if (service.command === undefined) return [];
  return typeof service.command === 'string' ? service.command.split(/\s+/) : service.command;
}

export function healthcheckOf(service: ComposeService): string[] {
  const test = service.healthcheck?.test;
  if (test === undefined) return [];
  return typeof test === 'string' ? ['CMD-SHELL', test] : test;
}

export function dependenciesOf(service: ComposeService): string[] {
  const dependsOn = service.depends_on;
  if (dependsOn === undefined) return [];
  return Array.isArray(dependsOn) ? dependsOn : Object.keys(dependsOn);
}

/** The value following `--flag` (or given as `--flag=value`) in an argument list. */
export function optionValue(args: readonly string[], flag: string): string | undefined {
  const index = args.findIndex((arg) => arg === flag || arg.startsWith(`${flag}=`));
  if (index === -1) return undefined;
  const arg = args[index]!;
  return arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : args[index + 1];
}
