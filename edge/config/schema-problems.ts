import { closest, distance } from 'fastest-levenshtein';
import type { TSchema } from 'typebox';
import { Value } from 'typebox/value';

/** A validation failure at a path of the document; `key` when it is about one key of a mapping. */
export interface SchemaProblem {
  readonly path: (string | number)[];
  readonly key?: string;
  readonly message: string;
}

interface ValidationError {
  readonly keyword: string;
  readonly schemaPath: string;
  readonly instancePath: string;
  readonly params: Record<string, unknown>;
  readonly message: string;
}

type JsonSchema = Record<string, unknown>;

/**
 * Validates `value` against a TypeBox schema and turns the raw errors into problems a person can act
 * on: unknown keys with a "did you mean", the allowed values of an enumeration, the value found.
 */
export function schemaProblems(schema: TSchema, value: unknown, basePath: (string | number)[] = []): SchemaProblem[] {
  const errors = [...Value.Errors(schema, value)] as ValidationError[];
  const anyOfPaths = new Set(errors.filter((e) => e.keyword === 'anyOf').map((e) => `${e.schemaPath}/anyOf/`));
  const keysReported = new Set(errors.filter((e) => e.keyword === 'additionalProperties').map((e) => e.instancePath));
  const problems: SchemaProblem[] = [];
  for (const raw of errors) {
    // TypeBox lists an unknown key first as a 'boolean' error, then its parent's additionalProperties error,
    // which says it better; but it stops after maxErrors (8) errors, so with many unknown keys the parent's
    // error may never come, and skipping them all would pass an invalid document.
    const error = raw.keyword === 'boolean' ? unknownKeyError(raw) : raw;
    if (error === null || (raw.keyword === 'boolean' && keysReported.has(error.instancePath))) continue;
    if ([...anyOfPaths].some((prefix) => error.schemaPath.startsWith(prefix))) continue;
    const path = [...basePath, ...pointerToPath(error.instancePath, value)];
    const found = valueAt(value, error.instancePath);
    const subschema = schemaAt(schema, error.schemaPath);
    problems.push(...describe(error, path, found, subschema));
  }
  if (problems.length === 0 && errors.length > 0) problems.push({ path: basePath, message: 'does not match the expected form' });
  return problems;
}

/** A 'boolean' error of `additionalProperties: false` as the parent's error about that one key; null for other boolean schemas. */
function unknownKeyError(error: ValidationError): ValidationError | null {
  if (!error.schemaPath.endsWith('/additionalProperties')) return null;
  const segments = pointerSegments(error.instancePath);
  const key = segments.at(-1);
  if (key === undefined) return null;
  const parent = error.instancePath.slice(0, error.instancePath.lastIndexOf('/'));
  return { ...error, keyword: 'additionalProperties', instancePath: parent, schemaPath: error.schemaPath.slice(0, -'/additionalProperties'.length), params: { additionalProperties: [key] } };
}

function describe(error: ValidationError, path: (string | number)[], found: unknown, subschema: JsonSchema | undefined): SchemaProblem[] {
  switch (error.keyword) {
    case 'required': {
      const missing = (error.params['requiredProperties'] as string[] | undefined) ?? [];
      const properties = (subschema?.['properties'] ?? {}) as Record<string, JsonSchema>;
      return missing.map((name) => ({ path, message: `missing required key "${name}"${hint(properties[name])}` }));
    }
    case 'additionalProperties': {
      const extra = (error.params['additionalProperties'] as string[] | undefined) ?? [];
      if (subschema?.['patternProperties']) {
        return extra.map((key) => ({ path, key, message: `"${key}" is not a valid id: use letters, digits, "-", "_" or "."` }));
      }
      const allowed = Object.keys((subschema?.['properties'] ?? {}) as object);
      return extra.map((key) => ({ path, key, message: unknownKeyMessage(key, allowed) }));
    }
    case 'anyOf': {
      const choices = ((subschema?.['anyOf'] ?? []) as JsonSchema[]).map((branch) => branch['const']);
      if (choices.length > 0 && choices.every((choice) => choice !== undefined)) {
        return [{ path, message: `must be one of ${choices.map((c) => JSON.stringify(c)).join(', ')} (got ${show(found)})` }];
      }
      return [{ path, message: `does not match any allowed form (got ${show(found)})` }];
    }
    case 'const':
      return [{ path, message: `must be ${JSON.stringify(error.params['allowedValue'])} (got ${show(found)})` }];
    case 'type':
      return [{ path, message: `must be ${article(String(error.params['type']))} (got ${show(found)})` }];
    case 'pattern':
      return [{ path, message: `${show(found)} is not allowed here${hint(subschema)}` }];
    case 'minItems':
      return [{ path, message: `needs at least ${String(error.params['limit'])} item(s)` }];
    default:
      return [{ path, message: `${error.message} (got ${show(found)})` }];
  }
}

export function unknownKeyMessage(key: string, allowed: readonly string[]): string {
  if (allowed.length === 0) return `unknown key "${key}"`;
  const suggestion = closest(key, [...allowed]);
  if (distance(key, suggestion) <= Math.max(2, Math.floor(key.length / 3))) return `unknown key "${key}" — did you mean "${suggestion}"?`;
  return `unknown key "${key}" — allowed keys: ${allowed.join(', ')}`;
}

function hint(schema: JsonSchema | undefined): string {
  const description = schema?.['description'];
  return typeof description === 'string' ? ` (${description})` : '';
}

function article(type: string): string {
  return { integer: 'a whole number', number: 'a number', string: 'text', boolean: 'true or false', object: 'a mapping (key: value)', array: 'a list' }[type] ?? type;
}

export function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function pointerSegments(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((segment) => segment.replaceAll('~1', '/').replaceAll('~0', '~'));
}

function pointerToPath(pointer: string, root: unknown): (string | number)[] {
  const path: (string | number)[] = [];
  let current = root;
  for (const segment of pointerSegments(pointer)) {
    const key = Array.isArray(current) ? Number(segment) : segment;
    path.push(key);
    current = (current as Record<string | number, unknown> | undefined)?.[key];
  }
  return path;
}

function valueAt(root: unknown, pointer: string): unknown {
  let current = root;
  for (const segment of pointerSegments(pointer)) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

function schemaAt(schema: TSchema, schemaPath: string): JsonSchema | undefined {
  let current: unknown = schema;
  for (const segment of pointerSegments(schemaPath.replace(/^#/, ''))) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current as JsonSchema | undefined;
}
