import { describe, expect, it } from 'vitest';
import type { HistoryPoint } from '../../../gateway/signal-history.js';
import { downsampleMinMax } from '../../../edge/console/history-downsampling.js';
import { LoginGuard } from '../../../edge/console/login-guard.js';
import { OriginPolicy } from '../../../edge/console/origin-policy.js';
import { hashPassword, parsePasswordHash, verifyPassword } from '../../../edge/console/password-hash.js';
import { SessionStore, type Session } from '../../../edge/console/session-store.js';

describe('password hashes', () => {
  it('verifies the right password only, from a self-describing scrypt string', async () => {
    const hash = await hashPassword('correct horse', 10);
    expect(hash).toMatch(/^\$scrypt\$ln=10,r=8,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(parsePasswordHash(hash)).toMatchObject({ cost: 10, blockSize: 8, parallelization: 1 });
    expect(await verifyPassword('correct horse', hash)).toBe(true);
    expect(await verifyPassword('correct horse ', hash)).toBe(false);
    expect(await hashPassword('correct horse', 10)).not.toBe(hash); // a fresh salt each time
  });

  it('treats a malformed stored hash as a mismatch, never a crash', async () => {
    for (const stored of ['', 'plain-text', '$scrypt$ln=99,r=8,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g']) {
      expect(parsePasswordHash(stored)).toBeUndefined();
      expect(await verifyPassword('x', stored)).toBe(false);
    }
  });
});

describe('min/max downsampling', () => {
  const series = (values: number[]): HistoryPoint[] => values.map((value, i) => ({ ts: i * 10, value, quality: Number.isNaN(value) ? 'bad' : 'good' }));

  it('returns the points unchanged when they fit', () => {
    const points = series([1, 2, 3]);
    expect(downsampleMinMax(points, 3)).toEqual(points);
  });

  it('keeps each bucket\'s lowest and highest point in time order, within the budget', () => {
    const values = Array.from({ length: 1000 }, (_, i) => Math.sin(i / 20));
    values[123] = 50;
    values[789] = -50;
    const reduced = downsampleMinMax(series(values), 40);
    expect(reduced.length).toBeLessThanOrEqual(40);
    expect(reduced.map((p) => p.value)).toEqual(expect.arrayContaining([50, -50]));
    expect(reduced.map((p) => p.ts)).toEqual([...reduced.map((p) => p.ts)].sort((a, b) => a - b));
  });

  it('keeps a bad point of a bucket so the gap shows', () => {
    const values = Array.from({ length: 100 }, () => 1);
    values[55] = Number.NaN;
    expect(downsampleMinMax(series(values), 10).some((p) => p.quality === 'bad')).toBe(true);
  });
});

describe('origin policy', () => {
  const policy = (overrides: Partial<ConstructorParameters<typeof OriginPolicy>[0]> = {}) =>
    new OriginPolicy({ scheme: 'http', host: '127.0.0.1', port: 8080, publicOrigin: null, allowedOrigins: [], ...overrides });

  it('allows requests without an Origin, its own loopback origins, and configured ones', () => {
    const loopback = policy({ allowedOrigins: ['https://hmi.plant.local'] });
    expect(loopback.allows(undefined, undefined)).toBe(true);
    for (const origin of ['http://127.0.0.1:8080', 'http://localhost:8080', 'http://[::1]:8080', 'https://hmi.plant.local']) expect(loopback.allows(origin, 'x'), origin).toBe(true);
    for (const origin of ['http://127.0.0.1:8081', 'https://127.0.0.1:8080', 'http://evil.example', 'null', 'file://']) expect(loopback.allows(origin, 'x'), origin).toBe(false);
  });

  it('on all interfaces, accepts an IP address the browser used, but not a DNS name (rebinding)', () => {
    const any = policy({ host: '0.0.0.0' });
    expect(any.allows('http://10.0.4.7:8080', '10.0.4.7:8080')).toBe(true);
    expect(any.allows('http://attacker.example:8080', 'attacker.example:8080')).toBe(false);
    expect(any.allows('http://10.0.4.7:8080', '10.0.4.8:8080')).toBe(false);
    const named = policy({ host: '0.0.0.0', publicOrigin: 'https://edge-7.plant.local' });
    expect(named.allows('https://edge-7.plant.local', 'edge-7.plant.local')).toBe(true);
    expect(named.allows('https://edge-7.plant.local:443', 'edge-7.plant.local')).toBe(true);
  });
});

describe('login guard', () => {
  it('locks a name after repeated failures for the window, and a success clears the count', () => {
    let now = 0;
    const guard = new LoginGuard({ maxFailuresPerName: 3, maxFailuresPerIp: 100, windowMs: 60_000, now: () => now });
    guard.recordFailure('Maria', '10.0.0.1');
    guard.recordFailure('maria', '10.0.0.2');
    guard.recordSuccess('maria');
    guard.recordFailure('maria', '10.0.0.1');
    guard.recordFailure('maria', '10.0.0.1');
    expect(guard.lockedFor('maria', '10.0.0.9')).toBe(0);
    guard.recordFailure('MARIA', '10.0.0.3');
    expect(guard.lockedFor('maria', '10.0.0.9')).toBe(60_000);
    now = 59_999;
    expect(guard.lockedFor('maria', '10.0.0.9')).toBe(1);
    now = 60_000;
    expect(guard.lockedFor('maria', '10.0.0.9')).toBe(0);
  });

  it('locks an address that tries many names, and forgets failures older than the window', () => {
    let now = 0;
    const guard = new LoginGuard({ maxFailuresPerName: 100, maxFailuresPerIp: 3, windowMs: 1000, now: () => now });
    guard.recordFailure('a', 'ip');
    guard.recordFailure('b', 'ip');
    now = 1500;
    guard.recordFailure('c', 'ip');
    expect(guard.lockedFor('d', 'ip')).toBe(0);
    guard.recordFailure('d', 'ip');
    guard.recordFailure('e', 'ip');
    expect(guard.lockedFor('anyone', 'ip')).toBe(1000);
  });
});

describe('session store', () => {
  it('ends sessions at expiry, on logout and past the per-user limit, telling listeners', () => {
    let now = 0;
    const store = new SessionStore({ lifetimeMs: 1000, maxPerUser: 2, now: () => now });
    const ended: Session[] = [];
    store.onEnd((session) => ended.push(session));
    const first = store.create('maria', 'operator', 'cookie');
    const second = store.create('maria', 'operator', 'token');
    expect(first.id).not.toBe(second.id);
    expect(store.find(first.id)).toBe(first);
    store.create('maria', 'operator', 'cookie');
    expect(ended).toEqual([first]);
    store.end(second.id);
    expect(store.find(second.id)).toBeUndefined();
    now = 1000;
    expect(store.find(ended.at(-1)!.id)).toBeUndefined();
    store.sweep();
    expect(store.size).toBe(0);
    expect(ended).toHaveLength(3);
  });
});
