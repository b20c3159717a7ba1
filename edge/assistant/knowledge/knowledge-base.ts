import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { watch, type FSWatcher } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Logger } from '../../../gateway/logger.js';
import type { EmbeddingProvider } from '../providers/embedding-provider.js';
import { ChunkVectors, reciprocalRankFusion } from './chunk-vectors.js';
import { decodeVector, emptyCache, encodeVector, loadIndexCache, saveIndexCache, type CachedFile, type IndexCache } from './index-cache.js';
import type { IndexingProgress } from './indexing-progress.js';
import type { ManualChunk, ManualHit } from './manual-chunk.js';
import { chunkManualFile, excludeMatcher, listManualFiles, readManual, type ManualFile } from './manual-files.js';
import { ManualIndex, type ManualSearchOptions } from './manual-index.js';
import { DEFAULT_CHUNKING, type ChunkingOptions } from './section-chunker.js';

export interface KnowledgeBaseOptions {
  /** The folder of manuals (Markdown, plain text, PDF; subfolders too). */
  readonly folder: string;
  /** Files and folders to leave out, e.g. "README.md" or a folder name such as "drafts" (see `excludeMatcher`). */
  readonly exclude?: readonly string[];
  readonly logger: Logger;
  /** Where parsed chunks and vectors are kept between runs, e.g. `<dataDir>/knowledge/manual-index.json`; null: no cache. */
  readonly cacheFile?: string | null;
  readonly chunking?: ChunkingOptions;
  /** Enables hybrid search (BM25 fused with embedding similarity). */
  readonly embeddings?: EmbeddingProvider | null;
  /** How long a query's embedding may take before search falls back to BM25 alone; default 5 s. */
  readonly queryEmbeddingTimeoutMs?: number;
  /** Quiet time after the last change in the folder before it is re-indexed; default 300 ms. */
  readonly debounceMs?: number;
  readonly onProgress?: (progress: IndexingProgress) => void;
}

export interface RefreshSummary {
  readonly added: readonly string[];
  readonly changed: readonly string[];
  readonly removed: readonly string[];
  readonly unchanged: number;
  readonly chunks: number;
  /** Files that could not be read or parsed: kept out of the index, with why. */
  readonly problems: readonly { readonly file: string; readonly message: string }[];
  readonly durationMs: number;
}

export interface ManualInfo {
  readonly file: string;
  readonly title: string;
  readonly machineKind: string | null;
  readonly languages: readonly string[];
  readonly chunks: number;
}

export interface KnowledgeSearchOptions extends ManualSearchOptions {
  /** `auto` (default): hybrid when embeddings are configured and computed, else keywords only. */
  readonly mode?: 'auto' | 'keyword';
}

/** How many candidates each ranking contributes to the fusion. */
const FUSION_CANDIDATES = 50;
const EMBEDDING_BATCH = 64;

function sha(algorithm: 'sha1' | 'sha256', data: string | Buffer): string {
  return createHash(algorithm).update(data).digest('hex');
}

function embeddingText(chunk: ManualChunk): string {
  return `${chunk.headingPath.join(' > ')}\n${chunk.text}`;
}

/**
 * The plant's manuals, indexed for search: a folder parsed into chunks (kept in a disk cache), searched with
 * BM25, and with embeddings when configured (fused by reciprocal rank). `watch()` re-indexes changed files
 * after the folder has been quiet for `debounceMs`; every refresh emits `refresh` with its summary.
 */
export class KnowledgeBase extends EventEmitter<{ refresh: [RefreshSummary] }> {
  private readonly index = new ManualIndex();
  private readonly vectors = new ChunkVectors();
  private readonly known = new Map<string, CachedFile>();
  private readonly problems = new Map<string, string>();
  private readonly chunking: ChunkingOptions;
  private readonly excluded: (file: string) => boolean;
  private cache: IndexCache;
  private running: Promise<unknown> = Promise.resolve();
  private watcher: FSWatcher | null = null;
  private debounce: NodeJS.Timeout | undefined;
  private lastEmbeddingWarning = 0;

