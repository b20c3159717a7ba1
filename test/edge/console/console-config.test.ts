import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../edge/config/config-error.js';
import { configFromObject } from '../../../edge/config/load-config.js';

const HASH = '$scrypt$ln=10,r=8,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g';
const base = {
  sources: [{ id: 'sensors', kind: 'mqtt', url: 'mqtt://127.0.0.1:1883', mappings: [{ topic: 'a/b', asset: 'pump-01', signal: 'flow', value: '$' }] }],
  assets: { 'pump-01': { kind: 'pump', signals: { flow: { unit: 'm³/h' } } } },
};

function problems(console: unknown): string[] {
  try {
    configFromObject({ ...base, console }, 'plant.yaml', '/etc/millwright');
  } catch (error) {
    if (error instanceof ConfigError) return error.issues.map((issue) => `${issue.path}: ${issue.message}`);
    throw error;
  }
  return [];
}

describe('console configuration', () => {
  it('is optional, and filled with defaults when given', () => {
    expect(configFromObject(base, 'plant.yaml', '/etc/millwright').console).toBeNull();
    const config = configFromObject({ ...base, console: { users: [{ name: 'maria', role: 'operator', passwordHash: HASH }], tls: { certFile: 'tls/cert.pem', keyFile: '/k.pem' } } }, 'plant.yaml', '/etc/millwright');
    expect(config.console).toEqual({
      host: '127.0.0.1',
      port: 8080,
      publicOrigin: null,
      allowedOrigins: [],
      sessionHours: 12,
      users: [{ name: 'maria', role: 'operator', passwordHash: HASH }],
      tls: { certFile: '/etc/millwright/tls/cert.pem', keyFile: '/k.pem' },
    });
  });

  it('names what is wrong: unknown keys, roles, hashes, duplicate users, origins', () => {
    expect(problems({ users: [{ name: 'maria', role: 'operator', passwordHash: HASH }], prot: 1 })).toEqual(['console: unknown key "prot" — did you mean "port"?']);
    expect(problems({ users: [{ name: 'maria', role: 'boss', passwordHash: HASH }] })).toEqual([
      'console.users[0].role: must be one of "viewer", "operator", "maintenance", "admin" (got "boss")',
    ]);
    expect(problems({ users: [{ name: 'maria', role: 'viewer', passwordHash: 'secret' }] })[0]).toMatch(/^console\.users\[0\]\.passwordHash: "secret" is not allowed here \(made by "millwright hash-password"\)/);
    expect(problems({ users: [{ name: 'maria', role: 'viewer', passwordHash: HASH }, { name: 'Maria', role: 'admin', passwordHash: HASH }] })).toEqual([
      'console.users[1].name: user name "Maria" is already used by users[0] (names are compared without case)',
    ]);
    expect(problems({ users: [{ name: 'maria', role: 'viewer', passwordHash: HASH.replace('ln=10', 'ln=4') }] })[0]).toContain('cost ln must be 10..20');
    expect(problems({ users: [], publicOrigin: 'edge-7.plant.local' })).toEqual([
      'console.publicOrigin: "edge-7.plant.local" is not allowed here (scheme://host[:port], e.g. https://edge-7.plant.local:8443)',
      'console.users: needs at least 1 item(s)',
    ]);
  });
});
