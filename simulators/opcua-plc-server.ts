import { join } from 'node:path';
import {
  MessageSecurityMode,
  OPCUACertificateManager,
  OPCUAServer,
  SecurityPolicy,
  type UAObject,
} from 'node-opcua';
import type { Logger } from 'pino';
import { addMachineNodes, type MachineNodes } from './opcua-machine-nodes.js';
import { addMachineMethods, addSimulatorObject } from './opcua-simulator-methods.js';
import type { SimulatorControls } from './simulator-controls.js';
import type { Simulation } from './simulation.js';
import { DEFAULT_PLC_PORT } from './sim-defaults.js';

export type SecurityModeName = 'None' | 'Sign' | 'SignAndEncrypt';

export interface OpcuaUser {
  readonly username: string;
  readonly password: string;
}

export interface OpcuaPlcServerOptions {
  readonly simulation: Simulation;
  readonly controls: SimulatorControls;
  /** TCP port (default 4840); 0 lets the system choose a free one, reported in endpointUrl. */
  readonly port?: number;
  /** Interface to listen on, also the host name in the endpoint URL (default 127.0.0.1). */
  readonly host?: string;
  /** Folder of the server's PKI: own certificate and key, trusted/ and rejected/ client certificates. */
  readonly pkiFolder: string;
  /** Default all three. Sign and SignAndEncrypt come with Basic256Sha256, Aes128_Sha256_RsaOaep and Aes256_Sha256_RsaPss. */
  readonly securityModes?: readonly SecurityModeName[];
  /** Accept client certificates not yet trusted (default true: it is a simulator). */
  readonly acceptUnknownCertificates?: boolean;
  /** Username/password identities accepted besides anonymous. */
  readonly users?: readonly OpcuaUser[];
  /** Default true. */
  readonly allowAnonymous?: boolean;
  /** Fastest sampling interval the variables promise, in ms (default 50, so clients can sample at 100 ms). */
  readonly minimumSamplingIntervalMs?: number;
  readonly logger: Logger;
}

const SECURE_POLICIES = [SecurityPolicy.Basic256Sha256, SecurityPolicy.Aes128_Sha256_RsaOaep, SecurityPolicy.Aes256_Sha256_RsaPss];

/** The OPC UA browse-name namespace and node-id namespace of everything the simulator adds. */
export const SIMULATOR_NAMESPACE_INDEX = 1;

/**
 * The simulated PLC: one node-opcua server hosting every machine placed on transport 'opcua' under
 * `Objects/<site>/<line>/<machine-id>`, the per-machine control methods, and `Objects/Simulator`,
 * whose methods reach every machine of the simulation (MQTT ones included). Values are pushed from
 * the simulation after every tick with the readings' status codes and a source timestamp of now.
 */
export class OpcuaPlcServer {
  readonly endpointUrl: string;
  readonly #server: OPCUAServer;
  readonly #unsubscribe: () => void;
  readonly #logger: Logger;

  private constructor(server: OPCUAServer, unsubscribe: () => void, logger: Logger) {
    this.#server = server;
    this.#unsubscribe = unsubscribe;
    this.#logger = logger;
    this.endpointUrl = server.getEndpointUrl();
  }

