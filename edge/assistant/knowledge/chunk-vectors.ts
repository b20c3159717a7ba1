/** Embedding vectors of chunks, normalised, searched by cosine similarity (a full scan: 10,000 chunks take milliseconds). */
export class ChunkVectors {
  private readonly vectors = new Map<string, Float32Array>();

  get size(): number {
    return this.vectors.size;
  }

  has(id: string): boolean {
    return this.vectors.has(id);
  }

  /** The vector as given (not normalised), for the cache. */
  set(id: string, vector: Float32Array): void {
    this.vectors.set(id, vector);
  }

  get(id: string): Float32Array | undefined {
    return this.vectors.get(id);
  }

  delete(id: string): void {
    this.vectors.delete(id);
  }

  /** The `limit` most similar accepted chunks, most similar first. */
  nearest(query: Float32Array, accept: (id: string) => boolean, limit: number): { id: string; similarity: number }[] {
    const queryNorm = norm(query);
    if (queryNorm === 0) return [];
    const scored: { id: string; similarity: number }[] = [];
    for (const [id, vector] of this.vectors) {
      if (vector.length !== query.length || !accept(id)) continue;
      let dot = 0;
      for (let index = 0; index < vector.length; index++) dot += vector[index]! * query[index]!;
      const vectorNorm = norm(vector);
      if (vectorNorm > 0) scored.push({ id, similarity: dot / (vectorNorm * queryNorm) });
    }
    return scored.sort((a, b) => b.similarity - a.similarity).slice(0, limit);
  }
}

function norm(vector: Float32Array): number {
  let sum = 0;
  for (let index = 0; index < vector.length; index++) sum += vector[index]! * vector[index]!;
  return Math.sqrt(sum);
}

/**
 * Reciprocal rank fusion: each ranking gives an id 1 / (k + rank); the sums order the fused list. It needs
 * no calibration between BM25 scores and cosine similarities, which live on different scales.
 */
export function reciprocalRankFusion(rankings: readonly (readonly string[])[], k = 60): { id: string; score: number }[] {
  const scores = new Map<string, number>();
  for (const ranking of rankings) ranking.forEach((id, index) => scores.set(id, (scores.get(id) ?? 0) + 1 / (k + index + 1)));
  return [...scores].map(([id, score]) => ({ id, score })).sort((a, b) => b.score - a.score);
}
