import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';

/** Asks on the terminal without echoing what is typed (passwords). */
export function askHidden(prompt: string): Promise<string> {
  process.stderr.write(prompt);
  const muted = new Writable({ write: (_chunk, _encoding, done) => done() });
  const reader = createInterface({ input: process.stdin, output: muted, terminal: true });
  return new Promise((resolve) => {
    reader.once('line', (line) => {
      reader.close();
      process.stderr.write('\n');
      resolve(line);
    });
  });
}

/** The first line of stdin, or undefined when it ends without one. */
export async function firstLineOfStdin(): Promise<string | undefined> {
  const reader = createInterface({ input: process.stdin });
  for await (const line of reader) {
    reader.close();
    return line;
  }
  return undefined;
}
