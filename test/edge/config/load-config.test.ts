import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../edge/config/config-error.js';
import { configFromObject, loadConfigFile, parseConfigText } from '../../../edge/config/load-config.js';

const VALID = `
site: Millbrook
embeddedBroker: { port: 0 }
sources:
  - id: plc
    kind: opcua
    endpoint: opc.tcp://127.0.0.1:4840
    certificateFolder: pki
    nodes:
      - { nodeId: "ns=1;s=pump-01.flow", asset: pump-01, signal: flow }
  - id: sensors
    kind: mqtt
    url: embedded
    mappings:
      - topic: millbrook/packaging/+asset/motor/vt
        asset: "{asset}"
        samples: readings
        timestamp: { path: t, format: epoch-ms }
        signals: { motor_temp: temp_c }
      - topic: millbrook/packaging/meter-01/energy
        asset: meter-01
        signal: energy
        value: $
assets:
  pump-01:
    kind: centrifugal-pump
    signals:
      flow: { unit: m³/h, normal: [120, 180], limits: { low: 60, high: 200 } }
  meter-01:
    kind: energy-meter
    signals:
      energy: { unit: kWh }
`;

function problemsOf(text: string, environment: NodeJS.ProcessEnv = {}): string[] {
  try {
    parseConfigText(text, 'plant.yaml', '/etc/millwright', { environment });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).issues.map((issue) => `${issue.line ?? '-'}:${issue.path}: ${issue.message}`);
  }
  throw new Error('expected the configuration to be rejected');
}