  private constructor(private readonly options: KnowledgeBaseOptions) {
    super();
    this.chunking = options.chunking ?? DEFAULT_CHUNKING;
    this.excluded = excludeMatcher(options.exclude ?? []);
    this.cache = emptyCache(this.chunking);
  }

  /** Indexes the folder (reusing the cache where it can). Throws when the folder does not exist. */
  static async open(options: KnowledgeBaseOptions): Promise<KnowledgeBase> {
    const info = await stat(options.folder).catch(() => null);
    if (info === null || !info.isDirectory()) {
      throw new Error(`manuals folder ${options.folder} does not exist or is not a folder: create it and put the plant's manuals in it (Markdown, plain text or PDF)`);
    }
    const base = new KnowledgeBase(options);
    if (options.cacheFile) base.cache = await loadIndexCache(options.cacheFile, base.chunking);
    await base.refresh();
    return base;
  }

  get chunkCount(): number {
    return this.index.size;
  }

  /** Chunks that have an embedding vector. */
  get embeddedCount(): number {
    return this.vectors.size;
  }

  chunk(id: string): ManualChunk | undefined {
    return this.index.get(id);
  }

  allChunks(): ManualChunk[] {
    return [...this.index.all()];
  }

  manuals(): ManualInfo[] {
    const byFile = new Map<string, ManualChunk[]>();
    for (const chunk of this.index.all()) {
      const chunks = byFile.get(chunk.file);
      if (chunks) chunks.push(chunk);
      else byFile.set(chunk.file, [chunk]);
    }
    return [...byFile].map(([file, chunks]) => ({
      file,
      title: chunks[0]!.manual,
      machineKind: chunks[0]!.machineKind,
      languages: [...new Set(chunks.map((chunk) => chunk.language))],
      chunks: chunks.length,
    }));
  }

  fileProblems(): { file: string; message: string }[] {
    return [...this.problems].map(([file, message]) => ({ file, message }));
  }

  /** Keyword (BM25) search; synchronous and local. */
  searchKeywords(query: string, options: ManualSearchOptions = {}): ManualHit[] {
    return this.index.search(query, options);
  }

  /**
   * Hybrid search when embeddings are configured and computed (BM25 and cosine similarity fused by reciprocal
   * rank; `score` is then the fused score), else BM25. A failing embedding server costs a logged warning and
   * falls back to BM25.
   */
  async search(query: string, options: KnowledgeSearchOptions = {}): Promise<ManualHit[]> {
    const limit = options.limit ?? 5;
    const embeddings = this.options.embeddings;
    if (options.mode === 'keyword' || embeddings === null || embeddings === undefined || this.vectors.size === 0) return this.index.search(query, options);
    const keyword = this.index.search(query, { ...options, limit: FUSION_CANDIDATES });
    let queryVector: Float32Array | undefined;
    try {
      [queryVector] = await embeddings.embed([query], AbortSignal.timeout(this.options.queryEmbeddingTimeoutMs ?? 5_000));
    } catch (error) {
      this.warnEmbedding(`search falls back to keywords: ${(error as Error).message}`);
    }
    if (queryVector === undefined) return keyword.slice(0, limit);
    const filtered = options.machineKind !== undefined || options.file !== undefined || options.language !== undefined;
    const accept = (id: string) => {
      if (!filtered) return true;
      const chunk = this.index.get(id);
      return chunk !== undefined && this.matchesFilter(chunk, options);
    };
    const semantic = this.vectors.nearest(queryVector, accept, FUSION_CANDIDATES);
    return reciprocalRankFusion([keyword.map((hit) => hit.chunk.id), semantic.map((hit) => hit.id)])
      .slice(0, limit)
      .flatMap(({ id, score }) => {
        const chunk = this.index.get(id);
        return chunk !== undefined ? [{ chunk, score }] : [];
      });
  }

