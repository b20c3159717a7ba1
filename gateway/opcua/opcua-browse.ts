import {
  AttributeIds,
  BrowseDirection,
  NodeClass,
  NodeClassMask,
  ObjectIds,
  ReferenceTypeIds,
  browseAll,
  makeNodeId,
  NodeId,
  type BrowseDescriptionLike,
  type ExpandedNodeId,
  type ClientSession,
  type DataValue,
  type ReadValueIdOptions,
  type ReferenceDescription,
} from 'node-opcua';
import { withDeadline } from './deadline.js';
import {
  createOpcuaClient,
  DEFAULT_MAX_RECONNECT_DELAY_MS,
  explainConnectionError,
  userIdentityOf,
  type OpcuaConnectionSettings,
} from './opcua-client-setup.js';

/** One variable found under the Objects folder. */
export interface BrowsedVariable {
  /** Browse names from the Objects folder down, e.g. "Objects/Millbrook/Utilities/pump-01/flow". */
  readonly path: string;
  /** The node id in its string form, as a source config wants it: "ns=1;s=pump-01.flow". */
  readonly nodeId: string;
  readonly browseName: string;
  /** Browse name of the object (or folder) holding the variable. */
  readonly parentName: string;
  /** Name of the variable's DataType: "Double", "Boolean", "UInt32", "String", a structure's name, ... */
  readonly dataType: string;
  /** -1 for a scalar, 1 for a one-dimensional array, ... (OPC UA ValueRank). */
  readonly valueRank: number;
  /** The EngineeringUnits' display name (its symbol, e.g. "m³/h"), when the variable has them. */
  readonly unit: string | null;
  readonly euRange: { readonly low: number; readonly high: number } | null;
}

export interface BrowseVariablesResult {
  readonly variables: BrowsedVariable[];
  /** Why the walk stopped early (a limit was reached), or null when it saw everything. */
  readonly truncated: string | null;
}

export interface BrowseOptions {
  /** Client PKI (own certificate, trusted/ and rejected/ server certificates). */
  readonly pkiFolder: string;
  readonly security?: OpcuaConnectionSettings['security'];
  readonly auth?: OpcuaConnectionSettings['auth'];
  /** Levels below the Objects folder; default 10. */
  readonly maxDepth?: number;
  /** Stop after this many variables; default 10,000. */
  readonly maxVariables?: number;
  /** Also walk the standard Server object (diagnostics, capabilities); default false. */
  readonly includeServerObject?: boolean;
  /** Bound on the whole browse, connection included; default 60 s. */
  readonly timeoutMs?: number;
}

interface Found {
  readonly nodeId: NodeId;
  readonly name: string;
  readonly path: string;
  readonly parentName: string;
  readonly nodeClass: NodeClass;
}

const READ_CHUNK = 500;

/**
 * Connects to `endpoint`, walks Organizes and HasComponent references from the Objects folder (breadth first,
 * each node once) and returns every variable with its data type, unit and EURange. Properties (EURange,
 * EngineeringUnits, ...) are metadata of their variable, not variables of their own here.
 */
export async function browseVariables(endpoint: string, options: BrowseOptions): Promise<BrowseVariablesResult> {
  const settings: OpcuaConnectionSettings = {
    endpoint,
    security: options.security,
    auth: options.auth,
    pkiFolder: options.pkiFolder,
    maxReconnectDelay: DEFAULT_MAX_RECONNECT_DELAY_MS,
  };
  const { client, certificateManager } = createOpcuaClient(settings, 'millwright-browse');
  const opened: { session?: ClientSession } = {};
  const work = async () => {
    try {
      await client.connect(endpoint);
      opened.session = await client.createSession(userIdentityOf(options.auth));
    } catch (error) {
      throw new Error(explainConnectionError(error, settings));
    }
    return walk(opened.session, options);
  };
  try {
    return await withDeadline(work(), options.timeoutMs ?? 60_000, `browsing ${endpoint}`);
  } finally {
    if (opened.session) await withDeadline(opened.session.close(true), 5000, 'closing the session').catch(() => undefined);
    await client.disconnect().catch(() => undefined);
    await certificateManager.dispose().catch(() => undefined);
  }
}

async function walk(session: ClientSession, options: BrowseOptions): Promise<BrowseVariablesResult> {
  const maxDepth = options.maxDepth ?? 10;
  const maxVariables = options.maxVariables ?? 10_000;
  const objects = makeNodeId(ObjectIds.ObjectsFolder);
  const skipped = new Set(options.includeServerObject ? [] : [makeNodeId(ObjectIds.Server).toString()]);
  const seen = new Set<string>([objects.toString()]);
  const found: Found[] = [];
  let truncated: string | null = null;
  let level: Found[] = [{ nodeId: objects, name: 'Objects', path: 'Objects', parentName: '', nodeClass: NodeClass.Object }];

  for (let depth = 1; level.length > 0 && truncated === null; depth += 1) {
    if (depth > maxDepth) {
      truncated = `stopped at depth ${maxDepth} (maxDepth); deeper nodes were not browsed`;
      break;
    }
    const children = await browseChildren(session, level);
    const next: Found[] = [];
    for (const [parent, references] of children) {
      for (const reference of references) {
        const id = reference.nodeId.toString();
        if (seen.has(id) || skipped.has(id)) continue;
        seen.add(id);
        const name = reference.browseName.name ?? id;
        const child: Found = { nodeId: localNodeId(reference.nodeId), name, path: `${parent.path}/${name}`, parentName: parent.name, nodeClass: reference.nodeClass };
        next.push(child);
        if (child.nodeClass === NodeClass.Variable) found.push(child);
        if (found.length >= maxVariables) {
          truncated = `stopped after ${maxVariables} variables (maxVariables)`;
          break;
        }
      }
      if (truncated !== null) break;
    }
    level = next;
  }
  return { variables: await describeVariables(session, found), truncated };
}

