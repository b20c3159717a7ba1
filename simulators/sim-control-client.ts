import {
  DataType,
  MessageSecurityMode,
  OPCUACertificateManager,
  OPCUAClient,
  SecurityPolicy,
  UserTokenType,
  Variant,
  type ClientSession,
} from 'node-opcua';
import { SIMULATOR_NAMESPACE_INDEX } from './opcua-plc-server.js';
import { DEFAULT_SIM_ENDPOINT } from './sim-defaults.js';
import type { MachineInfo } from './simulator-controls.js';

export { DEFAULT_SIM_ENDPOINT } from './sim-defaults.js';

export interface SimControlClientOptions {
  /** Default opc.tcp://127.0.0.1:4840 (the simulator's default). */
  readonly endpoint?: string;
  /** Longest wait to connect and open a session, in ms (default 5000). */
  readonly timeoutMs?: number;
  /** Folder of the client's PKI; default node-opcua's own (~/.config/node-opcua-default-nodejs). */
  readonly pkiFolder?: string;
  readonly username?: string;
  readonly password?: string;
}

/** A refused or failed control request; `message` is the simulator's own explanation. */
export class SimControlError extends Error {
  constructor(
    message: string,
    /** OPC UA status code name, e.g. "BadNotFound", when the server answered. */
    readonly statusCode?: string,
  ) {
    super(message);
    this.name = 'SimControlError';
  }
}

export interface InjectOptions {
  /** 0..1, default 1. */
  readonly severity?: number;
  /** Simulated seconds to full severity, default 0. */
  readonly rampSeconds?: number;
  /** For sensor-* faults. */
  readonly signal?: string;
}

/**
 * The client side of the simulator's `Objects/Simulator` methods, used by `millwright sim inject|clear|
 * command|load|machines`. Connects without retrying, so an absent simulator is reported at once.
 */
export class SimControlClient {
  readonly endpoint: string;
  readonly #client: OPCUAClient;
  readonly #session: ClientSession;

  private constructor(endpoint: string, client: OPCUAClient, session: ClientSession) {
    this.endpoint = endpoint;
    this.#client = client;
    this.#session = session;
  }

  static async connect(options: SimControlClientOptions = {}): Promise<SimControlClient> {
    const endpoint = options.endpoint ?? DEFAULT_SIM_ENDPOINT;
    const timeoutMs = options.timeoutMs ?? 5000;
    const client = OPCUAClient.create({
      endpointMustExist: false,
      securityMode: MessageSecurityMode.None,
      securityPolicy: SecurityPolicy.None,
      connectionStrategy: { maxRetry: 0, initialDelay: 100, maxDelay: 200 },
      keepSessionAlive: false,
      ...(options.pkiFolder
        ? { clientCertificateManager: new OPCUACertificateManager({ rootFolder: options.pkiFolder, automaticallyAcceptUnknownCertificate: true }) }
        : {}),
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      try {
        await Promise.race([client.connect(endpoint), timeout]);
      } catch (error) {
        throw new SimControlError(
          `cannot reach the simulator's OPC UA server at ${endpoint}: ${firstLine(error)}. ` +
            'Start the simulators with `millwright sim`, or point at a running one with --endpoint opc.tcp://HOST:PORT.',
        );
      }
      const userIdentity = options.username !== undefined ? { type: UserTokenType.UserName as const, userName: options.username, password: options.password ?? '' } : undefined;
      try {
        const session = await Promise.race([client.createSession(userIdentity), timeout]);
        return new SimControlClient(endpoint, client, session);
      } catch (error) {
        const who = options.username !== undefined ? `as user ${options.username}` : 'anonymously';
        throw new SimControlError(`reached ${endpoint} but could not open a session ${who}: ${firstLine(error)}. Check the user name and password the simulator was started with.`);
      }
    } catch (error) {
      await client.disconnect().catch(() => undefined);
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  inject(machine: string, fault: string, options: InjectOptions = {}): Promise<string> {
    return this.#call('InjectFault', [
      str(machine),
      str(fault),
      dbl(options.severity ?? 1),
      dbl(options.rampSeconds ?? 0),
      str(options.signal ?? ''),
    ]);
  }

  /** Without a fault, clears all of the machine's faults. */
  clearFaults(machine: string, fault = 'all'): Promise<string> {
    return this.#call('ClearFaults', [str(machine), str(fault)]);
  }

  command(machine: string, command: string): Promise<string> {
    return this.#call('Command', [str(machine), str(command)]);
  }

  setLoad(machine: string, percent: number): Promise<string> {
    return this.#call('SetLoad', [str(machine), dbl(percent)]);
  }

  async listMachines(): Promise<MachineInfo[]> {
    return JSON.parse(await this.#call('ListMachines', [])) as MachineInfo[];
  }

  async close(): Promise<void> {
    await this.#session.close().catch(() => undefined);
    await this.#client.disconnect();
  }

  async #call(method: string, inputArguments: Variant[]): Promise<string> {
    const result = await this.#session.call({ objectId: `ns=${SIMULATOR_NAMESPACE_INDEX};s=Simulator`, methodId: `ns=${SIMULATOR_NAMESPACE_INDEX};s=Simulator.${method}`, inputArguments });
    const output = result.outputArguments?.[0]?.value as unknown;
    if (result.statusCode.isNotGood()) {
      const explanation = typeof output === 'string' && output !== '' ? output : result.statusCode.description;
      throw new SimControlError(`${method} refused (${result.statusCode.name}): ${explanation}`, result.statusCode.name);
    }
    return typeof output === 'string' ? output : '';
  }
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}

function str(value: string): Variant {
  return new Variant({ dataType: DataType.String, value });
}

function dbl(value: number): Variant {
  return new Variant({ dataType: DataType.Double, value });
}
