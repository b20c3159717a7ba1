import type { Captures } from './topic-pattern.js';

/** Fills a template such as "{asset}" or "line-{asset}" from the captures of a topic pattern. */
export type CaptureTemplate = (captures: Captures) => string;

/**
 * Compiles `text` once. Throws an Error naming the placeholder when it is malformed or names a
 * wildcard that `availableNames` (the topic pattern's named wildcards) lacks; the caller adds where
 * the template came from.
 */
export function compileCaptureTemplate(text: string, availableNames: readonly string[]): CaptureTemplate {
  const literals: string[] = [];
  const names: string[] = [];
  let position = 0;
  for (;;) {
    const open = text.indexOf('{', position);
    const close = text.indexOf('}', position);
    if (open === -1) {
      if (close !== -1) throw new Error(`template "${text}" has a "}" without "{" at character ${close + 1}`);
      literals.push(text.slice(position));
      break;
    }
    if (close === -1 || close < open) throw new Error(`template "${text}" has a "{" without "}" at character ${open + 1}`);
    const name = text.slice(open + 1, close);
    if (name.includes('{')) throw new Error(`template "${text}" has a "{" without "}" at character ${open + 1}`);
    if (name === '') throw new Error(`template "${text}" has an empty "{}" at character ${open + 1}; put a wildcard name inside`);
    if (!availableNames.includes(name)) {
      const offer = availableNames.length > 0 ? `its named wildcards are ${availableNames.map((n) => `"${n}"`).join(', ')}` : 'it has no named wildcards';
      throw new Error(
        `template "${text}" uses "{${name}}" but the topic has no wildcard "+${name}" or "#${name}" (${offer})`,
      );
    }
    literals.push(text.slice(position, open));
    names.push(name);
    position = close + 1;
  }

  if (names.length === 0) return () => text;
  const [first] = names;
  if (names.length === 1 && first !== undefined && literals[0] === '' && literals[1] === '') {
    return (captures) => captures[first] ?? '';
  }
  return (captures) => {
    let filled = literals[0] ?? '';
    for (let i = 0; i < names.length; i++) filled += (captures[names[i] ?? ''] ?? '') + (literals[i + 1] ?? '');
    return filled;
  };
}
