import { Value } from 'typebox/value';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { browseVariables, type BrowsedVariable } from '../../../gateway/opcua/opcua-browse.js';
import { snakeCase, variablesToConfigSnippet } from '../../../gateway/opcua/opcua-config-snippet.js';
import { OpcuaSourceConfigSchema } from '../../../gateway/opcua/opcua-source-config.js';
import { formatVariableTable } from '../../../gateway/opcua/opcua-variable-table.js';
import { startFixtureServer, type FixtureServer } from './fixtures/fixture-server.js';
import { PLANT_NODE } from './fixtures/plant-address-space.js';
import { freePort } from '../../support/free-port.js';
import { tempFolder } from '../../support/temp-folder.js';

const pki = tempFolder('opcua-browse');
let server: FixtureServer;
let variables: BrowsedVariable[];
let truncated: string | null;

beforeAll(async () => {
  server = await startFixtureServer({ pkiFolder: `${pki.path}/server` });
  ({ variables, truncated } = await browseVariables(server.endpoint, { pkiFolder: `${pki.path}/client` }));
});

afterAll(async () => {
  await server?.stop();
  pki.remove();
});

const byPath = (path: string) => variables.find((variable) => variable.path === path);

describe('browseVariables', () => {
  it('lists every variable of the plant with path, node id, data type, unit and EURange', () => {
    expect(truncated).toBeNull();
    expect(byPath('Objects/Millbrook/Utilities/pump-01/flow')).toEqual({
      path: 'Objects/Millbrook/Utilities/pump-01/flow',
      nodeId: PLANT_NODE.flow,
      browseName: 'flow',
      parentName: 'pump-01',
      dataType: 'Double',
      valueRank: -1,
      unit: 'm³/h',
      euRange: { low: 0, high: 120 },
    });
    expect(byPath('Objects/Millbrook/Utilities/pump-01/pressure')).toMatchObject({ dataType: 'Float', unit: 'bar', euRange: { low: 0, high: 10 } });
    expect(byPath('Objects/Millbrook/Utilities/pump-01/running')).toMatchObject({ nodeId: PLANT_NODE.running, dataType: 'Boolean', unit: null, euRange: null });
    // A MultiStateDiscrete: its DataType attribute is the abstract Number, its ValueRank Any (-2).
    expect(byPath('Objects/Millbrook/Utilities/pump-01/OperatingState')).toMatchObject({ nodeId: PLANT_NODE.state, dataType: 'Number', valueRank: -2 });
    expect(byPath('Objects/Millbrook/Utilities/pump-01/history')).toMatchObject({ dataType: 'Double', valueRank: 1 });
    expect(byPath('Objects/Millbrook/Utilities/tank-01/level')).toMatchObject({ nodeId: PLANT_NODE.level, unit: '%', parentName: 'tank-01' });
    expect(variables.filter((variable) => variable.path.startsWith('Objects/Millbrook/'))).toHaveLength(11);
  });

  it('leaves out properties and, by default, the Server object', () => {
    expect(variables.some((variable) => /\/(EURange|EngineeringUnits|TrueState|EnumStrings)$/.test(variable.path))).toBe(false);
    expect(variables.some((variable) => variable.path.startsWith('Objects/Server/'))).toBe(false);
  });

  it('stops at its bounds and says so', async () => {
    const shallow = await browseVariables(server.endpoint, { pkiFolder: `${pki.path}/client`, maxDepth: 3 });
    expect(shallow.variables.filter((variable) => variable.path.startsWith('Objects/Millbrook/'))).toEqual([]);
    expect(shallow.truncated).toMatch(/depth 3/);
    const few = await browseVariables(server.endpoint, { pkiFolder: `${pki.path}/client`, maxVariables: 2 });
    expect(few.variables).toHaveLength(2);
    expect(few.truncated).toMatch(/2 variables/);
  });

  it('explains an endpoint where nothing listens', async () => {
    const port = await freePort();
    await expect(browseVariables(`opc.tcp://127.0.0.1:${port}`, { pkiFolder: `${pki.path}/client`, timeoutMs: 10_000 })).rejects.toThrow(
      `nothing accepts connections at opc.tcp://127.0.0.1:${port} (connection refused)`,
    );
  });

  it('prints a table for people', () => {
    const table = formatVariableTable(variables.filter((variable) => variable.path.includes('pump-01/flow') || variable.path.includes('history')));
    const lines = table.split('\n');
    expect(lines[0]).toMatch(/^PATH\s+NODE ID\s+TYPE\s+UNIT\s+EU RANGE$/);
    expect(lines).toContainEqual(expect.stringMatching(/^Objects\/Millbrook\/Utilities\/pump-01\/flow\s+ns=1;s=pump-01\.flow\s+Double\s+m³\/h\s+0\.\.120$/));
    expect(lines).toContainEqual(expect.stringMatching(/pump-01\/history\s+ns=1;s=pump-01\.history\s+Double\[\]$/));
  });
});