  private matchesFilter(chunk: ManualChunk, options: ManualSearchOptions): boolean {
    const within = (value: string | readonly string[] | undefined, candidate: string | null) =>
      value === undefined || (candidate !== null && (typeof value === 'string' ? value === candidate : value.includes(candidate)));
    return within(options.machineKind, chunk.machineKind) && within(options.file, chunk.file) && (options.language === undefined || chunk.language === options.language);
  }

  /** Re-reads what changed in the folder since the last refresh. Refreshes never overlap. */
  refresh(): Promise<RefreshSummary> {
    const next = this.running.then(() => this.refreshNow());
    this.running = next.catch(() => undefined);
    return next;
  }

  /** Re-indexes on changes in the folder, `debounceMs` after the last one. */
  watch(): void {
    if (this.watcher !== null) return;
    this.watcher = watch(this.options.folder, { recursive: true }, () => {
      clearTimeout(this.debounce);
      this.debounce = setTimeout(() => {
        this.refresh().catch((error: unknown) => this.options.logger.error({ err: error }, `manuals: re-indexing ${this.options.folder} failed`));
      }, this.options.debounceMs ?? 300);
    });
    this.watcher.on('error', (error) => this.options.logger.warn({ err: error }, `manuals: watching ${this.options.folder} failed; changes are picked up at the next refresh`));
  }

  async close(): Promise<void> {
    this.watcher?.close();
    this.watcher = null;
    clearTimeout(this.debounce);
    await this.running;
  }

  private async refreshNow(): Promise<RefreshSummary> {
    const started = performance.now();
    const { logger } = this.options;
    const files = await listManualFiles(this.options.folder, this.excluded);
    const present = new Set(files.map((file) => file.file));
    const added: string[] = [];
    const changed: string[] = [];
    const removed: string[] = [];
    let unchanged = 0;

    for (const file of [...this.known.keys()]) {
      if (present.has(file)) continue;
      this.dropFile(file);
      removed.push(file);
    }
    for (const file of [...this.problems.keys()]) if (!present.has(file)) this.problems.delete(file);

    let done = 0;
    for (const file of files) {
      this.options.onProgress?.({ phase: 'parsing', done, total: files.length, file: file.file });
      const outcome = await this.updateFile(file);
      if (outcome === 'added') added.push(file.file);
      else if (outcome === 'changed') changed.push(file.file);
      else if (outcome === 'unchanged') unchanged++;
      done++;
      // a large folder restored from the cache must not hold the event loop for seconds
      await new Promise((resolve) => setImmediate(resolve));
    }
    this.options.onProgress?.({ phase: 'parsing', done, total: files.length });
    await this.embedMissing();
    if (this.options.cacheFile) {
      await saveIndexCache(this.options.cacheFile, this.snapshot()).catch((error: unknown) =>
        logger.warn({ err: error }, `manuals: cannot write the index cache ${this.options.cacheFile}; the next start parses the manuals again`),
      );
    }
    const summary: RefreshSummary = {
      added,
      changed,
      removed,
      unchanged,
      chunks: this.index.size,
      problems: this.fileProblems(),
      durationMs: Math.round(performance.now() - started),
    };
    if (added.length + changed.length + removed.length > 0) {
      logger.info({ added: added.length, changed: changed.length, removed: removed.length, chunks: summary.chunks, ms: summary.durationMs }, `manuals: indexed ${this.options.folder}`);
    }
    this.emit('refresh', summary);
    return summary;
  }

