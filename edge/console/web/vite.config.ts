import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The operator console's web page: sources here, the built page in dist/ (served by the console
 * server). Everything, uPlot included, is bundled: the page loads nothing from elsewhere.
 */
const WEB_SOURCE_ROOT = fileURLToPath(new URL('.', import.meta.url));
const WEB_BUILD_FOLDER = fileURLToPath(new URL('./dist', import.meta.url));

export default defineConfig({
  root: WEB_SOURCE_ROOT,
  base: './',
  logLevel: 'warn',
  build: {
    outDir: WEB_BUILD_FOLDER,
    emptyOutDir: true,
    target: 'es2022',
    reportCompressedSize: false,
  },
});
