import { withoutCredentials } from '../../gateway/mqtt/mqtt-security-options.js';
import { EMBEDDED_BROKER } from '../../gateway/uplink/uplink-config.js';
import type { SourceConfig } from '../config/config-schema.js';
import { loadConfigFile } from '../config/load-config.js';

/** `millwright check-config FILE`: validates and summarises without connecting to anything. */
export async function runCheckConfig(configFile: string): Promise<void> {
  const config = await loadConfigFile(configFile);
  const signalCount = Object.values(config.assets).reduce((sum, asset) => sum + Object.keys(asset.signals).length, 0);
  console.log(`${configFile}: valid`);
  console.log(`  site ${config.site}, data folder ${config.dataDir}`);
  console.log(`  ${Object.keys(config.assets).length} assets with ${signalCount} signals`);
  for (const source of config.sources) {
    const target = source.kind === 'opcua' ? `${source.endpoint}, ${source.nodes.length} nodes` : `${source.url === 'embedded' ? 'embedded' : shownUrl(source.url)}, ${source.mappings.length} topic mappings`;
    console.log(`  source ${source.id} (${source.kind}): ${target}; ${securitySummary(source)}`);
  }
  if (config.console) {
    const scheme = config.console.tls ? 'https' : 'http';
    console.log(`  operator console on ${scheme}://${config.console.host}:${config.console.port}, ${config.console.users.length} user(s): ${config.console.users.map((user) => `${user.name} (${user.role})`).join(', ')}`);
  }
  if (config.embeddedBroker) console.log(`  embedded MQTT broker on ${config.embeddedBroker.host}:${config.embeddedBroker.port}`);
  if (config.uplink) {
    const { uplink } = config;
    const formats = [...(uplink.json ? [`JSON under ${uplink.topicPrefix}/`] : []), ...(uplink.sparkplug ? [`Sparkplug B as ${uplink.sparkplug.groupId}/${uplink.sparkplug.edgeNodeId}`] : [])];
    console.log(`  uplink to ${uplink.url === EMBEDDED_BROKER ? 'the embedded broker' : shownUrl(uplink.url)} (${formats.join(', ')}), buffered in ${uplink.buffer.file}`);
  }
}

/** How the source authenticates the server and itself, so a plain connection is seen before it goes live. */
function securitySummary(source: SourceConfig): string {
  const username = source.auth?.username ?? (source.kind === 'mqtt' ? userInUrl(source.url) : null);
  const user = username ? `user ${username}` : 'no user';
  if (source.kind === 'opcua') {
    const security = source.security ?? { mode: 'None', policy: 'None' };
    return security.mode === 'None' ? `security None (unsigned, unencrypted), ${user}` : `${security.mode} with ${security.policy}, ${user}`;
  }
  if (source.url === 'embedded') return `the embedded broker, ${user}`;
  const encrypted = /^(mqtts|wss):/i.test(source.url);
  const trust = source.tls?.caFile ? `trusting ${source.tls.caFile}` : "trusting the system's CAs";
  return encrypted ? `TLS ${source.tls?.rejectUnauthorized === false ? 'WITHOUT certificate checks' : trust}, ${user}` : `no TLS, ${user}`;
}

function userInUrl(url: string): string | null {
  try {
    return decodeURIComponent(new URL(url).username) || null;
  } catch {
    return null;
  }
}

function shownUrl(url: string): string {
  return withoutCredentials(url) ?? '<invalid url>';
}
