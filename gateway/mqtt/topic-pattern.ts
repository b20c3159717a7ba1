/** Values of the named wildcards of a topic pattern for one topic: `{ asset: 'conveyor-01' }`. */
export type Captures = Readonly<Record<string, string>>;

/**
 * An MQTT topic filter whose wildcards may carry names ("+asset", "#rest"), compiled once:
 * `filter` is what is subscribed to, `match` tells whether a topic matches and what the named
 * wildcards captured ("#name" captures the rest of the topic, '' when the topic ends at its parent).
 */
export interface TopicPattern {
  readonly pattern: string;
  readonly filter: string;
  readonly names: readonly string[];
  match(topic: string): Captures | null;
}

const LITERAL = 0;
const SINGLE = 1;
const MULTI = 2;

interface Level {
  readonly kind: typeof LITERAL | typeof SINGLE | typeof MULTI;
  /** The literal text, or the wildcard's name ('' when unnamed). */
  readonly text: string;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const NO_CAPTURES: Captures = Object.freeze({});

/** Throws an Error saying what is wrong with the pattern (the caller adds where it came from). */
export function compileTopicPattern(pattern: string): TopicPattern {
  if (pattern === '') throw new Error('topic pattern is empty');
  const levels = pattern.split('/').map((text, index, all) => parseLevel(pattern, text, index === all.length - 1));
  const names = levels.filter((level) => level.kind !== LITERAL && level.text !== '').map((level) => level.text);
  const duplicate = names.find((name, index) => names.indexOf(name) !== index);
  if (duplicate !== undefined) {
    throw new Error(`topic pattern "${pattern}" names the wildcard "${duplicate}" twice; give each wildcard its own name`);
  }
  const filter = levels.map((level) => (level.kind === SINGLE ? '+' : level.kind === MULTI ? '#' : level.text)).join('/');
  const startsWithWildcard = levels[0]?.kind !== LITERAL;
  const hasNames = names.length > 0;

  function match(topic: string): Captures | null {
    // MQTT: wildcards in the first level never match topics starting with "$" ($SYS/...).
    if (startsWithWildcard && topic.charCodeAt(0) === 36) return null;
    const captures: Record<string, string> | null = hasNames ? {} : null;
    let position = 0;
    for (const level of levels) {
      if (level.kind === MULTI) {
        if (captures !== null && level.text !== '') captures[level.text] = position < topic.length ? topic.slice(position) : '';
        return captures ?? NO_CAPTURES;
      }
      if (position > topic.length) return null;
      let end = topic.indexOf('/', position);
      if (end === -1) end = topic.length;
      if (level.kind === LITERAL) {
        if (end - position !== level.text.length || !topic.startsWith(level.text, position)) return null;
      } else if (captures !== null && level.text !== '') {
        captures[level.text] = topic.slice(position, end);
      }
      position = end + 1;
    }
    return position === topic.length + 1 ? (captures ?? NO_CAPTURES) : null;
  }

  return { pattern, filter, names, match };
}

function parseLevel(pattern: string, text: string, isLast: boolean): Level {
  const first = text.charAt(0);
  if (first === '+' || first === '#') {
    const name = text.slice(1);
    if (name !== '' && !NAME.test(name)) {
      throw new Error(
        `topic pattern "${pattern}": wildcard "${text}" has an invalid name; use letters, digits and "_" after "${first}" (e.g. "${first}asset")`,
      );
    }
    if (first === '#' && !isLast) throw new Error(`topic pattern "${pattern}": "${text}" must be the last level`);
    return { kind: first === '+' ? SINGLE : MULTI, text: name };
  }
  if (text.includes('+') || text.includes('#')) {
    throw new Error(`topic pattern "${pattern}": level "${text}" mixes a wildcard with text; a wildcard must fill a whole level`);
  }
  return { kind: LITERAL, text };
}

/** True when every topic matched by `specific` is also matched by `general` (both plain MQTT filters). */
export function filterCovers(general: string, specific: string): boolean {
  const g = general.split('/');
  const s = specific.split('/');
  for (let i = 0; i < g.length; i++) {
    const level = g[i];
    const other = s[i];
    if (i === 0 && level !== other && (level === '+' || level === '#') && other?.startsWith('$')) return false;
    if (level === '#') return true;
    if (other === undefined || other === '#') return false;
    if (level === '+') continue;
    if (level !== other) return false;
  }
  return g.length === s.length;
}

/** True when some topic is matched by both filters. */
export function filtersOverlap(a: string, b: string): boolean {
  const x = a.split('/');
  const y = b.split('/');
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const p = x[i];
    const q = y[i];
    if (p === '#' || q === '#') return true;
    if (p === undefined || q === undefined) return false;
    if (p !== '+' && q !== '+' && p !== q) return false;
  }
  return true;
}

/**
 * The filters to subscribe to so that each topic arrives once: duplicates and filters contained in
 * another one are dropped (brokers such as mosquitto send one copy per matching subscription).
 */
export function coveringFilters(filters: readonly string[]): string[] {
  const unique = [...new Set(filters)];
  return unique.filter((filter) => !unique.some((other) => other !== filter && filterCovers(other, filter)));
}