/** Organizes and HasComponent children (objects and variables) of each node, in one batch per level. */
async function browseChildren(session: ClientSession, parents: Found[]): Promise<[Found, ReferenceDescription[]][]> {
  const descriptions: BrowseDescriptionLike[] = parents.flatMap((parent) =>
    [ReferenceTypeIds.Organizes, ReferenceTypeIds.HasComponent].map((reference) => ({
      nodeId: parent.nodeId,
      browseDirection: BrowseDirection.Forward,
      referenceTypeId: makeNodeId(reference),
      includeSubtypes: true,
      nodeClassMask: NodeClassMask.Object | NodeClassMask.Variable,
      resultMask: 0x3f,
    })),
  );
  const results = await browseAll(session, descriptions);
  return parents.map((parent, index) => [parent, [...(results[2 * index]?.references ?? []), ...(results[2 * index + 1]?.references ?? [])]]);
}

async function describeVariables(session: ClientSession, variables: Found[]): Promise<BrowsedVariable[]> {
  const attributes = await readAll(
    session,
    variables.flatMap(({ nodeId }) => [
      { nodeId, attributeId: AttributeIds.DataType },
      { nodeId, attributeId: AttributeIds.ValueRank },
    ]),
  );
  const dataTypeIds = variables.map((_, index) => attributes[2 * index]?.value.value as NodeId | null | undefined);
  const dataTypeNames = await nameDataTypes(session, dataTypeIds);
  const metadata = await readMetadata(session, variables);

  return variables.map((variable, index) => {
    const dataTypeId = dataTypeIds[index];
    return {
      path: variable.path,
      nodeId: variable.nodeId.toString(),
      browseName: variable.name,
      parentName: variable.parentName,
      dataType: (dataTypeId && dataTypeNames.get(dataTypeId.toString())) ?? 'unknown',
      valueRank: Number(attributes[2 * index + 1]?.value.value ?? -1),
      unit: metadata[index]?.unit ?? null,
      euRange: metadata[index]?.euRange ?? null,
    };
  });
}

/** DataType node id → its browse name, one read for all distinct types. */
async function nameDataTypes(session: ClientSession, ids: (NodeId | null | undefined)[]): Promise<Map<string, string>> {
  const distinct = [...new Map(ids.filter((id): id is NodeId => !!id).map((id) => [id.toString(), id])).values()];
  const names = await readAll(
    session,
    distinct.map((nodeId) => ({ nodeId, attributeId: AttributeIds.BrowseName })),
  );
  return new Map(distinct.map((id, index) => [id.toString(), String(names[index]?.value.value?.name ?? id.toString())]));
}

/** EngineeringUnits and EURange properties, when a variable has them (AnalogItems do). */
async function readMetadata(session: ClientSession, variables: Found[]): Promise<{ unit: string | null; euRange: BrowsedVariable['euRange'] }[]> {
  const properties = await browseAll(
    session,
    variables.map(({ nodeId }) => ({
      nodeId,
      browseDirection: BrowseDirection.Forward,
      referenceTypeId: makeNodeId(ReferenceTypeIds.HasProperty),
      includeSubtypes: true,
      nodeClassMask: NodeClassMask.Variable,
      resultMask: 0x3f,
    })),
  );
  const wanted: { variable: number; kind: 'unit' | 'range'; nodeId: NodeId }[] = [];
  properties.forEach((result, variable) => {
    for (const reference of result.references ?? []) {
      const name = reference.browseName.name;
      if (name === 'EngineeringUnits') wanted.push({ variable, kind: 'unit', nodeId: localNodeId(reference.nodeId) });
      if (name === 'EURange') wanted.push({ variable, kind: 'range', nodeId: localNodeId(reference.nodeId) });
    }
  });
  const values = await readAll(
    session,
    wanted.map(({ nodeId }) => ({ nodeId, attributeId: AttributeIds.Value })),
  );
  const metadata = variables.map(() => ({ unit: null as string | null, euRange: null as BrowsedVariable['euRange'] }));
  wanted.forEach(({ variable, kind }, index) => {
    const value: unknown = values[index]?.value.value;
    const entry = metadata[variable];
    if (!entry || value === null || typeof value !== 'object') return;
    if (kind === 'unit') {
      const text = (value as { displayName?: { text?: string | null } }).displayName?.text;
      entry.unit = text ? text : null;
    } else {
      const { low, high } = value as { low?: unknown; high?: unknown };
      if (typeof low === 'number' && typeof high === 'number') entry.euRange = { low, high };
    }
  });
  return metadata;
}

/** The node id without the server index / namespace URI an ExpandedNodeId may carry (a local server's nodes). */
function localNodeId(id: ExpandedNodeId): NodeId {
  return new NodeId(id.identifierType, id.value, id.namespace);
}

async function readAll(session: ClientSession, nodes: ReadValueIdOptions[]): Promise<DataValue[]> {
  const values: DataValue[] = [];
  for (let start = 0; start < nodes.length; start += READ_CHUNK) {
    values.push(...(await session.read(nodes.slice(start, start + READ_CHUNK))));
  }
  return values;
}
