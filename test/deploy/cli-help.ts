import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { PACKAGE_ROOT } from '../../edge/package-paths.js';

const run = promisify(execFile);

export interface CommandHelp {
  /** Long flags the command takes, e.g. "--host", "--no-plant". */
  readonly flags: ReadonlySet<string>;
  /** Flags whose help shows a value ("--host <address>"). */
  readonly flagsWithValue: ReadonlySet<string>;
  readonly subcommands: ReadonlySet<string>;
}

const cache = new Map<string, Promise<CommandHelp>>();

/** What `millwright <words> --help` lists, from the CLI's own commander program (edge/cli/main.ts). */
export function commandHelp(words: readonly string[]): Promise<CommandHelp> {
  const key = words.join(' ');
  let help = cache.get(key);
  if (!help) {
    help = run(process.execPath, ['--import', 'tsx', path.join(PACKAGE_ROOT, 'edge/cli/main.ts'), ...words, '--help'], { cwd: PACKAGE_ROOT, timeout: 30_000 }).then(({ stdout }) =>
      parseHelp(stdout),
    );
    cache.set(key, help);
  }
  return help;
}

function parseHelp(text: string): CommandHelp {
  const section = (title: string) => {
    const start = text.indexOf(`\n${title}:\n`);
    if (start === -1) return [];
    const rest = text.slice(start + title.length + 3);
    const end = rest.search(/\n\S/);
    return (end === -1 ? rest : rest.slice(0, end)).split('\n').filter((line) => /^ {2}\S/.test(line));
  };
  const flags = new Set<string>();
  const flagsWithValue = new Set<string>();
  for (const line of section('Options')) {
    const definition = line.trim().split(/\s{2,}/)[0]!;
    const flag = /--[a-z][a-z0-9-]*/.exec(definition)?.[0];
    if (!flag) continue;
    flags.add(flag);
    if (/[<[]/.test(definition)) flagsWithValue.add(flag);
  }
  const subcommands = new Set(section('Commands').map((line) => line.trim().split(/\s+/)[0]!));
  return { flags, flagsWithValue, subcommands };
}

/**
 * Problems of `millwright ...args` against the real program: an unknown command or flag, a flag without
 * its value. Empty when the command line is one the CLI accepts.
 */
export async function commandLineProblems(args: readonly string[]): Promise<string[]> {
  if (args[0] !== 'millwright') return [`does not run millwright: ${args.join(' ')}`];
  const words: string[] = [];
  let help = await commandHelp(words);
  let index = 1;
  while (index < args.length && !args[index]!.startsWith('-') && help.subcommands.has(args[index]!)) {
    words.push(args[index]!);
    help = await commandHelp(words);
    index += 1;
  }
  if (words.length === 0) return [`no millwright command in: ${args.join(' ')}`];
  const problems: string[] = [];
  for (; index < args.length; index += 1) {
    const arg = args[index]!;
    if (!arg.startsWith('--')) {
      problems.push(`millwright ${words.join(' ')}: unexpected argument "${arg}"`);
      continue;
    }
    const flag = arg.split('=')[0]!;
    if (!help.flags.has(flag)) {
      problems.push(`millwright ${words.join(' ')} has no option ${flag} (it has ${[...help.flags].join(', ')})`);
      continue;
    }
    if (help.flagsWithValue.has(flag) && !arg.includes('=')) {
      const value = args[index + 1];
      if (value === undefined || value.startsWith('--')) problems.push(`millwright ${words.join(' ')}: ${flag} needs a value`);
      index += 1;
    }
  }
  return problems;
}
