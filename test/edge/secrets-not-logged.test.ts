import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createServer, type Server } from 'node:tls';
import { pathToFileURL } from 'node:url';
import { Aedes } from 'aedes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatewayPkiFolder, trustFolderPath } from '../../gateway/opcua/pki-layout.js';
import { PACKAGE_ROOT } from '../../edge/package-paths.js';
import { startSimulators, type SimulatorsHandle } from '../../simulators/run-simulators.js';
import { placeStub } from '../simulators/stub-machine.js';
import { makeThrowawayCa } from '../support/throwaway-ca.js';
import { tempFolder } from '../support/temp-folder.js';

/**
 * `millwright start` at debug level with every kind of secret the configuration can hold (docs/threat-model.md,
 * "secrets in logs"): an OPC UA password from a file, an MQTT password from the environment, one inside a
 * broker URL, and a wrong one the broker refuses. The whole output, stdout and stderr, must hold none of them.
 */
const SECRETS = {
  plc: 'plc-Secret-4711',
  mqtt: 'mqtt-Secret-0815',
  inUrl: 'url-Secret-2342',
  wrong: 'wrong-Secret-1337',
};
const folder = tempFolder('secrets-log');
let simulators: SimulatorsHandle;
let aedes: Aedes;
let broker: Server;
let edge: ChildProcessWithoutNullStreams;
let output = '';

beforeAll(async () => {
  simulators = await startSimulators({
    plant: [placeStub('pump-01', 'opcua')],
    plcPort: 0,
    tickMs: 100,
    pkiFolder: path.join(folder.path, 'simulator'),
    opcua: { securityModes: ['SignAndEncrypt'], users: [{ username: 'gateway', password: SECRETS.plc }], allowAnonymous: false },
  });
  const ca = makeThrowawayCa(folder.path);
  const accepted = new Set([SECRETS.mqtt, SECRETS.inUrl]);
  aedes = await Aedes.createBroker({ authenticate: (_client, _username, password, done) => done(null, accepted.has(password?.toString() ?? '')) });
  broker = createServer({ cert: readFileSync(ca.serverCertFile), key: readFileSync(ca.serverKeyFile) }, aedes.handle);
  broker.listen(0, '127.0.0.1');
  await once(broker, 'listening');
  const brokerPort = (broker.address() as AddressInfo).port;

  const dataDir = path.join(folder.path, 'data');
  // The server certificate trusted beforehand, so the password is used to open a session.
  mkdirSync(trustFolderPath(gatewayPkiFolder(dataDir), 'trusted'), { recursive: true });
  copyFileSync(path.join(folder.path, 'simulator', 'own', 'certs', 'certificate.pem'), path.join(trustFolderPath(gatewayPkiFolder(dataDir), 'trusted'), 'simulator.pem'));
  mkdirSync(path.join(folder.path, 'secrets'));
  writeFileSync(path.join(folder.path, 'secrets', 'plc-password'), `${SECRETS.plc}\n`);
  writeFileSync(path.join(folder.path, 'secrets', 'wrong-password'), SECRETS.wrong);
  const mapping = (asset: string) => `[{ topic: plant/${asset}/flow, asset: ${asset}, signal: flow, value: $ }]`;
  writeFileSync(
    path.join(folder.path, 'box.yaml'),
    `
site: Test
dataDir: data
statusIntervalSeconds: 1
log: { level: debug }
detection: { enabled: false }
sources:
  - id: plc
    kind: opcua
    endpoint: ${simulators.plcEndpoint}
    security: { mode: SignAndEncrypt, policy: Basic256Sha256 }
    auth: { username: gateway, password: "\${file:secrets/plc-password}" }
    nodes: [{ nodeId: "ns=1;s=pump-01.speed", asset: pump-01, signal: speed }]
  - id: sensors
    kind: mqtt
    url: mqtts://127.0.0.1:${brokerPort}
    tls: { caFile: ${ca.caFile} }
    auth: { username: edge, password: "\${MQTT_PASSWORD}" }
    mappings: ${mapping('meter-01')}
  - id: sensors-url
    kind: mqtt
    url: "mqtts://edge:\${URL_PASSWORD}@127.0.0.1:${brokerPort}"
    tls: { caFile: ${ca.caFile} }
    mappings: ${mapping('meter-02')}
  - id: sensors-wrong
    kind: mqtt
    url: mqtts://127.0.0.1:${brokerPort}
    tls: { caFile: ${ca.caFile} }
    auth: { username: edge, password: "\${file:secrets/wrong-password}" }
    mappings: ${mapping('meter-03')}
assets:
  pump-01: { kind: stub-pump, signals: { speed: { unit: rpm } } }
  meter-01: { kind: energy-meter, signals: { flow: { unit: m³/h } } }
  meter-02: { kind: energy-meter, signals: { flow: { unit: m³/h } } }
  meter-03: { kind: energy-meter, signals: { flow: { unit: m³/h } } }
`,
  );
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm')).href;
  edge = spawn(process.execPath, ['--import', tsx, path.join(PACKAGE_ROOT, 'edge', 'cli', 'main.ts'), 'start', '--config', 'box.yaml'], {
    cwd: folder.path,
    env: { ...process.env, MILLWRIGHT_LOG_FORMAT: 'json', MQTT_PASSWORD: SECRETS.mqtt, URL_PASSWORD: SECRETS.inUrl },
  });
  edge.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  edge.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
}, 60_000);

afterAll(async () => {
  if (edge && edge.exitCode === null) {
    edge.kill('SIGKILL');
    await once(edge, 'exit');
  }
  await simulators?.stop();
  if (aedes) await new Promise<void>((resolve) => aedes.close(() => resolve()));
  if (broker) await new Promise((resolve) => broker.close(resolve));
  folder.remove();
});

/** Resolves once the output so far matches, checked on each chunk the process writes; rejects on its exit or after `timeoutMs`. */
function outputMatches(pattern: RegExp, timeoutMs = 90_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const stop = () => {
      clearTimeout(timer);
      edge.stdout.off('data', check);
      edge.stderr.off('data', check);
      edge.off('exit', check);
    };
    const check = () => {
      if (pattern.test(output)) {
        stop();
        resolve();
      } else if (edge.exitCode !== null) {
        stop();
        reject(new Error(`millwright start exited (${edge.exitCode}) before ${pattern}: ${output.slice(-2000)}`));
      }
    };
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`no ${pattern} within ${timeoutMs} ms: ${output.slice(-2000)}`));
    }, timeoutMs);
    edge.stdout.on('data', check);
    edge.stderr.on('data', check);
    edge.on('exit', check);
    check();
  });
}

describe('secrets never logged', () => {
  it('a debug-level start with passwords from a file, the environment and a URL, one refused, logs none of them', async () => {
    await outputMatches(/connected to opc\.tcp:\/\/127\.0\.0\.1:\d+; monitoring 1 of 1 nodes/);
    await outputMatches(/"source":"sensors".*MQTT source connected/);
    await outputMatches(/"source":"sensors-url".*MQTT source connected/);
    await outputMatches(/"source":"sensors-wrong".*Not authorized/);
    edge.kill('SIGTERM');
    await once(edge, 'exit');

    expect(output).toContain('"level":20'); // debug lines were written
    for (const [where, secret] of Object.entries(SECRETS)) {
      expect(output.includes(secret), `the ${where} password appears in the log`).toBe(false);
    }
  }, 180_000);
});
