import type { ChatStreamMessage } from '../console/ws-messages.js';
import { AnswerPrinter } from './answer-printer.js';
import { askHidden, firstLineOfStdin } from './terminal-input.js';

export interface AskOptions {
  /** The console's address, e.g. http://127.0.0.1:8080. */
  readonly url: string;
  readonly token?: string;
  /** A console user; the password comes from MILLWRIGHT_PASSWORD, the terminal, or the first line of stdin. */
  readonly user?: string;
  readonly conversation?: string;
  readonly out?: { write(text: string): unknown };
  /** Where the conversation id and notes go (not part of the answer). */
  readonly err?: { write(text: string): unknown };
  readonly password?: () => Promise<string>;
}

/**
 * `millwright ask "question"`: asks a running box's assistant through its console (POST /api/ask) and
 * prints the answer as it streams. Throws with what went wrong (unreachable, refused credentials, no
 * assistant, the assistant failed), so the command exits non-zero.
 */
export async function runAsk(question: string, options: AskOptions): Promise<void> {
  const out = options.out ?? process.stdout;
  const err = options.err ?? process.stderr;
  const base = consoleUrl(options.url);
  const token = options.token ?? process.env['MILLWRIGHT_TOKEN'] ?? (options.user === undefined ? undefined : await logIn(base, options.user, options.password ?? readPassword));
  if (token === undefined) throw new Error('say who asks: --token T (from POST /api/tokens, or MILLWRIGHT_TOKEN), or --user U (password from MILLWRIGHT_PASSWORD or asked)');
  const response = await call(base, '/api/ask', { text: question, ...(options.conversation === undefined ? {} : { conversationId: options.conversation }) }, token);
  const printer = new AnswerPrinter(out);
  let done: Extract<ChatStreamMessage, { type: 'chat.done' }> | undefined;
  for await (const message of ndjsonMessages(response)) {
    printer.print(message);
    if (message.type === 'chat.done') done = message;
  }
  if (printer.conversationId !== null) err.write(`(conversation ${printer.conversationId}; continue it with --conversation ${printer.conversationId})\n`);
  if (done === undefined) throw new Error(`the answer from ${base} broke off before its end; ask again`);
  if (done.status === 'unavailable') throw new Error(`the box at ${base} has no assistant attached (${done.message ?? 'unavailable'})`);
  if (done.status !== 'complete') throw new Error(`the answer ${done.status === 'cancelled' ? 'was cancelled' : 'failed'}${done.message ? `: ${done.message}` : ''}`);
}

function consoleUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`--url ${JSON.stringify(url)} is not a URL; give the console's address, e.g. http://127.0.0.1:8080`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error(`--url ${url}: use http:// or https://`);
  return parsed;
}

async function logIn(base: URL, user: string, password: () => Promise<string>): Promise<string> {
  const answer = (await (await call(base, '/api/tokens', { name: user, password: await password() })).json()) as { token: string };
  return answer.token;
}

async function readPassword(): Promise<string> {
  const fromEnvironment = process.env['MILLWRIGHT_PASSWORD'];
  if (fromEnvironment !== undefined) return fromEnvironment;
  const password = process.stdin.isTTY ? await askHidden('password: ') : await firstLineOfStdin();
  if (password === undefined) throw new Error('no password: set MILLWRIGHT_PASSWORD, type it on a terminal, or pipe it as the first line of stdin');
  return password;
}

/** POSTs JSON; a refusal becomes an error with the console's own message. */
async function call(base: URL, path: string, body: unknown, token?: string): Promise<Response> {
  const url = new URL(path, base);
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) },
      body: JSON.stringify(body),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new Error(`cannot reach the console at ${base.origin} (${cause?.code ?? cause?.message ?? (error as Error).message}); is the box running, and is --url right?`);
  }
  if (response.ok) return response;
  const text = await response.text();
  let message = text.slice(0, 500);
  try {
    message = (JSON.parse(text) as { message?: string }).message ?? message;
  } catch {
    // not the console's JSON error: show the text as it came
  }
  throw new Error(`${url.pathname} answered ${response.status}: ${message}`);
}

async function* ndjsonMessages(response: Response): AsyncGenerator<ChatStreamMessage> {
  if (response.body === null) return;
  let pending = '';
  for await (const chunk of response.body.pipeThrough(new TextDecoderStream())) {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop()!;
    for (const line of lines) if (line.trim() !== '') yield JSON.parse(line) as ChatStreamMessage;
  }
}