describe('configuration loading', () => {
  it('accepts a valid file, fills defaults and anchors relative paths at the file', () => {
    const config = parseConfigText(VALID, 'plant.yaml', '/etc/millwright');
    expect(config.site).toBe('Millbrook');
    expect(config.dataDir).toBe('/etc/millwright/data');
    expect(config.embeddedBroker).toEqual({ host: '127.0.0.1', port: 0 });
    expect(config.statusIntervalSeconds).toBe(5);
    expect(config.sources).toHaveLength(2);
    const plc = config.sources[0]!;
    expect(plc.kind === 'opcua' && plc.certificateFolder).toBe('/etc/millwright/pki');
    expect(config.assets['pump-01']?.signals['flow']?.normal).toEqual([120, 180]);
  });

  it('names the line, the path and a likely fix for an unknown key', () => {
    const problems = problemsOf(VALID.replace('endpoint: opc', 'endpont: opc'));
    expect(problems).toContain('7:sources[0]: unknown key "endpont" — did you mean "endpoint"?');
    expect(problems).toContain('5:sources[0]: missing required key "endpoint" (opc.tcp://host:port[/path])');
  });

  it('reports wrong types and values with what was found', () => {
    const problems = problemsOf(
      VALID.replace('{ nodeId: "ns=1;s=pump-01.flow", asset: pump-01, signal: flow }', '{ nodeId: "ns=1;s=pump-01.flow", asset: pump-01, signal: flow, samplingInterval: fast }')
        .replace('format: epoch-ms', 'format: epoch-us'),
    );
    expect(problems).toContain('10:sources[0].nodes[0].samplingInterval: must be a number (got "fast")');
    expect(problems).toContain('18:sources[1].mappings[0].timestamp.format: must be one of "auto", "epoch-ms", "epoch-s", "iso8601" (got "epoch-us")');
  });

  it('rejects an unknown source kind and lists the known ones', () => {
    const problems = problemsOf(VALID.replace('kind: mqtt', 'kind: modbus'));
    expect(problems).toEqual(['12:sources[1].kind: unknown source kind "modbus": must be one of "opcua", "mqtt"']);
  });

  it('checks that mappings point at configured assets and signals', () => {
    const problems = problemsOf(VALID.replace('asset: pump-01, signal: flow', 'asset: pump-1, signal: flow').replace('signal: energy', 'signal: energy_total'));
    expect(problems).toContain('10:sources[0].nodes[0]: asset "pump-1" is not defined under assets — did you mean "pump-01"?');
    expect(problems).toContain('22:sources[1].mappings[1].signal: asset "meter-01" has no signal "energy_total" (known: energy)');
  });

  it('refuses a signal mapped twice, a duplicate source id and a template without its wildcard', () => {
    const doubled = VALID.replace(
      '      - { nodeId: "ns=1;s=pump-01.flow", asset: pump-01, signal: flow }',
      '      - { nodeId: "ns=1;s=pump-01.flow", asset: pump-01, signal: flow }\n      - { nodeId: "ns=1;s=pump-01.flow2", asset: pump-01, signal: flow }',
    )
      .replace('id: sensors', 'id: plc')
      .replace('asset: "{asset}"', 'asset: "{machine}"');
    const problems = problemsOf(doubled);
    expect(problems).toContain('11:sources[0].nodes[1]: pump-01/flow is already mapped by sources[0].nodes[0]; a signal has one source');
    expect(problems).toContain('12:sources[1].id: source id "plc" is already used by sources[0]');
    expect(problems).toContain('16:sources[1].mappings[0]: asset: template "{machine}" uses "{machine}" but the topic has no wildcard "+machine" or "#machine" (its named wildcards are "asset") (topic "millbrook/packaging/+asset/motor/vt")');
  });

  it('checks ranges, limits and ids of assets', () => {
    const problems = problemsOf(VALID.replace('normal: [120, 180], limits: { low: 60, high: 200 }', 'normal: [180, 120], limits: { low: 60, high: 50 }').replace('  meter-01:', '  "meter 01":'));
    expect(problems).toContain('29:assets: "meter 01" is not a valid id: use letters, digits, "-", "_" or "."');
    const ranges = problemsOf(VALID.replace('normal: [120, 180], limits: { low: 60, high: 200 }', 'normal: [180, 120], limits: { low: 60, high: 50 }'));
    expect(ranges).toContain('28:assets.pump-01.signals.flow.normal: normal range must be [low, high] with low < high (got [180, 120])');
    expect(ranges).toContain('28:assets.pump-01.signals.flow.limits: limits must increase: lowLow < low < high < highHigh');
  });

  it('reports YAML syntax errors and duplicate keys with their line', () => {
    expect(problemsOf('sources: [\nassets: {}')[0]).toMatch(/^\d+:: YAML syntax: /);
    const duplicate = problemsOf(VALID.replace('site: Millbrook', 'site: Millbrook\nsite: Other'));
    expect(duplicate[0]).toMatch(/^3:: YAML syntax: .*unique/i);
  });

  it('takes secrets from the environment and names an unset variable', () => {
    const withSecret = VALID.replace('certificateFolder: pki', 'certificateFolder: pki\n    auth: { username: gateway, password: "${PLC_PASSWORD}" }');
    const config = parseConfigText(withSecret, 'plant.yaml', '/etc/millwright', { environment: { PLC_PASSWORD: 's3cret' } });
    const plc = config.sources[0]!;
    expect(plc.kind === 'opcua' && plc.auth?.password).toBe('s3cret');
    expect(problemsOf(withSecret)).toEqual([
      '9:sources[0].auth.password: environment variable PLC_PASSWORD is not set (write ${PLC_PASSWORD:-default} to give a default)',
    ]);
  });

  it('refuses security settings that cannot work together', () => {
    const problems = problemsOf(VALID.replace('certificateFolder: pki', 'certificateFolder: pki\n    security: { mode: SignAndEncrypt, policy: None }'));
    expect(problems).toEqual([
      '9:sources[0].security: security.mode SignAndEncrypt needs a policy (Basic256Sha256, Aes128_Sha256_RsaOaep or Aes256_Sha256_RsaPss), not None',
    ]);
  });

  it('requires an embedded broker for url "embedded"', () => {
    const problems = problemsOf(VALID.replace('embeddedBroker: { port: 0 }\n', ''));
    expect(problems[0]).toMatch(/sources\[1\]\.url: url "embedded" needs an embeddedBroker section/);
  });

  it('validates objects built in code, without lines', () => {
    expect(() => configFromObject({ sources: [], assets: {} }, '<inline>', '/')).toThrow(/sources: needs at least 1 item/);
    expect(() => configFromObject('text', '<inline>', '/')).toThrow(/must be a mapping/);
  });

  describe('from a file', () => {
    let folder: string;
    beforeAll(async () => {
      folder = await mkdtemp(path.join(os.tmpdir(), 'millwright-config-'));
    });
    afterAll(async () => {
      await rm(folder, { recursive: true, force: true });
    });

    it('names a missing file', async () => {
      await expect(loadConfigFile(path.join(folder, 'absent.yaml'))).rejects.toThrow(/absent\.yaml: [\s\S]*file not found/);
    });

    it('prefixes each problem with file:line:column', async () => {
      const file = path.join(folder, 'plant.yaml');
      await writeFile(file, VALID.replace('endpoint: opc', 'endpont: opc'));
      await expect(loadConfigFile(file)).rejects.toThrow(`${file}:7:5  sources[0]: unknown key "endpont"`);
    });
  });
});
