/** Turns texts into vectors, for hybrid search over the manuals. */
export interface EmbeddingProvider {
  readonly model: string;
  /** One vector per text, in order. Throws an Error saying what failed and where. */
  embed(texts: readonly string[], signal?: AbortSignal): Promise<Float32Array[]>;
}
