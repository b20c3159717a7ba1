import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../edge/package-paths.js';
import { freePort } from '../support/free-port.js';
import { tempFolder } from '../support/temp-folder.js';

const CLI = path.join(PACKAGE_ROOT, 'edge', 'cli', 'main.ts');
/** tsx's loader by absolute URL: the commands run in a temp folder, where a bare 'tsx/esm' would not resolve. */
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm')).href;

interface LogLine {
  readonly msg: string;
  readonly [key: string]: unknown;
}

function millwright(args: string[], cwd: string): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, ['--import', TSX_LOADER, CLI, ...args], { cwd, env: { ...process.env, MILLWRIGHT_LOG_FORMAT: 'json' } });
}

/** Runs a CLI command to its end. */
async function run(args: string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = millwright(args, cwd);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}

/**
 * `npm start` as a person runs it, on free ports: the demo process and the commands used beside it.
 * Each command is a fresh Node process loading node-opcua, seconds each on a busy 2-core box.
 */
describe('millwright CLI', { timeout: 90_000 }, () => {
  const folder = tempFolder('cli');
  let demo: ChildProcessWithoutNullStreams;
  let plcPort: number;
  let mqttPort: number;
  const lines: LogLine[] = [];
  const waiters = new Set<() => void>();

  function waitForLine(predicate: (line: LogLine) => boolean, what: string, timeoutMs = 30_000): Promise<LogLine> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`timed out waiting for ${what}; last lines: ${lines.slice(-5).map((l) => l.msg).join(' | ')}`));
      }, timeoutMs);
      const check = () => {
        const found = lines.find(predicate);
        if (!found) return;
        clearTimeout(timer);
        waiters.delete(check);
        resolve(found);
      };
      waiters.add(check);
      check();
    });
  }

  beforeAll(async () => {
    plcPort = await freePort();
    mqttPort = await freePort();
    demo = millwright(['demo', '--plc-port', String(plcPort), '--mqtt-port', String(mqttPort), '--console-port', '0', '--data', folder.path], folder.path);
    createInterface({ input: demo.stdout }).on('line', (text) => {
      if (!text.startsWith('{')) return; // node-opcua prints a few plain lines of its own
      lines.push(JSON.parse(text) as LogLine);
      for (const waiter of [...waiters]) waiter();
    });
  });

  afterAll(async () => {
    if (demo.exitCode === null) {
      demo.kill('SIGKILL');
      await once(demo, 'exit');
    }
    folder.remove();
  });

  it('demo says where everything listens and reports live telemetry from both sources', async () => {
    // The first start of a fresh process on a loaded 2-core box (loading node-opcua, the models, certificates) can take a minute.
    await waitForLine((line) => line.msg.startsWith('simulated PLC (OPC UA)') && (line['listening'] as { url: string } | undefined)?.url === `opc.tcp://127.0.0.1:${plcPort}`, 'the PLC endpoint line', 75_000);
    await waitForLine((line) => line.msg.startsWith('MQTT broker (embedded)'), 'the broker line');
    await waitForLine((line) => line.msg.startsWith('operator console') && /^http:\/\/127\.0\.0\.1:\d+$/.test((line['listening'] as { url: string }).url), 'the console line');
    const status = await waitForLine(
      (line) => line.msg.startsWith('status:') && (line['sources'] as { samplesPerSecond: number; state: string }[]).every((s) => s.state === 'connected' && s.samplesPerSecond > 0),
      'a status line with both sources connected and delivering',
    );
    expect((status['sources'] as { id: string }[]).map((s) => s.id)).toEqual(['plc-sim', 'wireless-sensors']);
  });

  it('sim inject reaches the running simulator, and says why a request is refused', async () => {
    const endpoint = `opc.tcp://127.0.0.1:${plcPort}`;
    const injected = await run(['sim', 'inject', 'pump-01', 'bearing-wear', '--severity', '0.5', '--ramp', '30s', '--endpoint', endpoint], folder.path);
    expect(injected.stderr).toBe('');
    expect(injected.code).toBe(0);
    expect(injected.stdout).toMatch(/injected bearing-wear into pump-01/);

    const refused = await run(['sim', 'inject', 'compressor-01', 'cavitation', '--endpoint', endpoint], folder.path);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/compressor-01/);
    expect(refused.stderr).toMatch(/air-leak/);

    const badOption = await run(['sim', 'inject', 'pump-01', 'bearing-wear', '--severity', '3'], folder.path);
    expect(badOption.code).not.toBe(0);
    expect(badOption.stderr).toMatch(/expected a number from 0 to 1, got "3"/);
  });

  it('browse writes a config snippet of the running simulator that maps its variables', async () => {
    const browsed = await run(['browse', `opc.tcp://127.0.0.1:${plcPort}`, '--snippet', '--source-id', 'line-1', '--data', folder.path], folder.path);
    expect(browsed.code).toBe(0);
    const snippet = parse(browsed.stdout) as { id: string; nodes: { nodeId: string; asset: string; signal: string }[] };
    expect(snippet.id).toBe('line-1');
    expect(snippet.nodes).toContainEqual(expect.objectContaining({ nodeId: 'ns=1;s=pump-01.flow', asset: 'pump-01', signal: 'flow' }));
  });

  it('check-config names the file, line and fix of a broken configuration', async () => {
    const file = path.join(folder.path, 'broken.yaml');
    await writeFile(file, 'sources:\n  - id: plc\n    kind: opcua\n    endpont: opc.tcp://10.0.0.5:4840\n    nodes: []\nassets: {}\n');
    const checked = await run(['check-config', file], folder.path);
    expect(checked.code).toBe(2);
    expect(checked.stderr).toContain(`${file}:4:5  sources[0]: unknown key "endpont" — did you mean "endpoint"?`);
  });

  it('start runs a configuration against real endpoints (here, the demo\'s) and stops cleanly', async () => {
    const file = path.join(folder.path, 'plant.yaml');
    await writeFile(
      file,
      [
        'statusIntervalSeconds: 1',
        'sources:',
        `  - { id: line-plc, kind: opcua, endpoint: "opc.tcp://127.0.0.1:${plcPort}", nodes: [{ nodeId: "ns=1;s=pump-01.flow", asset: pump-01, signal: flow }] }`,
        `  - id: line-sensors`,
        `    kind: mqtt`,
        `    url: "mqtt://127.0.0.1:${mqttPort}"`,
        `    clientId: cli-test-start`,
        `    mappings: [{ topic: millbrook/packaging/meter-01/energy, asset: meter-01, signal: energy, value: $ }]`,
        'assets:',
        '  pump-01: { kind: centrifugal-pump, signals: { flow: { unit: "m³/h" } } }',
        '  meter-01: { kind: energy-meter, signals: { energy: { unit: kWh } } }',
      ].join('\n'),
    );
    const start = millwright(['start', '--config', file], folder.path);
    const started: LogLine[] = [];
    const healthy = new Promise<LogLine>((resolve) => {
      createInterface({ input: start.stdout }).on('line', (text) => {
        if (!text.startsWith('{')) return;
        const line = JSON.parse(text) as LogLine;
        started.push(line);
        const sources = line['sources'] as { state: string; samplesPerSecond: number }[] | undefined;
        if (line.msg.startsWith('status:') && sources?.every((s) => s.state === 'connected' && s.samplesPerSecond > 0)) resolve(line);
      });
    });
    try {
      const status = await healthy;
      expect(status.msg).toContain('2 of 2 assets reporting');
      expect(started.some((line) => line.msg.includes('simulated'))).toBe(false);
    } finally {
      start.kill('SIGTERM');
    }
    const [code] = (await once(start, 'exit')) as [number | null];
    expect(code).toBe(0);
  });

  it('demo stops cleanly on SIGTERM', async () => {
    demo.kill('SIGTERM');
    const [code] = (await once(demo, 'exit')) as [number | null];
    expect(code).toBe(0);
    expect(lines.some((line) => line.msg === 'stopped cleanly')).toBe(true);
  });
});
