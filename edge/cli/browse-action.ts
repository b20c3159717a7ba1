import path from 'node:path';
import { browseVariables } from '../../gateway/opcua/opcua-browse.js';
import { variablesToConfigSnippet } from '../../gateway/opcua/opcua-config-snippet.js';
import { routeNodeOpcuaLogs } from '../../gateway/opcua/node-opcua-logs.js';
import type { OpcuaSourceConfig } from '../../gateway/opcua/opcua-source-config.js';
import { formatVariableTable } from '../../gateway/opcua/opcua-variable-table.js';
import { createLogger } from '../logging.js';
import type { BrowseCommandOptions } from './browse-command.js';

export async function runBrowse(endpoint: string, options: BrowseCommandOptions): Promise<void> {
  routeNodeOpcuaLogs(createLogger('warn', { destination: 'stderr' }));
  const security: OpcuaSourceConfig['security'] = { mode: options.securityMode, policy: options.securityPolicy };
  const result = await browseVariables(endpoint, {
    pkiFolder: path.resolve(options.data, 'pki', 'gateway'),
    security,
    ...(options.username ? { auth: { username: options.username, password: process.env['MILLWRIGHT_OPCUA_PASSWORD'] ?? '' } } : {}),
    maxDepth: options.maxDepth,
    includeServerObject: options.includeServer ?? false,
  });
  if (options.snippet) console.log(variablesToConfigSnippet(result.variables, { sourceId: options.sourceId, endpoint }));
  else console.log(formatVariableTable(result.variables));
  if (result.truncated) console.error(`note: the listing is incomplete: ${result.truncated}`);
}
