import type { SchemaProblem } from './schema-problems.js';

const REFERENCE = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/**
 * Replaces ${NAME} and ${NAME:-default} in every string of a parsed document with the environment's
 * values, so secrets need not be written into the file; "$$" stands for a literal "$".
 * A reference to an unset variable without a default is a problem at that path.
 */
export function interpolateEnvironment(
  value: unknown,
  environment: NodeJS.ProcessEnv,
  problems: SchemaProblem[],
  path: (string | number)[] = [],
): unknown {
  if (typeof value === 'string') {
    return value.replace(REFERENCE, (match, name: string | undefined, fallback: string | undefined) => {
      if (match === '$$') return '$';
      const found = environment[name!];
      if (found !== undefined) return found;
      if (fallback !== undefined) return fallback;
      problems.push({ path, message: `environment variable ${name} is not set (write \${${name}:-default} to give a default)` });
      return match;
    });
  }
  if (Array.isArray(value)) return value.map((item, index) => interpolateEnvironment(item, environment, problems, [...path, index]));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, interpolateEnvironment(item, environment, problems, [...path, key])]),
    );
  }
  return value;
}
