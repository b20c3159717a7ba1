import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAsk } from '../../../edge/cli/ask-command.js';
import { PACKAGE_ROOT } from '../../../edge/package-paths.js';
import { freePort } from '../../support/free-port.js';
import { ConsoleHarness, PASSWORD } from './fixtures/console-harness.js';
import { ANSWER_TOKENS, ScriptedAssistant } from './fixtures/scripted-assistant.js';

const CLI = path.join(PACKAGE_ROOT, 'edge', 'cli', 'main.ts');
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm')).href;

async function millwrightAsk(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const { MILLWRIGHT_TOKEN: _token, MILLWRIGHT_PASSWORD: _password, MILLWRIGHT_URL: _url, ...inherited } = process.env;
  const child = spawn(process.execPath, ['--import', TSX_LOADER, CLI, 'ask', ...args], { env: { ...inherited, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end();
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}

/** Collects what runAsk writes. */
const sink = () => {
  const chunks: string[] = [];
  return { chunks, write: (text: string) => chunks.push(text), get text() { return chunks.join(''); } };
};

describe('millwright ask', () => {
  let harness: ConsoleHarness;
  let assistant: ScriptedAssistant;

  beforeAll(async () => {
    harness = await ConsoleHarness.start();
    assistant = new ScriptedAssistant();
    harness.server.attachAssistant(assistant);
  });
  afterAll(() => harness.stop());

  it('asks a running console as a user and streams the answer, with the cited sections listed', async () => {
    const result = await millwrightAsk(['why does pump-01 vibrate?', '--url', harness.url, '--user', 'operator'], { MILLWRIGHT_PASSWORD: PASSWORD('operator') });
    expect(result.stderr).toMatch(/^\(conversation conv-\d+; continue it with --conversation conv-\d+\)\n$/);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      `${ANSWER_TOKENS.join('')}\n\nSources:\n  [M1] Centrifugal pump CP-200 › Troubleshooting › High vibration at the drive end (T-PUMP-01)\n`,
    );
    expect(assistant.asked.at(-1)).toMatchObject({ user: 'operator', role: 'operator', conversationId: null, text: 'why does pump-01 vibrate?' });
  });

  it('exits non-zero with a clear message on a wrong password, an unreachable console, or no assistant', async () => {
    const refused = await millwrightAsk(['hello', '--url', harness.url, '--user', 'operator'], { MILLWRIGHT_PASSWORD: 'wrong' });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('millwright: /api/tokens answered 401: ');

    const nobody = await millwrightAsk(['hello', '--url', harness.url]);
    expect(nobody.code).toBe(1);
    expect(nobody.stderr).toContain('say who asks: --token T');

    const closed = new URL(`http://127.0.0.1:${await freePort()}`);
    await expect(runAsk('hello', { url: closed.origin, token: 'x', out: sink(), err: sink() })).rejects.toThrow(`cannot reach the console at ${closed.origin} (ECONNREFUSED)`);

    harness.server.attachAssistant(null);
    try {
      const token = (await harness.request('POST', '/api/tokens', { body: { name: 'viewer', password: PASSWORD('viewer') } })).body.token as string;
      const unavailable = await millwrightAsk(['hello', '--url', harness.url, '--token', token]);
      expect(unavailable.code).toBe(1);
      expect(unavailable.stderr).toContain(`millwright: the box at ${harness.url}/ has no assistant attached (no assistant attached yet)`);
    } finally {
      harness.server.attachAssistant(assistant);
    }
  });

  it('renders live values and an action proposal readably, continues a conversation, and fails when the answer does', async () => {
    const token = (await harness.request('POST', '/api/tokens', { body: { name: 'maintenance', password: PASSWORD('maintenance') } })).body.token as string;
    const out = sink();
    const err = sink();
    await runAsk('show the values and draft a work order', { url: harness.url, token, out, err });
    expect(out.text).toContain(`${ANSWER_TOKENS.join('')}\n\n■ Cooling water pump 1 (pump-01) — live values\n  vibration_de         5.2 mm/s       above-high, normal 0.5–2.8\n`);
    expect(out.text).toContain(
      '■ Alert 1 — pump-01: what the model found\n  pump-01 deviates from normal: vibration_de (62 %)\n  anomaly score 3.4, threshold 1\n  vibration_de         4.9 mm/s       62 % of the score, 22 σ from normal\n',
    );
    expect(out.text).toContain('▶ Proposed action: Draft a work order for pump-01: replace the drive-end bearing (high)\n  draft-work-order {"asset":"pump-01","priority":"high"}, expires ');
    expect(out.text).toMatch(/Nothing runs until you confirm it in the console \(action act-\d+\)\.\n\nSources:\n {2}\[M1\] /);
    const conversationId = /--conversation (\S+)\)/.exec(err.text)![1]!;

    await runAsk('and then?', { url: harness.url, token, conversation: conversationId, out: sink(), err: sink() });
    expect(assistant.asked.at(-1)).toMatchObject({ user: 'maintenance', conversationId });
    await expect(runAsk('please fail', { url: harness.url, token, out: sink(), err: sink() })).rejects.toThrow(
      'the answer failed: the assistant failed: the language model did not answer (scripted failure)',
    );
  });
});
