import { build } from 'vite';
import { fileURLToPath } from 'node:url';

const VITE_CONFIG = fileURLToPath(new URL('../../../../edge/console/web/vite.config.ts', import.meta.url));

/**
 * Builds the web page from the current sources into the folder the console serves (a clean clone has
 * none), or into `outDir`: suites running side by side each build into their own folder.
 */
export async function buildConsolePage(outDir?: string): Promise<void> {
  await build({ configFile: VITE_CONFIG, logLevel: 'warn', ...(outDir === undefined ? {} : { build: { outDir, emptyOutDir: true } }) });
}
