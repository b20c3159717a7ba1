import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The folder holding package.json, found from this module's own location so that shipped files
 * (demo config, scenarios, models) are found both from sources (tsx, vitest) and from dist/.
 */
function findPackageRoot(): string {
  let folder = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(folder, 'package.json'))) {
    const parent = path.dirname(folder);
    if (parent === folder) throw new Error(`cannot find package.json above ${fileURLToPath(import.meta.url)}`);
    folder = parent;
  }
  return folder;
}

export const PACKAGE_ROOT = findPackageRoot();

export const DEMO_CONFIG_FILE = path.join(PACKAGE_ROOT, 'edge', 'config', 'demo.yaml');

/** The pre-trained models shipped with Millwright (cards and .onnx files, and their training script). */
export const SHIPPED_MODELS_FOLDER = path.join(PACKAGE_ROOT, 'models');
