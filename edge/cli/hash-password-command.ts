import { hashPassword } from '../console/password-hash.js';
import { askHidden, firstLineOfStdin } from './terminal-input.js';

const MIN_LENGTH = 8;

/**
 * `millwright hash-password`: prints the scrypt hash of a password for `console.users[].passwordHash`.
 * The password is read from the terminal without echo (asked twice), or as the first line of stdin
 * when piped; never from the command line, where it would land in the shell history.
 */
export async function runHashPassword(options: { cost: number }): Promise<void> {
  const password = process.stdin.isTTY ? await askTwice() : await firstLine();
  if (password.length < MIN_LENGTH) throw new Error(`the password has ${password.length} characters; use at least ${MIN_LENGTH}`);
  console.log(await hashPassword(password, options.cost));
}

async function askTwice(): Promise<string> {
  const first = await askHidden('password: ');
  const second = await askHidden('again: ');
  if (first !== second) throw new Error('the two passwords differ; nothing was printed');
  return first;
}

async function firstLine(): Promise<string> {
  const line = await firstLineOfStdin();
  if (line !== undefined) return line;
  throw new Error('no password on stdin: pipe one line, e.g. printf "%s\\n" "$PASSWORD" | millwright hash-password');
}
