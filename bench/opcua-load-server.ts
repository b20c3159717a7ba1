/**
 * A child process of bench/ingest.ts: an OPC UA server with VARIABLES Double variables, every one
 * changing every INTERVAL_MS, so the gateway has more data changes to read than any real PLC sends.
 * Prints {"endpoint": ...} once it listens. Usage: opcua-load-server.ts VARIABLES INTERVAL_MS PKI_FOLDER
 */
import { OPCUACertificateManager, OPCUAServer, DataType, StatusCodes, Variant } from 'node-opcua';

const [variablesArg = '2000', intervalArg = '100', pkiFolder = '/tmp/millwright-bench-pki'] = process.argv.slice(2);
const variableCount = Number(variablesArg);
const intervalMs = Number(intervalArg);

const serverCertificateManager = new OPCUACertificateManager({ rootFolder: pkiFolder, automaticallyAcceptUnknownCertificate: true });
const server = new OPCUAServer({ port: 0, hostname: '127.0.0.1', serverCertificateManager, maxConnectionsPerEndpoint: 10 });
await server.initialize();
const namespace = server.engine.addressSpace!.getOwnNamespace();
const folder = namespace.addFolder(server.engine.addressSpace!.rootFolder.objects, { browseName: 'Bench' });
const variables = Array.from({ length: variableCount }, (_, i) =>
  namespace.addVariable({
    componentOf: folder,
    browseName: `v${i}`,
    nodeId: `s=bench.v${i}`,
    dataType: 'Double',
    minimumSamplingInterval: 50,
    value: new Variant({ dataType: DataType.Double, value: 0 }),
  }),
);
await server.start();

let tick = 0;
const timer = setInterval(() => {
  tick += 1;
  const now = new Date();
  for (let i = 0; i < variables.length; i++) {
    variables[i]!.setValueFromSource(new Variant({ dataType: DataType.Double, value: tick + i / 1000 }), StatusCodes.Good, now);
  }
}, intervalMs);

const endpoint = server.getEndpointUrl().replace(/\/\/[^:/]+:/, '//127.0.0.1:');
process.stdout.write(`${JSON.stringify({ endpoint })}\n`);
process.on('SIGTERM', () => {
  clearInterval(timer);
  void server.shutdown(0).then(() => process.exit(0));
});
