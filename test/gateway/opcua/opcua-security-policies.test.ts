import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { trustCertificate } from '../../../gateway/opcua/certificate-trust.js';
import { OpcuaSource } from '../../../gateway/opcua/opcua-source.js';
import type { OpcuaSourceConfig } from '../../../gateway/opcua/opcua-source-config.js';
import { ownCertificateFile, trustFolderPath } from '../../../gateway/opcua/pki-layout.js';
import { startSimulators, type SimulatorsHandle } from '../../../simulators/run-simulators.js';
import { placeStub } from '../../simulators/stub-machine.js';
import { tempFolder } from '../../support/temp-folder.js';
import { waitUntil } from '../../support/wait-until.js';
import { SampleRecorder } from './fixtures/sample-recorder.js';

/**
 * The gateway against the simulated PLC offering only SignAndEncrypt, with a user and no anonymous access:
 * each current policy, the first-start certificate, the refusal of an unknown server and its cure.
 */
const pki = tempFolder('opcua-policies');
const USER = { username: 'operator', password: 'pump-room-7' };
let simulators: SimulatorsHandle;
const sources: OpcuaSource[] = [];

beforeAll(async () => {
  simulators = await startSimulators({
    plant: [placeStub('pump-01', 'opcua')],
    plcPort: 0,
    tickMs: 50,
    pkiFolder: join(pki.path, 'simulator'),
    opcua: { securityModes: ['SignAndEncrypt'], users: [USER], allowAnonymous: false },
  });
}, 60_000);

afterEach(async () => {
  await Promise.all(sources.splice(0).map((source) => source.stop()));
});

afterAll(async () => {
  await simulators?.stop();
  pki.remove();
});

function source(policy: NonNullable<OpcuaSourceConfig['security']>['policy'], pkiFolder: string, auth = USER): OpcuaSource {
  const created = new OpcuaSource(
    {
      id: `plc-${policy}`,
      kind: 'opcua',
      endpoint: simulators.plcEndpoint,
      security: { mode: 'SignAndEncrypt', policy },
      auth,
      maxReconnectDelay: 500,
      nodes: [{ nodeId: 'ns=1;s=pump-01.speed', asset: 'pump-01', signal: 'speed', samplingInterval: 100 }],
    },
    { pkiFolder },
  );
  sources.push(created);
  return created;
}

describe('OPC UA SignAndEncrypt against the simulated PLC', { timeout: 120_000 }, () => {
  it.each(['Basic256Sha256', 'Aes128_Sha256_RsaOaep', 'Aes256_Sha256_RsaPss'] as const)(
    '%s: refuses the unknown server, says how to trust it, then delivers data once trusted',
    async (policy) => {
      const pkiFolder = join(pki.path, `gateway-${policy}`);
      const recorder = new SampleRecorder();
      const plc = source(policy, pkiFolder);
      await plc.start(recorder.emit);

      expect(existsSync(ownCertificateFile(pkiFolder))).toBe(true);
      await waitUntil(() => /not trusted/.test(plc.health().lastError ?? ''), 'the server certificate is reported as not trusted', 40_000);
      const [rejected, ...others] = readdirSync(trustFolderPath(pkiFolder, 'rejected'));
      expect(others).toEqual([]);
      const message = plc.health().lastError ?? '';
      expect(message).toContain(join(trustFolderPath(pkiFolder, 'rejected'), rejected!));
      const thumbprint = /millwright certs trust ([0-9a-f]{40}) --pki (\S+)`/.exec(message);
      expect(thumbprint?.[2]).toBe(pkiFolder);
      expect(plc.health().state).toBe('connecting');
      expect(recorder.samples).toEqual([]);

      const trusted = await trustCertificate(pkiFolder, thumbprint![1]!);
      expect(trusted.folder).toBe('trusted');
      expect(readdirSync(trustFolderPath(pkiFolder, 'rejected'))).toEqual([]);

      const speed = await recorder.waitForSignal('pump-01', 'speed', undefined, { timeoutMs: 40_000 });
      expect(speed.quality).toBe('good');
      // The first values can arrive while the subscription is still being completed.
      await waitUntil(() => plc.health().state === 'connected', 'the source reports itself connected');
    },
  );

  it('refuses a wrong password and names the user and the settings to check', async () => {
    const pkiFolder = join(pki.path, 'gateway-wrong-password');
    const plc = source('Basic256Sha256', pkiFolder, { username: 'operator', password: 'not-the-password' });
    await plc.start(() => undefined);
    await waitUntil(() => /not trusted/.test(plc.health().lastError ?? ''), 'the server certificate is reported as not trusted', 40_000);
    const [rejected] = readdirSync(trustFolderPath(pkiFolder, 'rejected'));
    await trustCertificate(pkiFolder, join(trustFolderPath(pkiFolder, 'rejected'), rejected!));

    await waitUntil(() => /refused user/.test(plc.health().lastError ?? ''), 'the wrong password is reported', 40_000);
    expect(plc.health().lastError).toMatch(/refused user 'operator' \(BadUserAccessDenied\); check auth\.username and auth\.password/);
    expect(plc.health().lastError).not.toContain('not-the-password');
    expect(plc.health().state).toBe('connecting');
  });
});
