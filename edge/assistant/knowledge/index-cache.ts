import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ManualChunk } from './manual-chunk.js';
import type { ChunkingOptions } from './section-chunker.js';

/**
 * The parsed manuals and their embedding vectors, kept on disk so a restart does not parse every PDF again.
 * Invalidation: the whole cache is ignored when its format, the parser version or the chunking options
 * differ from this build's; a file's chunks are reused when its size and modification time are unchanged,
 * or else when its SHA-256 is; a vector is reused when its chunk's text hash and the embedding model are.
 * The search index itself is rebuilt from the chunks at start (a second for 10,000 chunks).
 */

/** Raise when parsing or chunking changes what a file yields. */
export const PARSER_VERSION = 1;
const FORMAT = 1;

export interface CachedFile {
  readonly size: number;
  readonly mtimeMs: number;
  readonly sha256: string;
  readonly chunks: readonly ManualChunk[];
}

export interface CachedVector {
  /** SHA-1 of the text that was embedded. */
  readonly hash: string;
  /** Float32 little-endian, base64. */
  readonly vector: string;
}

export interface IndexCache {
  readonly format: number;
  readonly parser: number;
  readonly chunking: ChunkingOptions;
  readonly files: Record<string, CachedFile>;
  readonly embeddings: { readonly model: string; readonly vectors: Record<string, CachedVector> } | null;
}

export function emptyCache(chunking: ChunkingOptions): IndexCache {
  return { format: FORMAT, parser: PARSER_VERSION, chunking, files: {}, embeddings: null };
}

/** The cache at `file` when it was written by this build with these options; else an empty one. */
export async function loadIndexCache(file: string, chunking: ChunkingOptions): Promise<IndexCache> {
  try {
    const cache = JSON.parse(await readFile(file, 'utf8')) as IndexCache;
    const compatible =
      cache.format === FORMAT &&
      cache.parser === PARSER_VERSION &&
      cache.chunking?.maxChars === chunking.maxChars &&
      cache.chunking?.overlapChars === chunking.overlapChars &&
      typeof cache.files === 'object';
    return compatible ? cache : emptyCache(chunking);
  } catch {
    return emptyCache(chunking);
  }
}

/** Writes the cache atomically (a temporary file renamed over the old one). */
export async function saveIndexCache(file: string, cache: IndexCache): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, JSON.stringify(cache));
  await rename(temporary, file);
}

export function encodeVector(vector: Float32Array): string {
  return Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength).toString('base64');
}

export function decodeVector(text: string): Float32Array {
  const bytes = Buffer.from(text, 'base64');
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return new Float32Array(copy.buffer);
}
