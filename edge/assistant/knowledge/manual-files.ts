import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ChunkingOptions } from './section-chunker.js';
import { chunkManual } from './section-chunker.js';
import type { ManualChunk, ParsedManual } from './manual-chunk.js';
import { parseMarkdownManual } from './markdown-sections.js';
import { parsePdfManual } from './pdf-sections.js';
import { parseTextManual } from './text-sections.js';

export const MANUAL_EXTENSIONS = ['.md', '.markdown', '.txt', '.pdf'] as const;

export interface ManualFile {
  /** Relative to the manuals folder, with "/". */
  readonly file: string;
  readonly absolute: string;
  readonly size: number;
  readonly mtimeMs: number;
}

/**
 * A matcher for `exclude` patterns: each is compared with a file's path relative to the folder and with its
 * name; `*` stands for any characters but "/", `**` for any characters.
 */
export function excludeMatcher(patterns: readonly string[]): (file: string) => boolean {
  const expressions = patterns.map((pattern) => {
    const source = pattern
      .split('**')
      .map((part) => part.split('*').map((text) => text.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*'))
      .join('.*');
    return new RegExp(`^${source}$`);
  });
  return (file) => expressions.some((expression) => expression.test(file) || expression.test(path.posix.basename(file)));
}

/** Every manual under `folder` (Markdown, plain text, PDF), skipping hidden and excluded files and folders, in path order. */
export async function listManualFiles(folder: string, excluded: (file: string) => boolean = () => false): Promise<ManualFile[]> {
  const found: ManualFile[] = [];
  const visit = async (directory: string) => {
    const entries = await readdir(directory, { withFileTypes: true });
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const absolute = path.join(directory, entry.name);
      if (excluded(path.relative(folder, absolute).split(path.sep).join('/'))) continue;
      if (entry.isDirectory()) await visit(absolute);
      else if (entry.isFile() && (MANUAL_EXTENSIONS as readonly string[]).includes(path.extname(entry.name).toLowerCase())) {
        const info = await stat(absolute).catch(() => null);
        if (info !== null) found.push({ file: path.relative(folder, absolute).split(path.sep).join('/'), absolute, size: info.size, mtimeMs: info.mtimeMs });
      }
    }
  };
  await visit(folder);
  return found.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
}

async function parseManual(file: ManualFile, content: Buffer): Promise<ParsedManual> {
  const fallbackTitle = path.basename(file.file, path.extname(file.file));
  switch (path.extname(file.file).toLowerCase()) {
    case '.pdf':
      return parsePdfManual(new Uint8Array(content), fallbackTitle);
    case '.txt':
      return parseTextManual(content.toString('utf8'), fallbackTitle);
    default:
      return parseMarkdownManual(content.toString('utf8'), fallbackTitle);
  }
}

/**
 * A manual's chunks. Its machine kind is the one its front matter names, else its file name
 * (`centrifugal-pump.md` is the centrifugal-pump manual).
 */
export async function chunkManualFile(file: ManualFile, content: Buffer, chunking: ChunkingOptions): Promise<ManualChunk[]> {
  const parsed = await parseManual(file, content);
  const kind = parsed.machineKind ?? path.basename(file.file, path.extname(file.file));
  return chunkManual(parsed, file.file, kind, chunking);
}

export function readManual(file: ManualFile): Promise<Buffer> {
  return readFile(file.absolute);
}
