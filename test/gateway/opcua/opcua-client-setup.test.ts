import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { explainConnectionError, redactEndpoint, resolvePkiFolder, type OpcuaConnectionSettings } from '../../../gateway/opcua/opcua-client-setup.js';
import { checkSecuritySettings } from '../../../gateway/opcua/opcua-source-config.js';
import { tempFolder } from '../../support/temp-folder.js';

const pki = tempFolder('opcua-explain');
afterAll(() => pki.remove());

const settings: OpcuaConnectionSettings = {
  endpoint: 'opc.tcp://plc-7:4840',
  pkiFolder: pki.path,
  maxReconnectDelay: 2000,
  security: { mode: 'SignAndEncrypt', policy: 'Basic256Sha256' },
  auth: { username: 'operator', password: 'secret' },
};

describe('explainConnectionError', () => {
  it('points at the rejected server certificate and where to move it', () => {
    mkdirSync(join(pki.path, 'rejected'), { recursive: true });
    writeFileSync(join(pki.path, 'rejected', 'PLC7[ab12].pem'), 'x');
    const message = explainConnectionError(new Error('server Certificate verification failed with err BadCertificateUntrusted (0x801a0000)'), settings);
    expect(message).toBe(
      `the certificate of the OPC UA server at opc.tcp://plc-7:4840 is not trusted (BadCertificateUntrusted). It was saved in ${join(pki.path, 'rejected', 'PLC7[ab12].pem')}. ` +
        `If this is the right server, trust it with \`millwright certs trust <thumbprint> --pki ${pki.path}\` (or move that file into ${join(pki.path, 'trusted', 'certs')}/); ` +
        'the source keeps retrying and connects once it is trusted.',
    );
  });

  it('tells which side refused what', () => {
    expect(explainConnectionError(new Error('The connection has been rejected by server: BadSecurityChecksFailed (0x80130000)'), settings)).toMatch(
      new RegExp(`refused this client's certificate \\(BadSecurityChecksFailed\\)\\. Trust ${join(pki.path, 'own', 'certs', 'client_certificate.pem')} \\(this gateway's certificate\\)`),
    );
    expect(explainConnectionError(new Error('BadUserAccessDenied (0x801f0000)'), settings)).toMatch(/refused user 'operator' \(BadUserAccessDenied\)/);
    expect(explainConnectionError(new Error('Cannot find ANONYMOUS user token policy in end point description'), { ...settings, auth: undefined })).toMatch(
      /does not accept anonymous sessions/,
    );
    expect(explainConnectionError(new Error('connect ECONNREFUSED 127.0.0.1:4840'), settings)).toBe('nothing accepts connections at opc.tcp://plc-7:4840 (connection refused)');
    expect(explainConnectionError(new Error('something odd'), settings)).toBe('cannot connect to opc.tcp://plc-7:4840: something odd');
  });
});

describe('connection settings', () => {
  it('never shows credentials of an endpoint', () => {
    expect(redactEndpoint('opc.tcp://user:pw@plc-7:4840/UA')).toBe('opc.tcp://plc-7:4840/UA');
    expect(redactEndpoint('opc.tcp://plc-7:4840')).toBe('opc.tcp://plc-7:4840');
  });

  it('takes the configured certificate folder first, the caller\'s next, and never a default one', () => {
    expect(resolvePkiFolder('pki/plc', '/data/pki', 'x')).toBe(resolve('pki/plc'));
    expect(resolvePkiFolder(undefined, '/data/pki', 'x')).toBe('/data/pki');
    expect(() => resolvePkiFolder(undefined, undefined, "OPC UA source 'plc'")).toThrow(/OPC UA source 'plc': no folder for the OPC UA certificates/);
  });

  it('accepts matching security settings', () => {
    expect(() => checkSecuritySettings(undefined, 'x')).not.toThrow();
    expect(() => checkSecuritySettings({ mode: 'None', policy: 'None' }, 'x')).not.toThrow();
    expect(() => checkSecuritySettings({ mode: 'Sign', policy: 'Aes256_Sha256_RsaPss' }, 'x')).not.toThrow();
  });
});
