import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { SchemaProblem } from './schema-problems.js';

const REFERENCE = /\$\$|\$\{file:([^}]+)\}|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

export interface InterpolationContext {
  readonly environment: NodeJS.ProcessEnv;
  /** Anchors relative `${file:...}` paths: the configuration file's folder. */
  readonly baseDir: string;
}

/**
 * Replaces references in every string of a parsed document, so secrets need not be written into the file:
 * `${NAME}` and `${NAME:-default}` with the environment's values, `${file:PATH}` with the content of a file
 * (a Docker or Kubernetes secret such as /run/secrets/plc-password; one trailing newline dropped). "$$"
 * stands for a literal "$". An unset variable without a default, or an unreadable file, is a problem at
 * that path; the problem never shows a value.
 */
export function interpolateEnvironment(value: unknown, context: InterpolationContext, problems: SchemaProblem[], at: (string | number)[] = []): unknown {
  if (typeof value === 'string') {
    return value.replace(REFERENCE, (match, file: string | undefined, name: string | undefined, fallback: string | undefined) => {
      if (match === '$$') return '$';
      if (file !== undefined) return readSecretFile(path.resolve(context.baseDir, file.trim()), problems, at) ?? match;
      const found = context.environment[name!];
      if (found !== undefined) return found;
      if (fallback !== undefined) return fallback;
      problems.push({ path: at, message: `environment variable ${name} is not set (write \${${name}:-default} to give a default)` });
      return match;
    });
  }
  if (Array.isArray(value)) return value.map((item, index) => interpolateEnvironment(item, context, problems, [...at, index]));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, interpolateEnvironment(item, context, problems, [...at, key])]));
  }
  return value;
}

function readSecretFile(file: string, problems: SchemaProblem[], at: (string | number)[]): string | null {
  try {
    return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied for this user' : (error as Error).message;
    problems.push({ path: at, message: `cannot read the secret file ${file} (\${file:...}): ${reason}` });
    return null;
  }
}
