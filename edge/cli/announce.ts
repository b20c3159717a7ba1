import type { Logger } from '../../gateway/logger.js';
import type { Endpoint } from '../edge-runtime.js';

/** Says where everything listens, one line each, so a person knows what to open or point at. */
export function announceEndpoints(endpoints: readonly Endpoint[], logger: Logger): void {
  const width = Math.max(...endpoints.map((endpoint) => endpoint.name.length));
  for (const endpoint of endpoints) logger.info({ listening: endpoint }, `${endpoint.name.padEnd(width)}  ${endpoint.url}`);
}
