import type { Command } from 'commander';

export interface CertsCommandOptions {
  pki?: string;
  config?: string;
  source?: string;
  data: string;
}

/** `millwright certs ...`: the OPC UA server certificates the gateway trusts or refused. */
export function addCertsCommands(program: Command): void {
  const actions = () => import('./certs-actions.js');
  const withFolderOptions = (command: Command): Command =>
    command
      .option('-c, --config <file>', "the box's configuration: the PKI folder of each OPC UA source (certificateFolder, else <dataDir>/pki/gateway)")
      .option('--source <id>', 'with --config: only this OPC UA source')
      .option('--pki <folder>', "a PKI folder itself, instead of --config or --data: also a server's of the same layout, e.g. the simulator's data/pki/simulator")
      .option('--data <dir>', 'the data folder, when neither --config nor --pki is given: uses <dir>/pki/gateway', 'data');

  const certs = program
    .command('certs')
    .description('OPC UA certificates: list the server certificates the gateway refused, and trust or reject them');

  withFolderOptions(certs.command('list'))
    .description("the gateway's own certificate (to trust on the server), then trusted and rejected server certificates with their thumbprints")
    .action(async (options: CertsCommandOptions) => (await actions()).runCertsList(options));

  withFolderOptions(certs.command('trust <thumbprint-or-file>'))
    .description('trust a server certificate: a thumbprint (or its first digits) from `certs list`, or a certificate file (PEM or DER)')
    .action(async (which: string, options: CertsCommandOptions) => (await actions()).runCertsMove(which, 'trusted', options));

  withFolderOptions(certs.command('reject <thumbprint-or-file>'))
    .description('stop trusting a server certificate: the gateway refuses that server again from its next connection')
    .action(async (which: string, options: CertsCommandOptions) => (await actions()).runCertsMove(which, 'rejected', options));
}
