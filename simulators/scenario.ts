import { readFile } from 'node:fs/promises';
import { Type, type Static, type TSchema } from 'typebox';
import { Value } from 'typebox/value';
import { LineCounter, isMap, isNode, isScalar, parseDocument, type Document } from 'yaml';
import { DURATION_HINT, DURATION_PATTERN, parseDurationSeconds } from './duration.js';
import { FAULT_KINDS, type FaultKind } from './machine.js';
import { MACHINE_COMMANDS, type MachineCommand } from './simulator-controls.js';

const Duration = Type.Union([Type.Number({ minimum: 0 }), Type.String({ minLength: 1, pattern: DURATION_PATTERN })], {
  description: `${DURATION_HINT}, in simulated time`,
});

const ScenarioEventSchema = Type.Object(
  {
    at: { ...Duration, description: `when, from the scenario start: ${DURATION_HINT} (simulated time)` },
    machine: Type.String({ minLength: 1, description: 'machine id, e.g. pump-01' }),
    inject: Type.Optional(Type.Enum([...FAULT_KINDS], { description: 'fault to inject' })),
    severity: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: 'with inject: 0..1, default 1' })),
    ramp: Type.Optional({ ...Duration, description: `with inject: time to full severity, ${DURATION_HINT} (default 0)` }),
    signal: Type.Optional(Type.String({ minLength: 1, description: 'with inject of a sensor-* fault: the signal whose sensor misbehaves' })),
    clear: Type.Optional(Type.Enum([...FAULT_KINDS, 'all'], { description: 'fault to clear, or all' })),
    command: Type.Optional(Type.Enum([...MACHINE_COMMANDS], { description: 'operator command' })),
    load: Type.Optional(Type.Number({ minimum: 0, description: 'load setpoint in % of rated duty (100 = rated; the machine sets the upper limit)' })),
    note: Type.Optional(Type.String({ description: 'narration logged when the event fires' })),
  },
  { additionalProperties: false },
);

export const ScenarioFileSchema = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    description: Type.Optional(Type.String()),
    seed: Type.Optional(Type.Integer({ minimum: 0, description: 'simulation seed, unless the command line gives one' })),
    speed: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: 'simulation speed factor (1 = real time), unless the command line gives one' })),
    events: Type.Array(ScenarioEventSchema, { minItems: 1, description: 'the timeline' }),
  },
  { additionalProperties: false },
);

type ScenarioFile = Static<typeof ScenarioFileSchema>;

export type ScenarioAction =
  | { readonly kind: 'inject'; readonly fault: FaultKind; readonly severity: number; readonly rampSeconds: number; readonly signal?: string }
  | { readonly kind: 'clear'; readonly fault: FaultKind | 'all' }
  | { readonly kind: 'command'; readonly command: MachineCommand }
  | { readonly kind: 'load'; readonly percent: number };

export interface ScenarioEvent {
  /** Simulated seconds from the scenario start. */
  readonly at: number;
  readonly machine: string;
  readonly action: ScenarioAction;
  readonly note?: string;
  /** Line of the event in its file, for log lines and errors. */
  readonly line: number;
}

export interface Scenario {
  readonly file: string;
  readonly name: string;
  readonly description?: string;
  readonly seed?: number;
  readonly speed?: number;
  /** In time order (events at the same time keep their file order). */
  readonly events: readonly ScenarioEvent[];
}

export interface ScenarioProblem {
  readonly line: number;
  readonly column: number;
  /** e.g. "events[2].inject" */
  readonly field: string;
  readonly message: string;
}

export class ScenarioError extends Error {
  constructor(
    readonly file: string,
    readonly problems: readonly ScenarioProblem[],
  ) {
    super(`scenario ${file} is not valid:\n${problems.map((problem) => `  ${file}:${problem.line}:${problem.column} ${problem.field}: ${problem.message}`).join('\n')}`);
    this.name = 'ScenarioError';
  }
}

export interface ScenarioCheckOptions {
  /** When given, every event's machine must be one of these. */
  readonly machineIds?: readonly string[];
}

