import fc from 'fast-check';
import { parse, stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../edge/config/config-error.js';
import { configFromObject, parseConfigText } from '../../edge/config/load-config.js';

const FILE = '/etc/millwright/box.yaml';
const BASE_DIR = '/etc/millwright';
/** No ${VAR} resolves, so the fuzz never depends on the machine it runs on. */
const options = { environment: {} };

/** A configuration that loads; the fuzz mutates it where the checks are deepest. */
const VALID = `
site: Millbrook
embeddedBroker: { port: 0 }
alerts: { delays: { byKind: { limit: { onSeconds: 2 } } } }
console: { port: 0, users: [{ name: admin, role: admin, passwordHash: "$$scrypt$$ln=10,r=8,p=1$$abcdefghijklmnopqrstuv$$abcdefghijklmnopqrstuvwxyz0123456789ABCD" }] }
sources:
  - id: plc
    kind: opcua
    endpoint: opc.tcp://127.0.0.1:4840
    certificateFolder: pki
    subscription: { publishingInterval: 250 }
    nodes:
      - { nodeId: "ns=1;s=pump-01.flow", asset: pump-01, signal: flow, deadband: { type: absolute, value: 0.5 } }
  - id: sensors
    kind: mqtt
    url: embedded
    mappings:
      - topic: millbrook/packaging/+asset/motor/vt
        asset: "{asset}"
        samples: readings
        timestamp: { path: t, format: epoch-ms }
        signals: { motor_temp: temp_c }
assets:
  pump-01:
    kind: centrifugal-pump
    running: { signal: flow, above: 10 }
    signals:
      flow: { unit: m³/h, normal: [120, 180], limits: { low: 60, high: 200 }, deadband: 5 }
  conveyor-01:
    kind: conveyor
    signals:
      motor_temp: { unit: °C }
`;

/** Loads (true), or refuses with a ConfigError (false); any other outcome fails the property. */
function loadsOrExplains(load: () => unknown, located: boolean): boolean {
  try {
    load();
    return true;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw new Error(`not a ConfigError: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`, { cause: error });
    expect(error.issues.length).toBeGreaterThan(0);
    expect(error.message.startsWith(`${FILE}: `)).toBe(true);
    for (const issue of error.issues) {
      expect(issue.message.length).toBeGreaterThan(0);
      // From a text, every problem points at a line of the file.
      if (located) expect(error.message).toContain(`${FILE}:${issue.line ?? 'NO-LINE'}:`);
    }
    return false;
  }
}

/** Anything a person (or a broken tool) might write as a value. */
const anyValue = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(null, '', 0, -1, 1e309, Number.NaN, true, '${UNSET}', '$$', '{asset}', 'opc.tcp://', '../../etc', '[]', '*'),
  fc.string({ maxLength: 20 }),
  fc.double(),
);

/** A path into the valid document (keys and indexes that exist), where a value is replaced or removed. */
function pathsOf(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(value)) return [prefix, ...value.flatMap((item, index) => pathsOf(item, [...prefix, index]))];
  if (value !== null && typeof value === 'object') return [prefix, ...Object.entries(value).flatMap(([key, item]) => pathsOf(item, [...prefix, key]))];
  return [prefix];
}

const validObject = parse(VALID) as Record<string, unknown>;
const validPaths = pathsOf(validObject).filter((path) => path.length > 0);

type Mutation = { path: (string | number)[]; value: unknown; remove: boolean };
const mutation: fc.Arbitrary<Mutation> = fc.record({ path: fc.constantFrom(...validPaths), value: anyValue, remove: fc.boolean() });

function mutated(mutations: readonly Mutation[]): unknown {
  const copy = structuredClone(validObject);
  for (const { path, value, remove } of mutations) {
    let parent: any = copy;
    for (const key of path.slice(0, -1)) {
      if (parent === null || typeof parent !== 'object') break;
      parent = parent[key];
    }
    if (parent === null || typeof parent !== 'object') continue;
    const last = path.at(-1)!;
    if (remove && Array.isArray(parent) && typeof last === 'number') parent.splice(last, 1);
    else if (remove) delete parent[last];
    else parent[last] = value;
  }
  return copy;
}

/** YAML's own troublemakers: anchors, aliases, merge keys, tags, directives, flow collections, odd scalars. */
const yamlToken = fc.constantFrom(
  'sources:', 'assets:', '- ', '  ', '\n', ': ', '{', '}', '[', ']', ',', '&a ', '*a', '<<: *a', '!!str ', '!!binary ', '!!map ', '!!set ',
  '? ', '|', '>-', '%YAML 1.1\n', '---\n', '...\n', '#', '"', "'", '\\', '\t', 'null', '~', '.nan', '-.inf', '0x1F', '1_000', 'yes', '2024-05-01',
  'id: plc', 'kind: opcua', 'kind: mqtt', 'nodes:', 'mappings:', 'signals:', 'limits:', '${X}', '$$', '\u0000', '\uFEFF', '💥',
);
const yamlishText = fc.array(yamlToken, { maxLength: 40 }).map((tokens) => tokens.join(''));

describe('configuration files, fuzzed', () => {
  it('mutated configurations (values replaced by anything, keys removed) load or fail with a ConfigError pointing at a line', () => {
    let refused = 0;
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (mutations) => {
        const document = mutated(mutations);
        const text = stringify(document);
        const fromText = loadsOrExplains(() => parseConfigText(text, FILE, BASE_DIR, options), true);
        const fromObject = loadsOrExplains(() => configFromObject(document, FILE, BASE_DIR, options), false);
        expect(fromText, 'the same document as text and as an object').toBe(fromObject);
        if (!fromObject) refused += 1;
      }),
      { numRuns: 250 },
    );
    console.info(`[fuzz config] 250 mutated configurations: ${refused} refused with a ConfigError, the rest loaded`);
  }, 90_000);

  it('arbitrary text and YAML-like token soup never throw anything but a ConfigError with a line', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 200, unit: 'binary' }), yamlishText), (text) => {
        loadsOrExplains(() => parseConfigText(text, FILE, BASE_DIR, options), true);
      }),
      { numRuns: 1500 },
    );
  }, 60_000);

  it('arbitrary values as the whole document never throw anything but a ConfigError', () => {
    fc.assert(
      fc.property(fc.anything({ maxDepth: 3, withNullPrototype: true, withBoxedValues: true, withMap: true, withSet: true, withSparseArray: true }), (document) => {
        loadsOrExplains(() => configFromObject(document, FILE, BASE_DIR, options), false);
      }),
      { numRuns: 500 },
    );
  });

  it('a mapping with more unknown keys than TypeBox lists errors for is refused, not loaded with the keys ignored', () => {
    const document = structuredClone(validObject);
    document['alerts'] = Object.fromEntries(Array.from({ length: 12 }, (_, index) => [`typo${index}`, index]));
    expect(() => configFromObject(document, FILE, BASE_DIR, options)).toThrow(/alerts: unknown key "typo0" — allowed keys: delays, shelving, flood/);
    (document['console'] as { users: Record<string, unknown>[] }).users[0]!['name'] = undefined;
    expect(() => configFromObject(document, FILE, BASE_DIR, options)).toThrow(ConfigError);
  });

  it('an alias bomb is refused as a configuration problem, quickly', () => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]', ...Array.from({ length: 8 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10).fill(`*${String.fromCharCode(97 + i)}`).join(',')}]`), 'sources: []', 'assets: {}'].join('\n');
    const started = performance.now();
    loadsOrExplains(() => parseConfigText(bomb, FILE, BASE_DIR, options), true);
    expect(performance.now() - started).toBeLessThan(5000);
  });
});
