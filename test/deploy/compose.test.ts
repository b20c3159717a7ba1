import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import type { MillwrightConfig } from '../../edge/config/config-schema.js';
import { loadConfigFile } from '../../edge/config/load-config.js';
import { DEMO_CONFIG_FILE, PACKAGE_ROOT } from '../../edge/package-paths.js';
import { commandLineProblems } from './cli-help.js';
import { execForm, readDockerfile } from './dockerfile-instructions.js';
import { isIgnored, readDockerignore } from './dockerignore.js';
import { COMPOSE_FILES, commandOf, dependenciesOf, healthcheckOf, loadComposeFile, optionValue, parseMount, parsePort, type ComposeFile, type ComposeService } from './compose-files.js';

const IMAGE_HEALTHCHECK = '/app/deploy/healthcheck.mjs';
const DEFAULT_PLC_PORT = '4840';
const OLLAMA_PORT = '11434';
/** Where the Dockerfile puts the repository's files in the image. */
const IMAGE_APP_FOLDER = '/app/';
const IMAGE_VOLUMES = readDockerfile()
  .filter((instruction) => instruction.keyword === 'VOLUME')
  .flatMap((instruction) => execForm(instruction.argument));

function composeValidator() {
  // dclint ships the current compose-spec schema; its package exports do not include it, so by path.
  const schemaFile = path.join(PACKAGE_ROOT, 'node_modules/dclint/schemas/compose.schema.json');
  const schema = JSON.parse(readFileSync(schemaFile, 'utf8')) as Record<string, unknown>;
  delete schema['$schema'];
  return new Ajv({ allErrors: true, strict: false, validateFormats: false }).compile(schema);
}

const isMillwright = (service: ComposeService) => commandOf(service)[0] === 'millwright';
const isEdge = (service: ComposeService) => commandOf(service).slice(0, 2).join(' ') === 'millwright start';

/** The service a host name reaches on the compose network: by its service name or its `hostname:`. */
function serviceNamed(compose: ComposeFile, host: string): [string, ComposeService] | undefined {
  return Object.entries(compose.document.services).find(([name, service]) => name === host || service.hostname === host);
}

/** The configuration an edge service runs: the bind mount its --config names, loaded as `millwright check-config` does. */
async function edgeConfig(compose: ComposeFile, service: ComposeService): Promise<{ file: string; config: MillwrightConfig }> {
  const target = optionValue(commandOf(service), '--config') ?? optionValue(commandOf(service), '-c');
  const mount = (service.volumes ?? []).map(parseMount).find((candidate) => candidate.target === target);
  if (!mount || mount.named) throw new Error(`${compose.file}: no file on the host is mounted at ${target}, the --config of the service`);
  const file = path.resolve(compose.folder, mount.source);
  return { file, config: await loadConfigFile(file) };
}

/** Mosquitto's plain listener port from the configuration file the service mounts. */
function mosquittoListenerPort(compose: ComposeFile, service: ComposeService): number | undefined {
  const mount = (service.volumes ?? []).map(parseMount).find((candidate) => candidate.target === '/mosquitto/config/mosquitto.conf');
  if (!mount) return undefined;
  const text = readFileSync(path.resolve(compose.folder, mount.source), 'utf8');
  const port = /^listener\s+(\d+)/m.exec(text)?.[1];
  return port === undefined ? undefined : Number(port);
}

/** Where an MQTT URL leads on the compose network: a mosquitto service's listener or a box's embedded broker. */
async function mqttPortProblems(compose: ComposeFile, url: string, who: string): Promise<string[]> {
  const { hostname, port } = new URL(url);
  const found = serviceNamed(compose, hostname);
  if (!found) return [`${who}: MQTT host "${hostname}" is no service of ${compose.file}`];
  const [name, service] = found;
  const wanted = Number(port || 1883);
  if (service.image?.startsWith('eclipse-mosquitto')) {
    const listener = mosquittoListenerPort(compose, service);
    return listener === wanted ? [] : [`${who}: ${url} but ${name}'s mosquitto.conf listens on ${listener}`];
  }
  if (isEdge(service)) {
    const { config } = await edgeConfig(compose, service);
    const broker = config.embeddedBroker;
    if (!broker) return [`${who}: ${url} names ${name}, whose configuration runs no embedded broker`];
    if (broker.port !== wanted || broker.host !== '0.0.0.0') return [`${who}: ${url} but ${name}'s embedded broker listens on ${broker.host}:${broker.port} (other containers need 0.0.0.0)`];
    return [];
  }
  return [`${who}: ${url} names ${name}, which runs no MQTT broker`];
}

