import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OpcuaSource } from '../../../gateway/opcua/opcua-source.js';
import type { OpcuaSourceConfig } from '../../../gateway/opcua/opcua-source-config.js';
import { startFixtureServer, type FixtureServer } from './fixtures/fixture-server.js';
import { PLANT_NODE } from './fixtures/plant-address-space.js';
import { SampleRecorder } from './fixtures/sample-recorder.js';
import { tempFolder } from '../../support/temp-folder.js';
import { waitUntil } from '../../support/wait-until.js';

const pki = tempFolder('opcua-security');
const clientPki = join(pki.path, 'client');
/** A client PKI that trusts the server from the start. */
const trustingPki = join(pki.path, 'client-trusting');
let server: FixtureServer;
const sources: OpcuaSource[] = [];

beforeAll(async () => {
  server = await startFixtureServer({ pkiFolder: join(pki.path, 'server'), tickMs: 100, secureOnly: true, users: { operator: 's3cret' } });
  mkdirSync(join(trustingPki, 'trusted', 'certs'), { recursive: true });
  copyFileSync(join(pki.path, 'server', 'own', 'certs', 'certificate.pem'), join(trustingPki, 'trusted', 'certs', 'test-plant.pem'));
});

afterEach(async () => {
  await Promise.all(sources.splice(0).map((source) => source.stop()));
});

afterAll(async () => {
  await server?.stop();
  pki.remove();
});

function secureSource(overrides: Partial<OpcuaSourceConfig>): OpcuaSource {
  const source = new OpcuaSource({
    id: 'plc-secure',
    kind: 'opcua',
    endpoint: server.endpoint,
    security: { mode: 'SignAndEncrypt', policy: 'Basic256Sha256' },
    auth: { username: 'operator', password: 's3cret' },
    certificateFolder: clientPki,
    maxReconnectDelay: 500,
    nodes: [{ nodeId: PLANT_NODE.flow, asset: 'pump-01', signal: 'flow' }],
    ...overrides,
  });
  sources.push(source);
  return source;
}

describe('OpcuaSource security', () => {
  it('does not trust an unknown server certificate, says where it went and connects once it is moved into trusted/', async () => {
    const recorder = new SampleRecorder();
    const source = secureSource({});
    await source.start(recorder.emit);

    const rejectedFolder = join(clientPki, 'rejected');
    await waitUntil(() => /not trusted/.test(source.health().lastError ?? ''), 'the certificate is reported as not trusted');
    const [rejected, ...others] = readdirSync(rejectedFolder);
    expect(others).toEqual([]);
    expect(rejected).toBeDefined();
    const lastError = source.health().lastError ?? '';
    expect(lastError).toContain(server.endpoint);
    expect(lastError).toContain(join(rejectedFolder, rejected!));
    expect(lastError).toContain(`move that file into ${join(clientPki, 'trusted', 'certs')}/`);
    expect(source.health().state).toBe('connecting');
    expect(recorder.samples).toEqual([]);

    renameSync(join(rejectedFolder, rejected!), join(clientPki, 'trusted', 'certs', rejected!));
    const flow = await recorder.waitForSignal('pump-01', 'flow', undefined, { timeoutMs: 15_000 });
    expect(flow.quality).toBe('good');
    // The first values can arrive while the subscription is still being completed.
    await waitUntil(() => source.health().state === 'connected', 'the source reports itself connected');
    expect(existsSync(join(rejectedFolder, rejected!))).toBe(false);
  });

  it('names the refused user', async () => {
    const source = secureSource({ certificateFolder: trustingPki, auth: { username: 'operator', password: 'wrong' } });
    await source.start(() => undefined);
    await waitUntil(() => /refused user 'operator'/.test(source.health().lastError ?? ''), 'the wrong password is reported');
    expect(source.health().lastError).toMatch(/BadUserAccessDenied.*check auth\.username and auth\.password/);
    expect(source.health().state).toBe('connecting');
  });

  it('says when the server wants a user or another security mode', async () => {
    const anonymous = secureSource({ id: 'plc-anonymous', certificateFolder: trustingPki, auth: undefined });
    const plain = secureSource({ id: 'plc-plain', certificateFolder: trustingPki, security: undefined });
    await Promise.all([anonymous.start(() => undefined), plain.start(() => undefined)]);
    await waitUntil(() => anonymous.health().lastError !== null && plain.health().lastError !== null, 'both report their error');
    expect(anonymous.health().lastError).toMatch(/does not accept anonymous sessions.*set auth\.username and auth\.password/);
    expect(plain.health().lastError).toMatch(/offers no endpoint with security mode None and policy None/);
  });

  it('rejects contradictory security settings before connecting', () => {
    expect(() => secureSource({ security: { mode: 'Sign', policy: 'None' } })).toThrow(/security\.mode Sign needs a policy/);
    expect(() => secureSource({ security: { mode: 'None', policy: 'Basic256Sha256' } })).toThrow(/security\.mode None cannot use policy Basic256Sha256/);
  });
});
