import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { verifyPassword } from '../../../edge/console/password-hash.js';
import { PACKAGE_ROOT } from '../../../edge/package-paths.js';

const CLI = path.join(PACKAGE_ROOT, 'edge', 'cli', 'main.ts');
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm')).href;

async function hashPasswordCommand(stdin: string, args: string[] = []): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', TSX_LOADER, CLI, 'hash-password', ...args]);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end(stdin);
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}

describe('millwright hash-password', () => {
  it('prints a hash of the password piped to it, which the console accepts', async () => {
    const result = await hashPasswordCommand('s3cret-enough\n', ['--cost', '10']);
    expect(result.code).toBe(0);
    const hash = result.stdout.trim();
    expect(hash).toMatch(/^\$scrypt\$ln=10,r=8,p=1\$/);
    expect(await verifyPassword('s3cret-enough', hash)).toBe(true);
  });

  it('refuses a short password and prints nothing', async () => {
    const result = await hashPasswordCommand('short\n');
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('the password has 5 characters; use at least 8');
  });
});
