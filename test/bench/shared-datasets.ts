import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * The public benchmark recordings, read where they live (never copied into the repo):
 * $MILLWRIGHT_DATASETS, else ../shared/datasets beside the repository. Tests that need them skip
 * when the folder is absent.
 */
export const SHARED_DATASETS = process.env.MILLWRIGHT_DATASETS ?? path.resolve(import.meta.dirname, '../../../shared/datasets');

export function hasDatasets(...parts: string[]): boolean {
  return existsSync(path.join(SHARED_DATASETS, ...parts));
}
