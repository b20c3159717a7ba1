import { watch, type FSWatcher } from 'node:fs';
import { mkdirSync } from 'node:fs';
import type { Logger } from '../../../gateway/logger.js';

/**
 * Calls `onChange` once things have been quiet for `quietMs` after a model file (.json or .onnx) in
 * the folder appeared, changed or went away. The folder is created if missing, so a calibration run
 * before the first model exists is still seen.
 */
export function watchModelFolder(folder: string, onChange: () => void, logger: Logger, quietMs = 300): () => void {
  let timer: NodeJS.Timeout | undefined;
  let watcher: FSWatcher;
  try {
    mkdirSync(folder, { recursive: true });
    watcher = watch(folder, (_event, name) => {
      if (name !== null && !/\.(json|onnx)$/i.test(name)) return;
      clearTimeout(timer);
      timer = setTimeout(onChange, quietMs);
    });
  } catch (error) {
    logger.warn({ err: error, folder }, `cannot watch ${folder} for new models: models calibrated by another process are picked up at the next start`);
    return () => {};
  }
  watcher.on('error', (error) => logger.warn({ err: error, folder }, `watching ${folder} for new models failed; models calibrated from now on are picked up at the next start`));
  return () => {
    clearTimeout(timer);
    watcher.close();
  };
}