  static async start(options: OpcuaPlcServerOptions): Promise<OpcuaPlcServer> {
    const { simulation, controls, logger } = options;
    const host = options.host ?? '127.0.0.1';
    const port = options.port ?? DEFAULT_PLC_PORT;
    const modes = options.securityModes ?? ['None', 'Sign', 'SignAndEncrypt'];
    const users = options.users ?? [];
    const acceptUnknown = options.acceptUnknownCertificates ?? true;
    const server = new OPCUAServer({
      port,
      host,
      ...(isWildcard(host) ? {} : { hostname: host }),
      serverCertificateManager: new OPCUACertificateManager({ rootFolder: options.pkiFolder, automaticallyAcceptUnknownCertificate: acceptUnknown }),
      userCertificateManager: new OPCUACertificateManager({ rootFolder: join(options.pkiFolder, 'user'), automaticallyAcceptUnknownCertificate: acceptUnknown }),
      securityModes: modes.map((mode) => MessageSecurityMode[mode]),
      securityPolicies: [...(modes.includes('None') ? [SecurityPolicy.None] : []), ...(modes.some((mode) => mode !== 'None') ? SECURE_POLICIES : [])],
      allowAnonymous: options.allowAnonymous ?? true,
      userManager: { isValidUser: (username: string, password: string) => users.some((user) => user.username === username && user.password === password) },
      buildInfo: { productName: 'Millwright simulated PLC', manufacturerName: 'Millwright' },
    });
    try {
      await server.initialize();
    } catch (error) {
      throw new Error(`cannot initialise the simulated OPC UA server (PKI folder ${options.pkiFolder}): ${errorMessage(error)}`, { cause: error });
    }
    const addressSpace = server.engine.addressSpace;
    if (!addressSpace) throw new Error('node-opcua initialised the server without an address space');
    const namespace = addressSpace.getOwnNamespace();
    if (namespace.index !== SIMULATOR_NAMESPACE_INDEX) {
      throw new Error(`the simulator's own OPC UA namespace has index ${namespace.index}, but the contract's node ids use ns=${SIMULATOR_NAMESPACE_INDEX}`);
    }

    const minimumSamplingInterval = options.minimumSamplingIntervalMs ?? 50;
    const lineFolders = new Map<string, UAObject>();
    const siteFolders = new Map<string, UAObject>();
    const machineNodes: MachineNodes[] = [];
    for (const placed of simulation.machines.filter((candidate) => candidate.transport === 'opcua')) {
      let site = siteFolders.get(placed.site);
      if (!site) {
        site = namespace.addFolder(addressSpace.rootFolder.objects, { browseName: placed.site, nodeId: `s=${placed.site}` });
        siteFolders.set(placed.site, site);
      }
      const lineKey = `${placed.site}/${placed.line}`;
      let line = lineFolders.get(lineKey);
      if (!line) {
        line = namespace.addFolder(site, { browseName: placed.line, nodeId: `s=${placed.site}.${placed.line}` });
        lineFolders.set(lineKey, line);
      }
      const nodes = addMachineNodes(namespace, line, placed, minimumSamplingInterval);
      addMachineMethods(namespace, nodes.object, placed.machine.id, controls);
      machineNodes.push(nodes);
    }
    addSimulatorObject(namespace, addressSpace.rootFolder.objects, controls, () => simulation.simTime);

    const pushAll = (sourceTimestamp: Date) => {
      for (const nodes of machineNodes) nodes.update(sourceTimestamp);
    };
    pushAll(new Date());
    const unsubscribe = simulation.onTick((tick) => pushAll(new Date(tick.wallTime)));

    try {
      await server.start();
    } catch (error) {
      unsubscribe();
      await server.shutdown(0).catch(() => undefined);
      const hint = port !== 0 ? ` (is another server on port ${port}? choose another with --plc-port, or 0 for any free port)` : '';
      throw new Error(`cannot start the simulated OPC UA server on ${host}:${port}: ${errorMessage(error)}${hint}`, { cause: error });
    }
    const plc = new OpcuaPlcServer(server, unsubscribe, logger);
    logger.info(
      { endpointUrl: plc.endpointUrl, machines: machineNodes.map((nodes) => nodes.placed.machine.id), securityModes: modes, users: users.length },
      'simulated PLC (OPC UA) listening',
    );
    return plc;
  }

  async stop(): Promise<void> {
    this.#unsubscribe();
    await this.#server.shutdown(0);
    this.#logger.info({ endpointUrl: this.endpointUrl }, 'simulated PLC (OPC UA) stopped');
  }
}

function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::';
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
