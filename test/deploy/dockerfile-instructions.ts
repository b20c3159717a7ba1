import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from '../../edge/package-paths.js';

export interface Instruction {
  readonly keyword: string;
  /** Everything after the keyword, continuation lines joined. */
  readonly argument: string;
  /** The stage's name (`FROM … AS name`), or its index when unnamed. */
  readonly stage: string;
  readonly line: number;
}

/** The Dockerfile's instructions in order: comments dropped, `\` continuations joined. */
export function readDockerfile(file = path.join(PACKAGE_ROOT, 'Dockerfile')): Instruction[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const instructions: Instruction[] = [];
  let stage = '';
  let stages = 0;
  for (let index = 0; index < lines.length; index += 1) {
    const first = index + 1;
    let text = lines[index]!.trim();
    if (text === '' || text.startsWith('#')) continue;
    while (text.endsWith('\\') && index + 1 < lines.length) {
      index += 1;
      const next = lines[index]!.trim();
      text = `${text.slice(0, -1).trimEnd()} ${next.startsWith('#') ? '' : next}`;
    }
    const [keyword = '', ...rest] = text.split(/\s+/);
    const argument = rest.join(' ');
    if (keyword.toUpperCase() === 'FROM') {
      stage = /\sAS\s+(\S+)/i.exec(` ${argument}`)?.[1] ?? String(stages);
      stages += 1;
    }
    instructions.push({ keyword: keyword.toUpperCase(), argument, stage, line: first });
  }
  return instructions;
}

/** The JSON (exec) form of CMD, ENTRYPOINT, HEALTHCHECK … CMD as an argument list. */
export function execForm(argument: string): string[] {
  const json = argument.slice(argument.indexOf('['));
  const parsed: unknown = JSON.parse(json);
  if (!Array.isArray(parsed) || !parsed.every((item) => typeof item === 'string')) throw new Error(`not an exec form: ${argument}`);
  return parsed;
}

/** `ENV A=1 B=2` (the key=value form) as a record, over every ENV of a stage. */
export function environmentOf(instructions: readonly Instruction[], stage: string): Record<string, string> {
  const environment: Record<string, string> = {};
  for (const instruction of instructions) {
    if (instruction.stage !== stage || instruction.keyword !== 'ENV') continue;
    for (const match of instruction.argument.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|\S+)/g)) environment[match[1]!] = match[2]!.replace(/^"|"$/g, '');
  }
  return environment;
}
