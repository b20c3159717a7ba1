import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from '../../edge/package-paths.js';

/** The patterns of .dockerignore (comments and blank lines dropped). */
export function readDockerignore(file = path.join(PACKAGE_ROOT, '.dockerignore')): string[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

function patternToRegExp(pattern: string): RegExp {
  const body = pattern
    .replace(/^\/+|\/+$/g, '')
    .split('**')
    .map((part) => part.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]'))
    .join('.*');
  // A pattern that names a folder leaves out everything inside it as well.
  return new RegExp(`^${body}(/.*)?$`);
}

/**
 * Whether the build context leaves `file` (relative to the repository root) out, as Docker reads
 * .dockerignore: patterns match from the context root, `*` within a level, `**` across levels, and a
 * later `!pattern` takes a file back in.
 */
export function isIgnored(file: string, patterns: readonly string[]): boolean {
  let ignored = false;
  for (const pattern of patterns) {
    const exception = pattern.startsWith('!');
    if (patternToRegExp(exception ? pattern.slice(1) : pattern).test(file)) ignored = !exception;
  }
  return ignored;
}
