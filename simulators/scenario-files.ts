import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** simulators/scenarios of the package, found from this module whether it runs from sources or from dist/. */
function findShippedScenariosFolder(): string {
  let folder = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(folder, 'package.json'))) {
    const parent = path.dirname(folder);
    if (parent === folder) return path.join(path.dirname(fileURLToPath(import.meta.url)), 'scenarios');
    folder = parent;
  }
  return path.join(folder, 'simulators', 'scenarios');
}

export const SHIPPED_SCENARIOS_FOLDER = findShippedScenariosFolder();

/** Names (without .yaml) of the scenarios shipped with the simulators. */
export function shippedScenarioNames(): string[] {
  return existsSync(SHIPPED_SCENARIOS_FOLDER)
    ? readdirSync(SHIPPED_SCENARIOS_FOLDER)
        .filter((name) => name.endsWith('.yaml'))
        .map((name) => name.slice(0, -'.yaml'.length))
        .sort()
    : [];
}

/** A path as given when it exists, else the shipped scenario of that name ("smoke-short" or "smoke-short.yaml"). */
export function resolveScenarioFile(nameOrPath: string): string {
  if (existsSync(nameOrPath)) return nameOrPath;
  const shipped = path.join(SHIPPED_SCENARIOS_FOLDER, nameOrPath.endsWith('.yaml') ? nameOrPath : `${nameOrPath}.yaml`);
  return existsSync(shipped) ? shipped : nameOrPath;
}
