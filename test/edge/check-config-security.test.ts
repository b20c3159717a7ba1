import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { runCheckConfig } from '../../edge/cli/check-config-command.js';
import { tempFolder } from '../support/temp-folder.js';

const folder = tempFolder('check-config-security');
afterAll(() => folder.remove());
afterEach(() => vi.restoreAllMocks());

describe('check-config', () => {
  it('says how each source is secured, so a plain connection is seen before it goes live, without any password', async () => {
    const file = path.join(folder.path, 'box.yaml');
    const mapping = 'mappings: [{ topic: "plant/+asset/flow", asset: "{asset}", signal: flow, value: $ }]';
    writeFileSync(
      file,
      `
embeddedBroker: { port: 0 }
sources:
  - { id: secure-plc, kind: opcua, endpoint: "opc.tcp://10.0.0.7:4840", security: { mode: SignAndEncrypt, policy: Aes128_Sha256_RsaOaep }, auth: { username: gateway, password: hunter2 }, nodes: [{ nodeId: "ns=1;s=a", asset: pump-01, signal: flow }] }
  - { id: plain-plc, kind: opcua, endpoint: "opc.tcp://10.0.0.8:4840", nodes: [{ nodeId: "ns=1;s=b", asset: pump-02, signal: flow }] }
  - { id: tls-sensors, kind: mqtt, url: "mqtts://sensors:hunter3@broker:8883", tls: { caFile: ca.pem }, ${mapping} }
  - { id: careless, kind: mqtt, url: "mqtts://broker:8883", tls: { rejectUnauthorized: false }, auth: { username: edge, password: hunter4 }, ${mapping} }
  - { id: plain, kind: mqtt, url: "mqtt://broker:1883", ${mapping} }
  - { id: local, kind: mqtt, url: embedded, ${mapping} }
assets:
  pump-01: { kind: centrifugal-pump, signals: { flow: { unit: m³/h } } }
  pump-02: { kind: centrifugal-pump, signals: { flow: { unit: m³/h } } }
`,
    );
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((line: unknown) => void lines.push(String(line)));
    await runCheckConfig(file);
    const sources = lines.filter((line) => line.startsWith('  source '));
    expect(sources).toEqual([
      '  source secure-plc (opcua): opc.tcp://10.0.0.7:4840, 1 nodes; SignAndEncrypt with Aes128_Sha256_RsaOaep, user gateway',
      '  source plain-plc (opcua): opc.tcp://10.0.0.8:4840, 1 nodes; security None (unsigned, unencrypted), no user',
      `  source tls-sensors (mqtt): mqtts://broker:8883, 1 topic mappings; TLS trusting ${path.join(folder.path, 'ca.pem')}, user sensors`,
      '  source careless (mqtt): mqtts://broker:8883, 1 topic mappings; TLS WITHOUT certificate checks, user edge',
      '  source plain (mqtt): mqtt://broker:1883, 1 topic mappings; no TLS, no user',
      '  source local (mqtt): embedded, 1 topic mappings; the embedded broker, no user',
    ]);
    expect(lines.join('\n')).not.toMatch(/hunter/);
  });
});
