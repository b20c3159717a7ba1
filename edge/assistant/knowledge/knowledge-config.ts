import path from 'node:path';
import { Type, type Static } from 'typebox';
import { DEFAULT_CHUNKING, type ChunkingOptions } from './section-chunker.js';

/** The manuals the assistant searches: for the configuration's `assistant:` section (key `manuals`). */
export const KnowledgeConfigSchema = Type.Object(
  {
    folder: Type.String({ minLength: 1, description: 'folder of Markdown, plain-text and PDF manuals; relative to the configuration file' }),
    exclude: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: 'files or folders to leave out, by path or name; * and ** as in globs, e.g. README.md' })),
    watch: Type.Optional(Type.Boolean({ description: 're-index changed files while running (default true)' })),
    cache: Type.Optional(Type.Boolean({ description: 'keep parsed manuals in <dataDir>/knowledge/ between runs (default true)' })),
    chunkChars: Type.Optional(Type.Integer({ minimum: 300, maximum: 20_000, description: 'longest chunk in characters, a Chinese character counting three (default 2000)' })),
    overlapChars: Type.Optional(Type.Integer({ minimum: 0, description: 'characters a section\'s next part repeats (default 250)' })),
    hybrid: Type.Optional(Type.Boolean({ description: 'fuse keyword search with embeddings when assistant.embeddings is set (default true)' })),
  },
  { additionalProperties: false },
);

export type KnowledgeConfig = Static<typeof KnowledgeConfigSchema>;

export interface KnowledgeSettings {
  readonly folder: string;
  readonly exclude: readonly string[];
  readonly watch: boolean;
  /** Null: no cache. */
  readonly cacheFile: string | null;
  readonly chunking: ChunkingOptions;
  readonly hybrid: boolean;
}

export function knowledgeConfigProblems(config: KnowledgeConfig): { path: (string | number)[]; message: string }[] {
  const chunkChars = config.chunkChars ?? DEFAULT_CHUNKING.maxChars;
  const overlap = config.overlapChars ?? DEFAULT_CHUNKING.overlapChars;
  return overlap >= chunkChars / 2 ? [{ path: ['overlapChars'], message: `overlapChars (${overlap}) must be less than half of chunkChars (${chunkChars})` }] : [];
}

/** `baseDir`: the configuration file's folder; `dataDir`: where the box keeps its state. */
export function resolveKnowledgeConfig(config: KnowledgeConfig, baseDir: string, dataDir: string): KnowledgeSettings {
  return {
    folder: path.resolve(baseDir, config.folder),
    exclude: config.exclude ?? [],
    watch: config.watch ?? true,
    cacheFile: (config.cache ?? true) ? path.join(dataDir, 'knowledge', 'manual-index.json') : null,
    chunking: { maxChars: config.chunkChars ?? DEFAULT_CHUNKING.maxChars, overlapChars: config.overlapChars ?? DEFAULT_CHUNKING.overlapChars },
    hybrid: config.hybrid ?? true,
  };
}
