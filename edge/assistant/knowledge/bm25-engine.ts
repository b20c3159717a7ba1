import MiniSearch, { type Options } from 'minisearch';

export interface RankedDocument {
  readonly id: string;
  readonly score: number;
}

export interface RankOptions {
  readonly boost: Readonly<Record<string, number>>;
  readonly limit: number;
  /** Documents it refuses are left out (filters). */
  readonly accept?: (id: string) => boolean;
  /** Multiplies a document's score (language preference); at most 1, so a document already out of the top can be skipped. */
  readonly documentBoost?: (id: string) => number;
}

const BM25 = { k: 1.2, b: 0.7, d: 0.5 } as const;

/** One term's postings in one field, with each document's BM25 score for the term (before boosts). */
interface FieldPostings {
  readonly field: string;
  readonly documents: Int32Array;
  readonly scores: Float64Array;
}

/**
 * minisearch's index and BM25, with a faster ranking loop. minisearch's own `search` builds a result object
 * and a match map per document and term and merges them per term, which costs 20–50 ms for a question
 * against 10,000 chunks. This reads the same postings, scores them with the same formula (BM25+ with
 * minisearch's defaults, field boosts, and its multiplication by the number of query terms matched), keeps
 * each term's per-document scores in typed arrays until the index changes, and keeps only the best `limit`
 * documents: about a millisecond. A test checks it ranks exactly as `MiniSearch#search` does. It reads
 * minisearch's protected index fields, so it is tied to the pinned minisearch version (7.2). Built with
 * `autoVacuum: false`: call `vacuum()` after discarding, so scores never mix vacuumed and stale postings.
 */
export class Bm25Engine<T> extends MiniSearch<T> {
  private scores = new Float64Array(0);
  private matchedTerms = new Uint16Array(0);
  private lastTerm = new Int32Array(0);
  private readonly postingCache = new Map<string, FieldPostings[]>();
  /** Per field, per document: BM25's length normalisation k·(1 − b + b·length/average); NaN: no such document. */
  private lengthNorms: Float64Array[] | null = null;

  constructor(options: Options<T>) {
    super({ ...options, autoVacuum: false });
  }

  override add(document: T): void {
    this.invalidate();
    super.add(document);
  }

  override discard(id: unknown): void {
    this.invalidate();
    super.discard(id);
  }

  override async vacuum(options?: Parameters<MiniSearch<T>['vacuum']>[0]): Promise<void> {
    await super.vacuum(options);
    this.invalidate();
  }

  private invalidate(): void {
    this.postingCache.clear();
    this.lengthNorms = null;
  }

  rank(terms: readonly string[], options: RankOptions): RankedDocument[] {
    const occurrences = new Map<string, number>();
    for (const term of terms) occurrences.set(term, (occurrences.get(term) ?? 0) + 1);
    this.ensureCapacity(this._nextId);
    const { scores, matchedTerms, lastTerm } = this;
    const touched: number[] = [];
    let termIndex = 0;
    for (const [term, count] of occurrences) {
      termIndex++;
      for (const postings of this.postingsOf(term)) {
        const boost = options.boost[postings.field];
        if (boost === undefined) continue;
        const weight = boost * count;
        const { documents, scores: termScores } = postings;
        for (let index = 0; index < documents.length; index++) {
          const documentId = documents[index]!;
          if (lastTerm[documentId] !== termIndex) {
            if (lastTerm[documentId] === 0) touched.push(documentId);
            lastTerm[documentId] = termIndex;
            matchedTerms[documentId]! += 1;
          }
          scores[documentId]! += weight * termScores[index]!;
        }
      }
    }

    const best: RankedDocument[] = [];
    for (const documentId of touched) {
      let score = scores[documentId]! * matchedTerms[documentId]!;
      scores[documentId] = 0;
      matchedTerms[documentId] = 0;
      lastTerm[documentId] = 0;
      if (best.length === options.limit && score <= best[best.length - 1]!.score) continue;
      const id = this._documentIds.get(documentId) as string;
      if (options.accept !== undefined && !options.accept(id)) continue;
      if (options.documentBoost !== undefined) score *= options.documentBoost(id);
      if (best.length === options.limit && score <= best[best.length - 1]!.score) continue;
      let at = best.length;
      while (at > 0 && best[at - 1]!.score < score) at--;
      best.splice(at, 0, { id, score });
      if (best.length > options.limit) best.pop();
    }
    return best;
  }

  /** The term's postings per field with their scores, computed once per term until the index changes. */
  private postingsOf(term: string): FieldPostings[] {
    const cached = this.postingCache.get(term);
    if (cached !== undefined) return cached;
    const out: FieldPostings[] = [];
    const fieldData = this._index.get(term);
    if (fieldData !== undefined) {
      const lengthNorms = this.norms();
      for (const [field, fieldId] of Object.entries(this._fieldIds)) {
        const postings = fieldData.get(fieldId);
        const norms = lengthNorms[fieldId];
        if (postings === undefined || norms === undefined) continue;
        const inverseFrequency = Math.log(1 + (this._documentCount - postings.size + 0.5) / (postings.size + 0.5));
        const documents = new Int32Array(postings.size);
        const scores = new Float64Array(postings.size);
        let live = 0;
        postings.forEach((frequency, documentId) => {
          const norm = norms[documentId];
          if (norm === undefined || Number.isNaN(norm)) return; // discarded, not yet vacuumed
          documents[live] = documentId;
          scores[live] = inverseFrequency * (BM25.d + (frequency * (BM25.k + 1)) / (frequency + norm));
          live++;
        });
        out.push({ field, documents: documents.subarray(0, live), scores: scores.subarray(0, live) });
      }
    }
    this.postingCache.set(term, out);
    return out;
  }

  private norms(): Float64Array[] {
    if (this.lengthNorms !== null) return this.lengthNorms;
    const fieldCount = Object.keys(this._fieldIds).length;
    const norms = Array.from({ length: fieldCount }, () => new Float64Array(this._nextId).fill(Number.NaN));
    this._fieldLength.forEach((lengths, documentId) => {
      for (let fieldId = 0; fieldId < fieldCount; fieldId++) {
        const average = this._avgFieldLength[fieldId] || 1;
        norms[fieldId]![documentId] = BM25.k * (1 - BM25.b + (BM25.b * (lengths[fieldId] ?? 0)) / average);
      }
    });
    this.lengthNorms = norms;
    return norms;
  }

  private ensureCapacity(size: number): void {
    if (this.scores.length >= size) return;
    const capacity = Math.max(size, this.scores.length * 2, 1024);
    this.scores = new Float64Array(capacity);
    this.matchedTerms = new Uint16Array(capacity);
    this.lastTerm = new Int32Array(capacity);
  }
}
