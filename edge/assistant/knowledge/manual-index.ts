import type { ManualLanguage } from './language-detection.js';
import { Bm25Engine } from './bm25-engine.js';
import type { ManualChunk, ManualHit } from './manual-chunk.js';
import { idsIn } from './section-chunker.js';
import { tokenize } from './search-tokenizer.js';

export interface ManualSearchOptions {
  /** Hits returned; default 5. */
  readonly limit?: number;
  /** Only manuals of these machine kinds (e.g. "centrifugal-pump"). */
  readonly machineKind?: string | readonly string[];
  /** Only these files (paths relative to the manuals folder). */
  readonly file?: string | readonly string[];
  /** Only chunks in this language. */
  readonly language?: ManualLanguage;
  /** Chunks in other languages still match, at half the score. */
  readonly preferLanguage?: ManualLanguage;
}

/** Field boosts: a word in a section's heading or id says more about the section than one in its text. */
const BOOST = { heading: 3, ids: 4, context: 1, text: 1 } as const;

function oneOf(value: string | readonly string[] | undefined): ((candidate: string | null) => boolean) | null {
  if (value === undefined) return null;
  const allowed = new Set(typeof value === 'string' ? [value] : value);
  return (candidate) => candidate !== null && allowed.has(candidate);
}

/**
 * BM25 over manual chunks (minisearch's index, ranked by Bm25Engine) with a tokenizer for English and Chinese. Fields: the section's own
 * heading, the ids in it (T-PUMP-01), the headings above it with the manual's title and machine kind, and the
 * text. Files are replaced or removed as a whole, so re-indexing a changed file never leaves stale chunks.
 */
export class ManualIndex {
  private readonly engine = new Bm25Engine<ManualChunk>({
    fields: ['heading', 'ids', 'context', 'text'],
    storeFields: [],
    tokenize: (text) => tokenize(text),
    processTerm: (term) => term,
    extractField: (chunk, field) => {
      switch (field) {
        case 'id':
          return chunk.id;
        case 'heading':
          return chunk.headingPath.at(-1) ?? chunk.manual;
        case 'ids':
          return idsIn(chunk.headingPath.at(-1) ?? '').join(' ');
        case 'context':
          return [chunk.manual, chunk.machineKind ?? '', ...chunk.headingPath.slice(0, -1)].join('\n');
        default:
          return chunk.text;
      }
    },
    searchOptions: { boost: { ...BOOST }, combineWith: 'OR', prefix: false, fuzzy: false },
  });
  private readonly chunks = new Map<string, ManualChunk>();
  private readonly filesChunks = new Map<string, string[]>();

  get size(): number {
    return this.chunks.size;
  }

  get(id: string): ManualChunk | undefined {
    return this.chunks.get(id);
  }

  all(): IterableIterator<ManualChunk> {
    return this.chunks.values();
  }

  /** The file's chunks from now on are these (none: the file is gone). */
  replaceFile(file: string, chunks: readonly ManualChunk[]): void {
    const old = this.filesChunks.get(file) ?? [];
    for (const id of old) {
      this.engine.discard(id);
      this.chunks.delete(id);
    }
    this.filesChunks.delete(file);
    // reclaims the discarded postings; until it has, ranking skips them
    if (old.length > 0) this.engine.vacuum().catch(() => undefined);
    if (chunks.length === 0) return;
    const unique = chunks.filter((chunk) => !this.chunks.has(chunk.id));
    this.engine.addAll(unique);
    for (const chunk of unique) this.chunks.set(chunk.id, chunk);
    this.filesChunks.set(file, unique.map((chunk) => chunk.id));
  }

  search(query: string, options: ManualSearchOptions = {}): ManualHit[] {
    const kind = oneOf(options.machineKind);
    const file = oneOf(options.file);
    const filtered = kind !== null || file !== null || options.language !== undefined;
    const prefer = options.preferLanguage;
    const ranked = this.engine.rank(tokenize(query), {
      boost: BOOST,
      limit: options.limit ?? 5,
      ...(filtered
        ? {
            accept: (id: string) => {
              const chunk = this.chunks.get(id);
              return chunk !== undefined && (kind === null || kind(chunk.machineKind)) && (file === null || file(chunk.file)) && (options.language === undefined || chunk.language === options.language);
            },
          }
        : {}),
      ...(prefer !== undefined ? { documentBoost: (id: string) => (this.chunks.get(id)?.language === prefer ? 1 : 0.5) } : {}),
    });
    return ranked.flatMap(({ id, score }) => {
      const chunk = this.chunks.get(id);
      return chunk !== undefined ? [{ chunk, score }] : [];
    });
  }
}