/** The assistant's model server is a service of the file, and its manuals are in the image. */
function assistantProblems(compose: ComposeFile, name: string, assistant: NonNullable<MillwrightConfig['assistant']>): string[] {
  const problems: string[] = [];
  const providers = assistant.settings.providers;
  if (providers.chat.provider === 'openai') {
    const { hostname, port } = new URL(providers.chat.baseURL);
    const server = serviceNamed(compose, hostname);
    if (!server) problems.push(`${name}: the assistant's model server ${providers.chat.baseURL} is no service of ${compose.file}`);
    else if (server[1].image?.startsWith('ollama/') && port !== OLLAMA_PORT) problems.push(`${name}: Ollama listens on ${OLLAMA_PORT}, not ${port}`);
  }
  const folder = assistant.knowledge.folder;
  if (!folder.startsWith(IMAGE_APP_FOLDER)) problems.push(`${name}: the manuals folder ${folder} is not in the image (${IMAGE_APP_FOLDER})`);
  else {
    const inRepository = folder.slice(IMAGE_APP_FOLDER.length);
    if (!existsSync(path.join(PACKAGE_ROOT, inRepository)) || isIgnored(inRepository, readDockerignore())) problems.push(`${name}: ${inRepository} does not reach the image`);
  }
  return problems;
}

