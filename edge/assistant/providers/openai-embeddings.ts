import type OpenAI from 'openai';
import type { EmbeddingProvider } from './embedding-provider.js';
import { openAIClient } from './openai-client.js';
import { describeServerFailure } from './openai-errors.js';
import type { EmbeddingSettings } from './provider-config.js';

/**
 * Embeddings from an OpenAI-compatible server's /embeddings, in batches. Asks for plain float arrays: the SDK's
 * default (base64) is not understood by every local server.
 */
export class OpenAIEmbeddings implements EmbeddingProvider {
  readonly model: string;
  private readonly client: OpenAI;

  constructor(private readonly settings: EmbeddingSettings) {
    this.model = settings.model;
    this.client = openAIClient({ baseURL: settings.baseURL, apiKey: settings.apiKey, timeoutMs: settings.timeouts.firstTokenMs });
  }

  async embed(texts: readonly string[], signal?: AbortSignal): Promise<Float32Array[]> {
    const vectors: Float32Array[] = [];
    for (let start = 0; start < texts.length; start += this.settings.batchSize) {
      const batch = texts.slice(start, start + this.settings.batchSize);
      let response: OpenAI.CreateEmbeddingResponse;
      try {
        response = await this.client.embeddings.create(
          { model: this.model, input: batch, encoding_format: 'float' },
          { maxRetries: this.settings.retry.maxRetries, ...(signal ? { signal } : {}) },
        );
      } catch (error) {
        const failure = describeServerFailure(error, { baseURL: this.settings.baseURL, model: this.model });
        throw new Error(`embeddings with "${this.model}": ${failure.message}`, { cause: error });
      }
      const byIndex = [...response.data].sort((a, b) => a.index - b.index);
      if (byIndex.length !== batch.length) {
        throw new Error(`embeddings with "${this.model}": the server at ${this.settings.baseURL} returned ${byIndex.length} vectors for ${batch.length} texts`);
      }
      for (const item of byIndex) vectors.push(Float32Array.from(item.embedding));
    }
    return vectors;
  }
}
