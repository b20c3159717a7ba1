import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Passwords are stored as self-describing scrypt hashes in the PHC string format:
 * `$scrypt$ln=15,r=8,p=1$<salt>$<hash>` (salt and hash in unpadded base64). The parameters travel with
 * the hash, so stronger settings later do not invalidate the hashes already in configuration files.
 */
const PREFIX = '$scrypt$';
const PATTERN = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]{16,})\$([A-Za-z0-9+/]{32,})$/;
export const PASSWORD_HASH_PATTERN = PATTERN.source;

/** 2^15 iterations, 32 MiB and roughly 50-100 ms per check on a small box: slow for guessing, fine for logins. */
export const DEFAULT_COST = 15;
const KEY_BYTES = 32;
const SALT_BYTES = 16;

export interface ParsedPasswordHash {
  readonly cost: number;
  readonly blockSize: number;
  readonly parallelization: number;
  readonly salt: Buffer;
  readonly hash: Buffer;
}

/** Undefined when the text is not a hash this module made; the config check reports it. */
export function parsePasswordHash(text: string): ParsedPasswordHash | undefined {
  const match = PATTERN.exec(text);
  if (!match) return undefined;
  const [cost, blockSize, parallelization] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (cost < 10 || cost > 20 || blockSize < 1 || parallelization < 1) return undefined;
  return { cost, blockSize, parallelization, salt: Buffer.from(match[4]!, 'base64'), hash: Buffer.from(match[5]!, 'base64') };
}

export async function hashPassword(password: string, cost = DEFAULT_COST): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(password, salt, KEY_BYTES, { N: 2 ** cost, r: 8, p: 1 });
  return `${PREFIX}ln=${cost},r=8,p=1$${unpadded(salt)}$${unpadded(hash)}`;
}

/** Constant-time comparison; false (never a throw) for a malformed stored hash. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parsePasswordHash(stored);
  if (!parsed) return false;
  const hash = await derive(password, parsed.salt, parsed.hash.length, { N: 2 ** parsed.cost, r: parsed.blockSize, p: parsed.parallelization });
  return timingSafeEqual(hash, parsed.hash);
}

function derive(password: string, salt: Buffer, length: number, options: ScryptOptions & { N: number; r: number; p: number }): Promise<Buffer> {
  const maxmem = 256 * options.N * options.r * options.p; // twice what scrypt needs; Node's default (32 MiB) is just too small for N=2^15
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, length, { ...options, maxmem }, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

function unpadded(buffer: Buffer): string {
  return buffer.toString('base64').replace(/=+$/, '');
}
