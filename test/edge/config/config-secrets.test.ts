import { chmodSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../edge/config/config-error.js';
import type { MillwrightConfig } from '../../../edge/config/config-schema.js';
import { parseConfigText } from '../../../edge/config/load-config.js';
import { tempFolder } from '../../support/temp-folder.js';

const folder = tempFolder('config-secrets');
afterAll(() => folder.remove());

function configWith(plcPassword: string, mqttPassword: string): string {
  return `
sources:
  - id: plc
    kind: opcua
    endpoint: opc.tcp://127.0.0.1:4840
    auth: { username: gateway, password: "${plcPassword}" }
    nodes: [{ nodeId: "ns=1;s=pump-01.flow", asset: pump-01, signal: flow }]
  - id: sensors
    kind: mqtt
    url: mqtts://broker.plant.local:8883
    auth: { username: edge, password: "${mqttPassword}" }
    mappings: [{ topic: plant/+asset/flow, asset: "{asset}", signal: flow, value: $ }]
assets:
  pump-01: { kind: centrifugal-pump, signals: { flow: { unit: m³/h } } }
`;
}

/** Each source's password as the configuration resolved it, by source id. */
function passwordsOf(config: MillwrightConfig): Record<string, string | undefined> {
  return Object.fromEntries(config.sources.map((source) => [source.id, source.auth?.password]));
}

function problemsOf(text: string, environment: NodeJS.ProcessEnv = {}): string[] {
  try {
    parseConfigText(text, 'plant.yaml', folder.path, { environment });
  } catch (error) {
    if (error instanceof ConfigError) return error.issues.map((issue) => `${issue.line ?? ''}:${issue.path}: ${issue.message}`);
    throw error;
  }
  return [];
}

describe('secrets in the configuration', () => {
  it('reads ${file:PATH} relative to the configuration, without its trailing newline, beside ${VAR}', () => {
    writeFileSync(path.join(folder.path, 'plc-password'), 'correct horse\n');
    const config = parseConfigText(configWith('${file:plc-password}', '${MQTT_PASSWORD}'), 'plant.yaml', folder.path, { environment: { MQTT_PASSWORD: 'battery staple' } });
    expect(passwordsOf(config)).toEqual({ plc: 'correct horse', sensors: 'battery staple' });
  });

  it('takes an absolute path as it is, and keeps "$$" a literal dollar', () => {
    const file = path.join(folder.path, 'absolute-secret');
    writeFileSync(file, 'pa$$word');
    const config = parseConfigText(configWith(`\${file:${file}}`, 'cost$$5'), 'plant.yaml', '/elsewhere', {});
    expect(passwordsOf(config)).toEqual({ plc: 'pa$$word', sensors: 'cost$5' });
  });

  it('names the field and the file it cannot read, and never a value', () => {
    const unreadable = path.join(folder.path, 'root-only');
    writeFileSync(unreadable, 'hidden');
    chmodSync(unreadable, 0o000);
    const problems = problemsOf(configWith('${file:missing-secret}', `\${file:${unreadable}}`));
    expect(problems[0]).toBe(`6:sources[0].auth.password: cannot read the secret file ${path.join(folder.path, 'missing-secret')} (\${file:...}): no such file`);
    // root reads any file whatever its mode; the check only means something for other users
    if (process.getuid?.() !== 0) expect(problems[1]).toMatch(/^11:sources\[1\]\.auth\.password: cannot read the secret file .*root-only .*permission denied/);
    expect(problems.join('\n')).not.toContain('hidden');
  });
});
