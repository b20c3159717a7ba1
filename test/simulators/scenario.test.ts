import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { formatDuration, parseDurationSeconds } from '../../simulators/duration.js';
import { loadScenario, parseScenario, ScenarioError } from '../../simulators/scenario.js';
import { ScenarioRunner } from '../../simulators/scenario-runner.js';
import { SimulatorControls } from '../../simulators/simulator-controls.js';
import { Simulation } from '../../simulators/simulation.js';
import { placeStub } from './stub-machine.js';

const logger = pino({ level: 'silent' });
const scenariosFolder = fileURLToPath(new URL('../../simulators/scenarios/', import.meta.url));

function problemsOf(text: string, machineIds?: string[]) {
  try {
    parseScenario(text, 'bad.yaml', machineIds ? { machineIds } : {});
  } catch (error) {
    if (error instanceof ScenarioError) return error;
    throw error;
  }
  throw new Error('the scenario was accepted');
}

describe('durations', () => {
  it.each([
    ['500ms', 0.5],
    ['30s', 30],
    ['10m', 600],
    ['1h', 3600],
    ['1h30m', 5400],
    ['2m30.5s', 150.5],
    ['90', 90],
    [45, 45],
  ] as const)('%s is %d s', (text, seconds) => {
    expect(parseDurationSeconds(text)).toBeCloseTo(seconds, 9);
  });

  it.each(['', 'soon', '10 minutes', '1m1h', '-5s'])('rejects %j naming the accepted forms', (text) => {
    expect(() => parseDurationSeconds(text)).toThrow(/500ms, 30s, 10m, 1h, 1h30m/);
  });

  it('formats durations for log lines', () => {
    expect([formatDuration(0.5), formatDuration(30), formatDuration(5400), formatDuration(150.5)]).toEqual(['500ms', '30s', '1h30m', '2m30.5s']);
  });
});

describe('scenario files', () => {
  it('parses the shipped scenarios against the plant machine ids', async () => {
    const plantIds = ['pump-01', 'compressor-01', 'spindle-01', 'conveyor-01', 'conveyor-02', 'meter-01'];
    const demo = await loadScenario(join(scenariosFolder, 'bearing-wear-and-air-leak.yaml'), { machineIds: plantIds });
    expect(demo.speed).toBe(10);
    expect(demo.seed).toBe(42);
    expect(demo.events[0]).toMatchObject({ at: 60, machine: 'pump-01', action: { kind: 'inject', fault: 'bearing-wear', severity: 0.7, rampSeconds: 1200 } });
    expect(demo.events.some((event) => event.machine === 'compressor-01' && event.action.kind === 'inject' && event.action.fault === 'air-leak')).toBe(true);
    const smoke = await loadScenario(join(scenariosFolder, 'smoke-short.yaml'), { machineIds: plantIds });
    expect(smoke.events.map((event) => event.at)).toEqual([0, 1, 3, 5, 8, 10]);
  });

  it('sorts events by time, keeping file order for equal times, and remembers their lines', () => {
    const scenario = parseScenario(
      ['name: order', 'events:', '  - { at: 2m, machine: a, command: stop }', '  - { at: 30s, machine: a, load: 50 }', '  - { at: 30s, machine: b, clear: all }'].join('\n'),
      'order.yaml',
    );
    expect(scenario.events.map((event) => [event.at, event.machine, event.line])).toEqual([
      [30, 'a', 4],
      [30, 'b', 5],
      [120, 'a', 3],
    ]);
  });

  it('names the file, line and field of an unknown key and lists the allowed keys', () => {
    const error = problemsOf(['name: typo', 'events:', '  - at: 10s', '    machine: pump-01', '    injct: bearing-wear'].join('\n'));
    expect(error.problems).toEqual([
      expect.objectContaining({ line: 5, field: 'events[0].injct', message: expect.stringMatching(/unknown key; allowed here: at, machine, inject, severity, ramp/) }),
    ]);
    expect(error.message).toContain('bad.yaml:5:5 events[0].injct');
  });

  it('explains a bad fault name, duration and missing field on their own lines', () => {
    const error = problemsOf(
      [
        'name: several problems',
        'events:',
        '  - { at: 10s, machine: pump-01, inject: bearing }',
        '  - { at: soon, machine: pump-01, load: 50 }',
        '  - { at: 1m, command: stop }',
      ].join('\n'),
    );
    const byLine = Object.fromEntries(error.problems.map((problem) => [problem.line, problem]));
    expect(byLine[3]).toMatchObject({ field: 'events[0].inject', message: expect.stringMatching(/must be one of bearing-wear, cavitation.*\(got "bearing"\)/) });
    expect(byLine[4]).toMatchObject({ field: 'events[1].at', message: expect.stringMatching(/500ms, 30s, 10m, 1h, 1h30m.*\(got "soon"\)/) });
    expect(byLine[5]).toMatchObject({ field: 'events[2]', message: 'machine missing' });
  });

  it('requires exactly one action per event and inject-only keys with inject', () => {
    const error = problemsOf(
      [
        'name: actions',
        'events:',
        '  - { at: 1s, machine: pump-01, load: 50, command: stop }',
        '  - { at: 2s, machine: pump-01, command: start, severity: 0.5 }',
        '  - { at: 3s, machine: pump-01 }',
        '  - { at: 4s, machine: pump-01, inject: sensor-stuck }',
      ].join('\n'),
    );
    expect(error.problems.map((problem) => [problem.line, problem.message])).toEqual([
      [3, expect.stringMatching(/exactly one thing.*got command and load/)],
      [4, 'severity only goes with inject'],
      [5, expect.stringMatching(/give one of inject, clear, command or load$/)],
      [6, 'sensor-stuck needs the signal whose sensor misbehaves'],
    ]);
  });

  it('checks machine ids against the plant when given', () => {
    const error = problemsOf(['name: ids', 'events:', '  - { at: 1s, machine: pump-02, command: stop }'].join('\n'), ['pump-01', 'meter-01']);
    expect(error.problems).toEqual([expect.objectContaining({ line: 3, field: 'events[0].machine', message: "no simulated machine 'pump-02'; machines: pump-01, meter-01" })]);
  });

  it('reports YAML syntax errors with their line', () => {
    const error = problemsOf(['name: broken', 'events:', '  - { at: 1s, machine: pump-01', '  - next'].join('\n'));
    expect(error.problems[0]?.line).toBeGreaterThanOrEqual(3);
    expect(error.problems[0]?.field).toBe('(yaml)');
  });

  it('names the file when it cannot be read', async () => {
    await expect(loadScenario('/nonexistent/scenario.yaml')).rejects.toThrow(/cannot read the scenario file \/nonexistent\/scenario.yaml/);
  });
});

