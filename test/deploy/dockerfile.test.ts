import { accessSync, constants, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../../edge/package-paths.js';
import { commandLineProblems } from './cli-help.js';
import { environmentOf, execForm, readDockerfile } from './dockerfile-instructions.js';
import { isIgnored, readDockerignore } from './dockerignore.js';

const instructions = readDockerfile();
const stages = [...new Set(instructions.map((instruction) => instruction.stage))];
const runtime = stages[stages.length - 1]!;
const inRuntime = (keyword: string) => instructions.filter((instruction) => instruction.stage === runtime && instruction.keyword === keyword);
const last = (keyword: string) => inRuntime(keyword).at(-1);

describe('the Dockerfile', () => {
  it('builds in one stage and runs from another on the Node 20 slim image', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const build = instructions.filter((instruction) => instruction.stage === 'build' && instruction.keyword === 'RUN').map((instruction) => instruction.argument);
    expect(build.some((command) => /\bnpm ci\b/.test(command))).toBe(true);
    expect(build.some((command) => /\bnpm run build\b/.test(command))).toBe(true);
    expect(build.some((command) => /\bnpm prune --omit=dev\b/.test(command))).toBe(true);
    expect(instructions.find((instruction) => instruction.keyword === 'ARG' && instruction.argument.startsWith('NODE_IMAGE='))?.argument).toBe('NODE_IMAGE=node:20-bookworm-slim');
    expect(inRuntime('FROM')[0]?.argument).toMatch(/^\$\{NODE_IMAGE\}/);
    expect(inRuntime('RUN').map((instruction) => instruction.argument).join('\n')).not.toMatch(/\bnpm (ci|install)\b/);
  });

  it('rebuilds every dependency with an install script, since npm ci runs with --ignore-scripts', () => {
    const lock = JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { hasInstallScript?: boolean }> };
    const withScripts = Object.entries(lock.packages)
      .filter(([, entry]) => entry.hasInstallScript)
      .map(([key]) => key.slice(key.lastIndexOf('node_modules/') + 'node_modules/'.length));
    const rebuild = instructions.find((instruction) => instruction.keyword === 'RUN' && instruction.argument.includes('npm rebuild'))?.argument ?? '';
    const rebuilt = new Set(/npm rebuild ([^&;]*)/.exec(rebuild)?.[1]?.trim().split(/\s+/) ?? []);
    expect(withScripts.filter((name) => !rebuilt.has(name))).toEqual([]);
    expect(readFileSync(path.join(PACKAGE_ROOT, '.npmrc'), 'utf8')).toMatch(/^onnxruntime-node-install=skip$/m);
  });

  it('runs as a user other than root, with the data and certificate folders as volumes', () => {
    expect(last('USER')?.argument).toMatch(/^(?!root$|0$)\S+$/);
    const volumes = inRuntime('VOLUME').flatMap((instruction) => execForm(instruction.argument));
    const workdir = last('WORKDIR')?.argument;
    expect(volumes).toContain(workdir);
    expect(volumes).toContain(`${workdir}/data/pki`);
  });

  it('starts the README\'s commands: its default and its entry point exist', async () => {
    const command = execForm(last('CMD')!.argument);
    expect(await commandLineProblems(command)).toEqual([]);
    expect(execForm(last('ENTRYPOINT')!.argument)).toEqual(['/usr/bin/tini', '--']);
    const link = inRuntime('RUN').find((instruction) => instruction.argument.includes('/usr/local/bin/millwright'))?.argument ?? '';
    const target = /ln -s \/app\/(\S+) \/usr\/local\/bin\/millwright/.exec(link)?.[1];
    expect(target).toBe('bin/millwright.js');
    accessSync(path.join(PACKAGE_ROOT, target!), constants.X_OK);
  }, 60_000);

  it('checks its health with a script the image holds, at the console\'s health route', () => {
    const probe = execForm(last('HEALTHCHECK')!.argument);
    expect(probe.slice(0, 2)).toEqual(['node', '/app/deploy/healthcheck.mjs']);
    const url = new URL(environmentOf(instructions, runtime)['MILLWRIGHT_HEALTH_URL']!);
    expect(url.pathname).toBe('/api/health/live');
    expect(readFileSync(path.join(PACKAGE_ROOT, 'edge/console/routes/health-routes.ts'), 'utf8')).toContain(`'${url.pathname}'`);
  });

  it('gets from .dockerignore every file the build and the image need, and not the local ones', () => {
    const patterns = readDockerignore();
    const needed = ['package.json', 'package-lock.json', '.npmrc', 'tsconfig.json', 'tsconfig.build.json', 'bin/millwright.js', 'deploy/healthcheck.mjs', 'edge/cli/main.ts', 'edge/config/demo.yaml', 'edge/console/web/index.html', 'gateway/sample.ts', 'simulators/manuals/README.md', 'models'];
    expect(needed.filter((file) => isIgnored(file, patterns))).toEqual([]);
    const local = ['node_modules/yaml/package.json', 'dist/edge/cli/main.js', 'data/millwright.db', '.git/HEAD', 'test-artifacts/console-web/a.png', 'edge/console/web/dist/index.html'];
    expect(local.filter((file) => !isIgnored(file, patterns))).toEqual([]);
  });
});