export async function loadScenario(file: string, options: ScenarioCheckOptions = {}): Promise<Scenario> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new Error(`cannot read the scenario file ${file}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return parseScenario(text, file, options);
}

/** Parses and checks a scenario; every problem found is reported at once, each with its line. */
export function parseScenario(text: string, file: string, options: ScenarioCheckOptions = {}): Scenario {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter });
  if (document.errors.length > 0) {
    throw new ScenarioError(
      file,
      document.errors.map((error) => ({ line: error.linePos?.[0].line ?? 1, column: error.linePos?.[0].col ?? 1, field: '(yaml)', message: error.message.split('\n')[0] ?? error.message })),
    );
  }
  const value: unknown = document.toJS();
  const locate = (path: readonly (string | number)[], key?: string) => locateInDocument(document, lineCounter, path, key);

  const schemaProblems = Value.Errors(ScenarioFileSchema, value).flatMap((error): ScenarioProblem[] => {
    const path = pointerToPath(error.instancePath);
    if (error.schemaPath.includes('/anyOf/') || (error.keyword === 'boolean' && error.schemaPath.endsWith('/additionalProperties'))) return [];
    const hint = describeField(ScenarioFileSchema, error.schemaPath);
    switch (error.keyword) {
      case 'additionalProperties':
        return error.params.additionalProperties.map((key) => ({
          ...locate(path, key),
          field: fieldName([...path, key]),
          message: `unknown key; allowed here: ${allowedKeys(ScenarioFileSchema, error.schemaPath).join(', ')}`,
        }));
      case 'required':
        return [{ ...locate(path), field: fieldName(path), message: `${(error.params as { requiredProperties: string[] }).requiredProperties.join(', ')} missing` }];
      case 'enum':
        return [{ ...locate(path), field: fieldName(path), message: `must be one of ${error.params.allowedValues.join(', ')} (got ${JSON.stringify(valueAt(value, path))})` }];
      case 'anyOf':
        return [{ ...locate(path), field: fieldName(path), message: `must be ${hint ?? 'another kind of value'} (got ${JSON.stringify(valueAt(value, path))})` }];
      default:
        return [{ ...locate(path), field: fieldName(path), message: `${error.message}${hint ? ` (${hint})` : ''}` }];
    }
  });
  if (schemaProblems.length > 0) throw new ScenarioError(file, schemaProblems);

  const scenario = value as ScenarioFile;
  const problems: ScenarioProblem[] = [];
  const events = scenario.events.map((event, index) => {
    const path = ['events', index];
    const problem = (message: string, key?: string) => problems.push({ ...locate(path, key), field: fieldName(key ? [...path, key] : path), message });
    if (options.machineIds && !options.machineIds.includes(event.machine)) {
      problem(`no simulated machine '${event.machine}'; machines: ${options.machineIds.join(', ')}`, 'machine');
    }
    const actions = (['inject', 'clear', 'command', 'load'] as const).filter((key) => event[key] !== undefined);
    if (actions.length !== 1) {
      problem(`an event does exactly one thing: give one of inject, clear, command or load${actions.length ? ` (got ${actions.join(' and ')})` : ''}`);
    }
    for (const key of ['severity', 'ramp', 'signal'] as const) {
      if (event[key] !== undefined && event.inject === undefined) problem(`${key} only goes with inject`, key);
    }
    if (event.inject?.startsWith('sensor-') && event.signal === undefined) problem(`${event.inject} needs the signal whose sensor misbehaves`, 'inject');
    return toEvent(event, locate(path).line);
  });
  if (problems.length > 0) throw new ScenarioError(file, problems);

  return {
    file,
    name: scenario.name,
    ...(scenario.description !== undefined ? { description: scenario.description } : {}),
    ...(scenario.seed !== undefined ? { seed: scenario.seed } : {}),
    ...(scenario.speed !== undefined ? { speed: scenario.speed } : {}),
    events: events.map((event, order) => ({ event, order })).sort((a, b) => a.event.at - b.event.at || a.order - b.order).map(({ event }) => event),
  };
}

function toEvent(event: ScenarioFile['events'][number], line: number): ScenarioEvent {
  const action: ScenarioAction =
    event.inject !== undefined
      ? {
          kind: 'inject',
          fault: event.inject,
          severity: event.severity ?? 1,
          rampSeconds: event.ramp !== undefined ? parseDurationSeconds(event.ramp) : 0,
          ...(event.signal !== undefined ? { signal: event.signal } : {}),
        }
      : event.clear !== undefined
        ? { kind: 'clear', fault: event.clear }
        : event.command !== undefined
          ? { kind: 'command', command: event.command }
          : { kind: 'load', percent: event.load ?? 0 };
  return { at: parseDurationSeconds(event.at), machine: event.machine, action, line, ...(event.note !== undefined ? { note: event.note } : {}) };
}

function pointerToPath(pointer: string): (string | number)[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

function fieldName(path: readonly (string | number)[]): string {
  if (path.length === 0) return '(top level)';
  return path.map((part, index) => (typeof part === 'number' ? `[${part}]` : index === 0 ? part : `.${part}`)).join('');
}

function valueAt(value: unknown, path: readonly (string | number)[]): unknown {
  return path.reduce<unknown>((current, key) => (current !== null && typeof current === 'object' ? (current as Record<string | number, unknown>)[key] : undefined), value);
}

/** The schema node a schemaPath ("#/properties/events/items/properties/at") points at. */
function schemaAt(schema: TSchema, schemaPath: string): Record<string, unknown> | undefined {
  const node = pointerToPath(schemaPath.replace(/^#/, '')).reduce<unknown>(
    (current, key) => (current !== null && typeof current === 'object' ? (current as Record<string | number, unknown>)[key] : undefined),
    schema,
  );
  return node !== null && typeof node === 'object' ? (node as Record<string, unknown>) : undefined;
}

function describeField(schema: TSchema, schemaPath: string): string | undefined {
  const description = schemaAt(schema, schemaPath)?.description;
  return typeof description === 'string' ? description : undefined;
}

function allowedKeys(schema: TSchema, schemaPath: string): string[] {
  const properties = schemaAt(schema, schemaPath)?.properties;
  return properties !== null && typeof properties === 'object' ? Object.keys(properties) : [];
}

/** Line and column of the value at path (or of its key `key`), falling back to the nearest ancestor that exists. */
function locateInDocument(document: Document, lineCounter: LineCounter, path: readonly (string | number)[], key?: string): { line: number; column: number } {
  for (let depth = path.length; depth >= 0; depth -= 1) {
    const node: unknown = depth === 0 ? document.contents : document.getIn(path.slice(0, depth), true);
    if (!isNode(node)) continue;
    let offset = node.range?.[0];
    if (key !== undefined && depth === path.length && isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && item.key.value === key);
      if (pair && isNode(pair.key)) offset = pair.key.range?.[0] ?? offset;
    }
    if (offset !== undefined) {
      const position = lineCounter.linePos(offset);
      return { line: position.line, column: position.col };
    }
  }
  return { line: 1, column: 1 };
}
