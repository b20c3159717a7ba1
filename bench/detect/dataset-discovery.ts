import { open, readdir, stat } from 'node:fs/promises';
import path from 'node:path';

export interface SkabFile {
  readonly file: string;
  /** Path relative to the searched folder, with "/" separators, e.g. "skab/valve1/0.csv". */
  readonly relative: string;
  /** Whether the header has an `anomaly` column: a test file; without one, a recording of normal operation. */
  readonly labelled: boolean;
}

export interface NabRoot {
  /** The folder holding data/ and labels/combined_windows.json. */
  readonly root: string;
  readonly relative: string;
  /** Data files relative to data/, e.g. "realKnownCause/nyc_taxi.csv". */
  readonly files: readonly string[];
}

export interface BenchmarkData {
  readonly skab: readonly SkabFile[];
  readonly nab: readonly NabRoot[];
}

const NAB_LABELS = path.join('labels', 'combined_windows.json');

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

async function firstLine(file: string): Promise<string> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(4096);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return buffer.subarray(0, bytesRead).toString('utf8').replace(/^\uFEFF/, '').split(/\r?\n/)[0] ?? '';
  } finally {
    await handle.close();
  }
}

/** Natural order, so that valve1/2.csv comes before valve1/10.csv. */
function naturally(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

async function csvFilesUnder(folder: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(folder, { withFileTypes: true })) {
    const full = path.join(folder, entry.name);
    if (entry.isDirectory()) found.push(...(await csvFilesUnder(full)));
    else if (entry.isFile() && entry.name.toLowerCase().endsWith('.csv')) found.push(full);
  }
  return found;
}

/**
 * Every file in the SKAB layout (";"-separated with a `datetime` column) and every NAB folder
 * (data/<category>/*.csv beside labels/combined_windows.json) under `folder`, in natural order.
 */
export async function findBenchmarkData(folder: string): Promise<BenchmarkData> {
  const skab: SkabFile[] = [];
  const nab: NabRoot[] = [];
  const relative = (file: string) => path.relative(folder, file).split(path.sep).join('/');
  const walk = async (current: string): Promise<void> => {
    if (await exists(path.join(current, NAB_LABELS))) {
      const data = path.join(current, 'data');
      const files = (await exists(data)) ? (await csvFilesUnder(data)).map((file) => path.relative(data, file).split(path.sep).join('/')) : [];
      nab.push({ root: current, relative: relative(current), files: files.sort(naturally) });
      return;
    }
    const entries = await readdir(current, { withFileTypes: true });
    for (const entry of entries.sort((a, b) => naturally(a.name, b.name))) {
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (entry.isFile() && entry.name.toLowerCase().endsWith('.csv')) {
        const header = (await firstLine(full)).split(';').map((field) => field.trim());
        if (header.length > 1 && header.includes('datetime')) skab.push({ file: full, relative: relative(full), labelled: header.some((field) => field.toLowerCase() === 'anomaly') });
      }
    }
  };
  await walk(folder);
  skab.sort((a, b) => naturally(a.relative, b.relative));
  return { skab, nab };
}
