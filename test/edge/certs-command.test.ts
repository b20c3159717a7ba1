import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { listCertificates } from '../../gateway/opcua/certificate-trust.js';
import { trustFolderPath } from '../../gateway/opcua/pki-layout.js';
import { runCertsList, runCertsMove } from '../../edge/cli/certs-actions.js';
import { PACKAGE_ROOT } from '../../edge/package-paths.js';
import { tempFolder } from '../support/temp-folder.js';

const folder = tempFolder('certs-cli');
const dataDir = path.join(folder.path, 'data');
const pki = path.join(dataDir, 'pki', 'gateway');
let plcCertificate: string;
let plcThumbprint: string;

/** A self-signed server certificate made by openssl, as a PLC vendor's would be. */
function makeCertificate(name: string): { file: string; thumbprint: string } {
  const file = path.join(folder.path, `${name}.pem`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path.join(folder.path, `${name}-key.pem`), '-out', file, '-days', '30', '-subj', `/CN=${name}`, '-addext', `subjectAltName=URI:urn:${name}:plc`], { stdio: 'ignore' });
  const fingerprint = execFileSync('openssl', ['x509', '-in', file, '-noout', '-fingerprint', '-sha1'], { encoding: 'utf8' });
  return { file, thumbprint: fingerprint.replace(/^.*=/, '').replaceAll(':', '').trim().toLowerCase() };
}

let output: string[] = [];
beforeAll(() => {
  const plc = makeCertificate('press-7');
  plcCertificate = plc.file;
  plcThumbprint = plc.thumbprint;
  mkdirSync(trustFolderPath(pki, 'rejected'), { recursive: true });
  copyFileSync(plc.file, path.join(trustFolderPath(pki, 'rejected'), `press-7[${plcThumbprint}].pem`));
});

afterEach(() => {
  vi.restoreAllMocks();
  output = [];
});

afterAll(() => folder.remove());

function captureConsole(): void {
  vi.spyOn(console, 'log').mockImplementation((line: unknown) => void output.push(String(line)));
}

describe('millwright certs', () => {
  it('lists the refused server certificate with its thumbprint, subject and the command to trust it', async () => {
    captureConsole();
    await runCertsList({ data: dataDir });
    const text = output.join('\n');
    expect(text).toContain(`PKI ${pki}`);
    expect(text).toContain('own certificate (the other side trusts this one): not created yet');
    expect(text).toMatch(new RegExp(`rejected certificates \\(${trustFolderPath(pki, 'rejected')}\\):\\n    ${plcThumbprint}  CN=press-7, urn:press-7:plc, valid`));
    expect(text).toContain(`trusted certificates (${trustFolderPath(pki, 'trusted')}): none`);
    expect(text).toContain(`trust one with: millwright certs trust <thumbprint> --data ${dataDir}`);
  });

  it('trusts by the first digits of a thumbprint, and rejects again', async () => {
    captureConsole();
    await runCertsMove(plcThumbprint.slice(0, 10).toUpperCase(), 'trusted', { data: dataDir });
    let listing = await listCertificates(pki);
    expect(listing.trusted.map((certificate) => certificate.thumbprint)).toEqual([plcThumbprint]);
    expect(listing.rejected).toEqual([]);
    expect(output[0]).toBe(`trusted: ${plcThumbprint}  CN=press-7, urn:press-7:plc, valid ${listing.trusted[0]!.validFrom.toISOString().slice(0, 10)} to ${listing.trusted[0]!.validTo.toISOString().slice(0, 10)}`);

    await runCertsMove(plcCertificate, 'rejected', { pki, data: 'data' });
    listing = await listCertificates(pki);
    expect(listing.trusted).toEqual([]);
    expect(listing.rejected.map((certificate) => certificate.thumbprint)).toEqual([plcThumbprint]);
  });

  it('says what was wrong with an unknown thumbprint, a non-certificate and a missing folder', async () => {
    await expect(runCertsMove('deadbeef00', 'trusted', { data: dataDir })).rejects.toThrow(/no certificate with thumbprint deadbeef00 in .*rejected or .*trusted\/certs; `millwright certs list` shows them/);
    await expect(runCertsMove('press 7', 'trusted', { data: dataDir })).rejects.toThrow('"press 7" is neither a certificate file nor a thumbprint');
    await expect(runCertsMove(path.join(folder.path, 'press-7-key.pem'), 'trusted', { data: dataDir })).rejects.toThrow(/press-7-key\.pem is not a certificate \(PEM or DER\)/);
    await expect(runCertsList({ data: path.join(folder.path, 'nowhere') })).rejects.toThrow(/no OPC UA certificate folder at .*nowhere\/pki\/gateway: the gateway creates it on its first start/);
    expect(readdirSync(trustFolderPath(pki, 'rejected'))).toHaveLength(1);
  });

  it('runs from the command line with a configuration naming the PKI folder', () => {
    const config = path.join(folder.path, 'box.yaml');
    writeFileSync(
      config,
      [
        `dataDir: ${dataDir}`,
        'sources:',
        '  - { id: press, kind: opcua, endpoint: "opc.tcp://127.0.0.1:4840", nodes: [{ nodeId: "ns=1;s=x", asset: press-7, signal: force }] }',
        'assets:',
        '  press-7: { kind: hydraulic-press, signals: { force: { unit: kN } } }',
      ].join('\n'),
    );
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm')).href;
    const cli = path.join(PACKAGE_ROOT, 'edge', 'cli', 'main.ts');
    const result = spawnSync(process.execPath, ['--import', tsx, cli, 'certs', 'list', '--config', config], { encoding: 'utf8', timeout: 60_000 });
    expect(result.stderr).not.toMatch(/error/i);
    expect(result.stdout).toContain(`PKI ${pki} (sources: press)`);
    expect(result.stdout).toContain(plcThumbprint);
    expect(result.status).toBe(0);
  }, 60_000);
});
