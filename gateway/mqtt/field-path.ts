/**
 * A path into a parsed JSON payload, compiled once: "voltage.l1", "readings[0].t", "$" (the whole
 * payload); a leading "$." or "$[" is accepted too. `get` returns undefined when any step is missing
 * or is not an object/array.
 */
export interface FieldPath {
  readonly text: string;
  readonly get: (root: unknown) => unknown;
}

type Key = string | number;

/** Throws an Error saying what is wrong with the path and at which character. */
export function compileFieldPath(text: string): FieldPath {
  const keys = parseKeys(text);
  return { text, get: accessor(keys) };
}

function parseKeys(text: string): Key[] {
  if (text === '$') return [];
  const fail = (at: number, what: string): never => {
    throw new Error(`field path "${text}": ${what} at character ${at + 1}; write keys as "a.b" and indices as "a[0]"`);
  };
  let position = text.startsWith('$.') ? 2 : text.startsWith('$[') ? 1 : 0;
  const keys: Key[] = [];
  if (position < text.length && text.charAt(position) !== '[') position = readKey(text, position, keys, fail);
  while (position < text.length) {
    const c = text.charAt(position);
    if (c === '.') {
      position = readKey(text, position + 1, keys, fail);
    } else if (c === '[') {
      const close = text.indexOf(']', position);
      const digits = close === -1 ? '' : text.slice(position + 1, close);
      if (digits === '' || !/^\d+$/.test(digits)) fail(position, 'expected an array index such as "[0]"');
      keys.push(Number(digits));
      position = close + 1;
    } else {
      fail(position, `unexpected "${c}"`);
    }
  }
  if (keys.length === 0) fail(0, 'no key');
  return keys;
}

function readKey(text: string, start: number, keys: Key[], fail: (at: number, what: string) => never): number {
  let end = start;
  while (end < text.length && text.charAt(end) !== '.' && text.charAt(end) !== '[') {
    if (text.charAt(end) === ']') fail(end, 'unexpected "]"');
    end++;
  }
  if (end === start) fail(start, 'empty key');
  keys.push(text.slice(start, end));
  return end;
}

function step(value: unknown, key: Key): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<Key, unknown>)[key] : undefined;
}

// Short paths are the common case; unrolling them keeps the hot path free of loops.
function accessor(keys: readonly Key[]): (root: unknown) => unknown {
  const [a, b, c] = keys;
  switch (keys.length) {
    case 0:
      return (root) => root;
    case 1:
      return (root) => step(root, a as Key);
    case 2:
      return (root) => step(step(root, a as Key), b as Key);
    case 3:
      return (root) => step(step(step(root, a as Key), b as Key), c as Key);
    default:
      return (root) => {
        let value = root;
        for (const key of keys) value = step(value, key);
        return value;
      };
  }
}