describe.each(COMPOSE_FILES)('%s', (file) => {
  const compose = loadComposeFile(file);
  const services = Object.entries(compose.document.services);
  const edges = services.filter(([, service]) => isEdge(service));

  it('is valid against the compose-spec JSON schema', () => {
    const validate = composeValidator();
    validate(compose.document);
    const errors = (validate.errors ?? []).map((error) => `${error.instancePath || '/'}: ${error.message} ${JSON.stringify(error.params)}`);
    expect(errors).toEqual([]);
  });

  it('runs commands and flags the millwright CLI really has', async () => {
    const problems: string[] = [];
    for (const [name, service] of services.filter(([, candidate]) => isMillwright(candidate))) {
      for (const problem of await commandLineProblems(commandOf(service))) problems.push(`${name}: ${problem}`);
    }
    expect(problems).toEqual([]);
    expect(edges.length).toBeGreaterThan(0);
  }, 60_000);

  it('mounts configurations that pass check-config, with the demo plant\'s assets', async () => {
    const demo = await loadConfigFile(DEMO_CONFIG_FILE);
    const assetIds: string[] = [];
    for (const [name, service] of edges) {
      const { config } = await edgeConfig(compose, service);
      for (const [id, asset] of Object.entries(config.assets)) {
        expect(asset, `${name}: asset ${id} differs from edge/config/demo.yaml's`).toEqual(demo.assets[id]);
        assetIds.push(id);
      }
    }
    expect(assetIds.sort()).toEqual(Object.keys(demo.assets).sort());
  });

  it('keeps ports, volumes and names consistent with the configurations', async () => {
    const problems: string[] = [];
    const declaredVolumes = new Set(Object.keys(compose.document.volumes ?? {}));
    const usedVolumes = new Set<string>();
    const hostPorts = new Map<number, string>();
    for (const [name, service] of services) {
      for (const mount of (service.volumes ?? []).map(parseMount)) {
        if (mount.named) {
          usedVolumes.add(mount.source);
          if (!declaredVolumes.has(mount.source)) problems.push(`${name}: volume ${mount.source} is not declared under volumes:`);
        } else if (!existsSync(path.resolve(compose.folder, mount.source))) {
          problems.push(`${name}: mounts ${mount.source}, which does not exist next to ${compose.file}`);
        }
      }
      for (const port of (service.ports ?? []).map(parsePort)) {
        if (port.host === null) continue;
        const other = hostPorts.get(port.host);
        if (other) problems.push(`${name}: host port ${port.host} is already published by ${other}`);
        hostPorts.set(port.host, name);
      }
      for (const dependency of dependenciesOf(service)) {
        if (!compose.document.services[dependency]) problems.push(`${name}: depends on ${dependency}, which is no service`);
      }
      const probe = healthcheckOf(service);
      if (probe.length === 0 && !service.image?.startsWith('millwright')) problems.push(`${name}: has no health check`);
      if (probe.includes(IMAGE_HEALTHCHECK) && !existsSync(path.join(PACKAGE_ROOT, 'deploy/healthcheck.mjs'))) problems.push(`${name}: health check script missing`);
    }
    for (const volume of declaredVolumes) if (!usedVolumes.has(volume)) problems.push(`volume ${volume} is declared but no service mounts it`);
    // A VOLUME of the image that a service leaves unmounted becomes an anonymous volume, lost to the next `up` after a `down`.
    for (const [name, service] of services.filter(([, candidate]) => isMillwright(candidate))) {
      const targets = (service.volumes ?? []).map(parseMount).filter((mount) => mount.named).map((mount) => mount.target);
      for (const volume of IMAGE_VOLUMES) if (!targets.includes(volume)) problems.push(`${name}: the image's volume ${volume} gets no named volume`);
    }

    for (const [name, service] of edges) {
      const { config } = await edgeConfig(compose, service);
      const volumeTargets = (service.volumes ?? []).map(parseMount).filter((mount) => mount.named).map((mount) => mount.target);
      const onVolume = (folder: string) => volumeTargets.some((target) => folder === target || folder.startsWith(`${target}/`));
      if (!onVolume(config.dataDir)) problems.push(`${name}: dataDir ${config.dataDir} is on no volume (${volumeTargets.join(', ')})`);
      if (!volumeTargets.includes(path.posix.join(config.dataDir, 'pki'))) problems.push(`${name}: no certificates volume at ${config.dataDir}/pki`);
      for (const source of config.sources) {
        if (source.kind === 'opcua') {
          if (source.certificateFolder !== undefined && !onVolume(source.certificateFolder)) problems.push(`${name}: ${source.id}'s certificateFolder is on no volume`);
          const { hostname, port } = new URL(source.endpoint.replace(/^opc\.tcp:/, 'http:'));
          const plc = serviceNamed(compose, hostname);
          const plcCommand = plc ? commandOf(plc[1]) : [];
          if (plcCommand.slice(0, 2).join(' ') !== 'millwright sim') {
            problems.push(`${name}: ${source.id} reads ${source.endpoint}, but ${hostname} is no simulators service of ${compose.file}`);
            continue;
          }
          if ((optionValue(plcCommand, '--plc-port') ?? DEFAULT_PLC_PORT) !== (port || DEFAULT_PLC_PORT)) problems.push(`${name}: ${source.endpoint} but the simulated PLC listens on ${optionValue(plcCommand, '--plc-port')}`);
          if (optionValue(plcCommand, '--host') !== '0.0.0.0') problems.push(`${plc![0]}: the simulated PLC must listen on 0.0.0.0 for other containers`);
          if (plc![1].hostname !== hostname) problems.push(`${plc![0]}: hostname must be ${hostname}: the PLC names its host in the endpoint URLs it announces`);
        } else if (source.url !== 'embedded') {
          problems.push(...(await mqttPortProblems(compose, source.url, `${name}: ${source.id}`)));
        }
      }
      if (config.uplink && config.uplink.url !== 'embedded') problems.push(...(await mqttPortProblems(compose, config.uplink.url, `${name}: uplink`)));
      if (config.assistant) problems.push(...assistantProblems(compose, name, config.assistant));
      const published = (service.ports ?? []).map(parsePort).map((port) => port.container);
      if (!config.console) problems.push(`${name}: no console, so nothing answers its health check`);
      else {
        if (config.console.host !== '0.0.0.0') problems.push(`${name}: console on ${config.console.host}; a published port needs 0.0.0.0`);
        if (!published.includes(config.console.port)) problems.push(`${name}: console port ${config.console.port} is not published (${published.join(', ')})`);
        const probeUrl = healthcheckOf(service).find((arg) => arg.startsWith('http'));
        if (probeUrl === undefined || new URL(probeUrl).port !== String(config.console.port) || new URL(probeUrl).pathname !== '/api/health/live') {
          problems.push(`${name}: health check ${probeUrl} is not the console's /api/health/live on port ${config.console.port}`);
        }
      }
    }
    for (const [name, service] of services.filter(([, candidate]) => commandOf(candidate).slice(0, 2).join(' ') === 'millwright sim')) {
      const mqtt = optionValue(commandOf(service), '--mqtt');
      if (mqtt !== undefined) problems.push(...(await mqttPortProblems(compose, mqtt, `${name}: --mqtt`)));
      const probe = healthcheckOf(service).find((arg) => arg.startsWith('opc.tcp:'));
      if (probe === undefined || new URL(probe.replace(/^opc\.tcp:/, 'http:')).port !== (optionValue(commandOf(service), '--plc-port') ?? DEFAULT_PLC_PORT)) {
        problems.push(`${name}: health check ${probe} is not the simulated PLC's port`);
      }
    }
    expect(problems).toEqual([]);
  });
});

