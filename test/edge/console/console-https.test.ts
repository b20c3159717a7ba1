import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import path from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempFolder } from '../../support/temp-folder.js';
import { ConsoleHarness, PASSWORD } from './fixtures/console-harness.js';

/** A POST over HTTPS trusting only the test's own certificate. */
function post(url: string, body: unknown, ca: Buffer): Promise<{ status: number; cookies: string[]; body: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { method: 'POST', ca, headers: { 'content-type': 'application/json' } }, (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, cookies: response.headers['set-cookie'] ?? [], body: text }));
    });
    outgoing.on('error', reject);
    outgoing.end(JSON.stringify(body));
  });
}

describe('console over HTTPS', () => {
  const folder = tempFolder('console-tls');
  const certFile = path.join(folder.path, 'cert.pem');
  const keyFile = path.join(folder.path, 'key.pem');
  let harness: ConsoleHarness;

  beforeAll(async () => {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', keyFile, '-out', certFile], { stdio: 'ignore' });
    harness = await ConsoleHarness.start({ settings: { tls: { certFile, keyFile } } });
  });
  afterAll(async () => {
    await harness?.stop();
    folder.remove();
  });

  it('serves HTTPS with a Secure session cookie, and WebSockets over TLS', async () => {
    expect(harness.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const ca = readFileSync(certFile);
    const login = await post(`${harness.url}/api/session`, { name: 'viewer', password: PASSWORD('viewer') }, ca);
    expect(login.status).toBe(200);
    expect(login.cookies[0]).toMatch(/; Secure/);
    const socket = new WebSocket(`${harness.url.replace('https', 'wss')}/ws`, { ca, headers: { cookie: login.cookies[0]!.split(';')[0]! }, origin: harness.url });
    const welcome = await new Promise<{ type: string }>((resolve, reject) => {
      socket.once('message', (data) => resolve(JSON.parse(data.toString()) as { type: string }));
      socket.once('error', reject);
    });
    expect(welcome.type).toBe('welcome');
    socket.close();
  });
});