describe('variablesToConfigSnippet', () => {
  it('writes a valid source config mapping numeric and boolean scalars to parent asset and snake_case signal', () => {
    const yaml = variablesToConfigSnippet(variables, { sourceId: 'plant-plc', endpoint: server.endpoint });
    const config: unknown = parse(yaml);
    expect(Value.Errors(OpcuaSourceConfigSchema, config)).toEqual([]);
    expect(config).toMatchObject({ id: 'plant-plc', kind: 'opcua', endpoint: server.endpoint });
    const nodes = (config as { nodes: { nodeId: string; asset: string; signal: string }[] }).nodes;
    const plantNodes = nodes.filter((node) => node.nodeId.startsWith('ns=1;'));
    expect(plantNodes).toEqual(
      expect.arrayContaining([
        { nodeId: PLANT_NODE.flow, asset: 'pump-01', signal: 'flow' },
        { nodeId: PLANT_NODE.running, asset: 'pump-01', signal: 'running' },
        { nodeId: PLANT_NODE.state, asset: 'pump-01', signal: 'operating_state' },
        { nodeId: PLANT_NODE.temperature, asset: 'pump-01', signal: 'bearing_temperature' },
        { nodeId: PLANT_NODE.starts, asset: 'pump-01', signal: 'starts' },
        { nodeId: PLANT_NODE.level, asset: 'tank-01', signal: 'level' },
      ]),
    );
    // A String and a Double array cannot become samples.
    expect(plantNodes.map((node) => node.nodeId)).not.toContain(PLANT_NODE.mode);
    expect(plantNodes.map((node) => node.nodeId)).not.toContain(PLANT_NODE.history);
    expect(plantNodes).toHaveLength(9);
    expect(yaml).toContain('# Objects/Millbrook/Utilities/pump-01/flow · Double · m³/h · EURange 0..120');
  });

  it('keeps signal names unique per asset and refuses a server with nothing to map', () => {
    const twin = (path: string, nodeId: string): BrowsedVariable => ({
      path,
      nodeId,
      browseName: 'Value',
      parentName: 'Pump 1',
      dataType: 'Double',
      valueRank: -1,
      unit: null,
      euRange: null,
    });
    const yaml = variablesToConfigSnippet([twin('Objects/Pump 1/Value', 'ns=2;i=1'), twin('Objects/Pump 1/Value', 'ns=2;i=2')], {
      sourceId: 'x',
      endpoint: 'opc.tcp://127.0.0.1:4840',
    });
    expect((parse(yaml) as { nodes: unknown[] }).nodes).toEqual([
      { nodeId: 'ns=2;i=1', asset: 'Pump-1', signal: 'value' },
      { nodeId: 'ns=2;i=2', asset: 'Pump-1', signal: 'value_2' },
    ]);
    expect(() => variablesToConfigSnippet([{ ...twin('Objects/Pump 1/Label', 'ns=2;i=3'), dataType: 'String' }], { sourceId: 'x', endpoint: 'opc.tcp://h:1' })).toThrow(
      /none of the 1 variables found at opc\.tcp:\/\/h:1 is a numeric or boolean scalar/,
    );
  });

  it('turns browse names into snake_case', () => {
    expect(['flow', 'BearingTemperature', 'motor-current', 'Motor Current', 'PV.Value', 'PVValue', 'temp2Max', '---'].map(snakeCase)).toEqual([
      'flow',
      'bearing_temperature',
      'motor_current',
      'motor_current',
      'pv_value',
      'pv_value',
      'temp2_max',
      'value',
    ]);
  });
});