describe('the two-box layout', () => {
  it('has two boxes publishing north to one broker, each under its own box id', async () => {
    const compose = loadComposeFile('deploy/two-boxes.compose.yml');
    const uplinks = await Promise.all(
      Object.values(compose.document.services)
        .filter(isEdge)
        .map(async (service) => (await edgeConfig(compose, service)).config.uplink),
    );
    expect(uplinks.length).toBeGreaterThanOrEqual(2);
    expect(new Set(uplinks.map((uplink) => uplink?.url)).size).toBe(1);
    expect(new Set(uplinks.map((uplink) => uplink?.boxId)).size).toBe(uplinks.length);
  });
});

describe('the README and the compose files', () => {
  const readme = readFileSync(path.join(PACKAGE_ROOT, 'README.md'), 'utf8');
  const commandRows = readme.split('\n').filter((line) => line.startsWith('| `millwright '));

  it('document every command and flag the services run, in the command-line table', () => {
    const problems: string[] = [];
    for (const file of COMPOSE_FILES) {
      for (const [name, service] of Object.entries(loadComposeFile(file).document.services).filter(([, candidate]) => isMillwright(candidate))) {
        const [, command, ...args] = commandOf(service);
        const row = commandRows.find((line) => line.startsWith(`| \`millwright ${command} `) || line.startsWith(`| \`millwright ${command}\``));
        if (!row) {
          problems.push(`${file} ${name}: millwright ${command} has no row in the README's command table`);
          continue;
        }
        for (const flag of args.filter((arg) => arg.startsWith('--'))) if (!row.includes(flag)) problems.push(`${file} ${name}: the README's row of millwright ${command} lacks ${flag}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('tell the same first model pull as the compose file', () => {
    const pull = /docker compose exec ollama ollama pull (\S+)/.exec(readFileSync(path.join(PACKAGE_ROOT, 'docker-compose.yml'), 'utf8'))?.[0];
    expect(pull).toBeDefined();
    const deploymentGuide = readFileSync(path.join(PACKAGE_ROOT, 'docs/deployment.md'), 'utf8');
    expect({ readme: readme.includes(pull!), deploymentGuide: deploymentGuide.includes(pull!) }).toEqual({ readme: true, deploymentGuide: true });
  });

  it('pull the model the compose box asks for', async () => {
    const pulled = /docker compose exec ollama ollama pull (\S+)/.exec(readFileSync(path.join(PACKAGE_ROOT, 'docker-compose.yml'), 'utf8'))?.[1];
    const compose = loadComposeFile('docker-compose.yml');
    const { config } = await edgeConfig(compose, compose.document.services['edge']!);
    const chat = config.assistant?.settings.providers.chat;
    expect(chat?.provider === 'openai' ? chat.model : null).toBe(pulled);
  });
});