describe('scenario runner', () => {
  let folder: string | undefined;
  afterEach(() => {
    if (folder) rmSync(folder, { recursive: true, force: true });
    folder = undefined;
  });

  it('fires the short scenario at its simulated times on an accelerated real-time clock', async () => {
    const scenario = await loadScenario(join(scenariosFolder, 'smoke-short.yaml'));
    const pump = placeStub('pump-01', 'opcua');
    const conveyor = placeStub('conveyor-01', 'mqtt', 'Packaging', 'conveyor-motor');
    const simulation = new Simulation({ machines: [pump, conveyor], tickMs: 25, speed: scenario.speed ?? 1, logger });
    const runner = new ScenarioRunner({ scenario, simulation, controls: new SimulatorControls(simulation.machines, logger), logger });
    const commLossSeen: number[] = [];
    simulation.onTick((tick) => {
      if (conveyor.machine.activeFaults.some((fault) => fault.fault === 'comm-loss')) commLossSeen.push(tick.simTime);
    });
    simulation.start();
    runner.start();
    try {
      await Promise.race([runner.finished, new Promise((_, reject) => setTimeout(() => reject(new Error('scenario did not finish within 10 s')), 10_000))]);
    } finally {
      simulation.stop();
    }
    expect(runner.fired.map((fired) => fired.ok)).toEqual([true, true, true, true, true, true]);
    for (const fired of runner.fired) {
      expect(fired.firedAt).toBeGreaterThanOrEqual(fired.event.at - 1e-9);
      expect(fired.firedAt).toBeLessThan(fired.event.at + simulation.dtSeconds + 1e-9);
    }
    expect(pump.machine.load).toBe(80);
    expect(pump.machine.state).toBe('stopped');
    expect(pump.machine.activeFaults).toEqual([]);
    expect(commLossSeen.length).toBeGreaterThan(0);
    expect(Math.min(...commLossSeen)).toBeGreaterThanOrEqual(3);
    expect(Math.max(...commLossSeen)).toBeLessThan(5 + simulation.dtSeconds);
  });

  it('logs a refused event and goes on with the timeline', () => {
    const scenario = parseScenario(
      ['name: refusal', 'events:', '  - { at: 0, machine: pump-01, inject: air-leak }', '  - { at: 1s, machine: pump-01, load: 30 }'].join('\n'),
      'refusal.yaml',
    );
    const pump = placeStub('pump-01', 'opcua');
    const simulation = new Simulation({ machines: [pump], tickMs: 100, speed: 10, logger });
    const runner = new ScenarioRunner({ scenario, simulation, controls: new SimulatorControls(simulation.machines, logger), logger });
    runner.start();
    simulation.step();
    expect(runner.fired.map((fired) => [fired.ok, fired.firedAt])).toEqual([
      [false, 0],
      [true, 1],
    ]);
    expect(runner.fired[0]?.message).toMatch(/cannot develop air-leak; supported: bearing-wear/);
    expect(pump.machine.load).toBe(30);
  });

  it('reads a scenario file written to disk', async () => {
    folder = mkdtempSync(join(tmpdir(), 'millwright-scenario-'));
    const file = join(folder, 'mine.yaml');
    writeFileSync(file, 'name: mine\nevents:\n  - { at: 1h30m, machine: pump-01, inject: comm-loss, ramp: 0 }\n');
    const scenario = await loadScenario(file);
    expect(scenario.events[0]).toMatchObject({ at: 5400, line: 3, action: { kind: 'inject', fault: 'comm-loss', severity: 1, rampSeconds: 0 } });
  });
});
