import { Option, type Command } from 'commander';
import { integerIn } from './option-parsers.js';

export interface BrowseCommandOptions {
  snippet?: boolean;
  sourceId: string;
  securityMode: 'None' | 'Sign' | 'SignAndEncrypt';
  securityPolicy: 'None' | 'Basic256Sha256' | 'Aes128_Sha256_RsaOaep' | 'Aes256_Sha256_RsaPss';
  username?: string;
  maxDepth: number;
  includeServer?: boolean;
  data: string;
}

/** `millwright browse <endpoint>`: what a server offers, as a table or as a config snippet to paste. */
export function addBrowseCommand(program: Command): void {
  program
    .command('browse <endpoint>')
    .description("list an OPC UA server's variables (path, node id, data type, unit), or write a source config for them")
    .option('--snippet', 'print a YAML source configuration mapping every numeric variable instead of the table')
    .option('--source-id <id>', 'id of the source in the snippet', 'plc')
    .addOption(new Option('--security-mode <mode>').choices(['None', 'Sign', 'SignAndEncrypt']).default('None'))
    .addOption(new Option('--security-policy <policy>').choices(['None', 'Basic256Sha256', 'Aes128_Sha256_RsaOaep', 'Aes256_Sha256_RsaPss']).default('None'))
    .option('--username <name>', 'user name; the password is read from MILLWRIGHT_OPCUA_PASSWORD')
    .option('--max-depth <n>', 'levels below the Objects folder to walk', integerIn(1, 50), 10)
    .option('--include-server', 'also list the standard Server object (diagnostics)')
    .option('--data <dir>', "folder holding the client's certificates", 'data')
    .action(async (endpoint: string, options: BrowseCommandOptions) => (await import('./browse-action.js')).runBrowse(endpoint, options));
}