  /** Brings one file up to date; 'failed' keeps it out of the index with its problem recorded. */
  private async updateFile(file: ManualFile): Promise<'added' | 'changed' | 'unchanged' | 'failed'> {
    const known = this.known.get(file.file);
    if (known !== undefined && known.size === file.size && known.mtimeMs === file.mtimeMs) return 'unchanged';
    const cached = this.cache.files[file.file];
    if (known === undefined && cached !== undefined && cached.size === file.size && cached.mtimeMs === file.mtimeMs) {
      this.index.replaceFile(file.file, cached.chunks);
      this.known.set(file.file, cached);
      this.problems.delete(file.file);
      return 'added';
    }
    try {
      const content = await readManual(file);
      const hash = sha('sha256', content);
      if (known !== undefined && known.sha256 === hash) {
        this.known.set(file.file, { ...known, size: file.size, mtimeMs: file.mtimeMs });
        return 'unchanged';
      }
      const chunks = cached !== undefined && cached.sha256 === hash ? cached.chunks : await chunkManualFile(file, content, this.chunking);
      this.dropFile(file.file);
      this.index.replaceFile(file.file, chunks);
      this.known.set(file.file, { size: file.size, mtimeMs: file.mtimeMs, sha256: hash, chunks });
      this.problems.delete(file.file);
      return known === undefined ? 'added' : 'changed';
    } catch (error) {
      const message = `${(error as Error).message}`;
      if (this.problems.get(file.file) !== message) this.options.logger.warn(`manuals: ${file.file} left out of the index: ${message}`);
      this.problems.set(file.file, message);
      this.dropFile(file.file);
      return 'failed';
    }
  }

  private dropFile(file: string): void {
    for (const chunk of this.known.get(file)?.chunks ?? []) this.vectors.delete(chunk.id);
    this.index.replaceFile(file, []);
    this.known.delete(file);
  }

  /** Embeds the chunks that have no vector yet (reusing cached ones for unchanged text and model). */
  private async embedMissing(): Promise<void> {
    const embeddings = this.options.embeddings;
    if (embeddings === null || embeddings === undefined) return;
    const cached = this.cache.embeddings?.model === embeddings.model ? this.cache.embeddings.vectors : {};
    const missing: ManualChunk[] = [];
    for (const chunk of this.index.all()) {
      if (this.vectors.has(chunk.id)) continue;
      const stored = cached[chunk.id];
      if (stored !== undefined && stored.hash === sha('sha1', embeddingText(chunk))) this.vectors.set(chunk.id, decodeVector(stored.vector));
      else missing.push(chunk);
    }
    for (let start = 0; start < missing.length; start += EMBEDDING_BATCH) {
      this.options.onProgress?.({ phase: 'embedding', done: start, total: missing.length });
      const batch = missing.slice(start, start + EMBEDDING_BATCH);
      try {
        const vectors = await embeddings.embed(batch.map(embeddingText));
        batch.forEach((chunk, index) => this.vectors.set(chunk.id, vectors[index]!));
      } catch (error) {
        this.warnEmbedding(`${missing.length - start} chunks have no vector yet (retried at the next refresh): ${(error as Error).message}`);
        return;
      }
    }
    if (missing.length > 0) this.options.onProgress?.({ phase: 'embedding', done: missing.length, total: missing.length });
  }

  private warnEmbedding(message: string): void {
    const now = Date.now();
    if (now - this.lastEmbeddingWarning < 60_000) return;
    this.lastEmbeddingWarning = now;
    this.options.logger.warn(`manuals: embeddings: ${message}`);
  }

  private snapshot(): IndexCache {
    const files = Object.fromEntries(this.known);
    const model = this.options.embeddings?.model;
    const vectors: Record<string, { hash: string; vector: string }> = {};
    if (model !== undefined) {
      for (const chunk of this.index.all()) {
        const vector = this.vectors.get(chunk.id);
        if (vector !== undefined) vectors[chunk.id] = { hash: sha('sha1', embeddingText(chunk)), vector: encodeVector(vector) };
      }
    }
    this.cache = { ...this.cache, files, embeddings: model !== undefined ? { model, vectors } : this.cache.embeddings };
    return this.cache;
  }
}
