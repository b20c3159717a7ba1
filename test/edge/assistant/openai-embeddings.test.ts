import { afterEach, describe, expect, it } from 'vitest';
import { OpenAIEmbeddings } from '../../../edge/assistant/providers/openai-embeddings.js';
import type { EmbeddingSettings } from '../../../edge/assistant/providers/provider-config.js';
import { FakeOpenAIServer, hashingEmbedder, type Flavor } from './fake-openai-server.js';

let server: FakeOpenAIServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function settings(baseURL: string, batchSize = 64): EmbeddingSettings {
  return {
    baseURL,
    model: 'fake-embed',
    apiKey: null,
    batchSize,
    timeouts: { connectMs: 5_000, firstTokenMs: 5_000, idleMs: 5_000 },
    retry: { maxRetries: 0, initialDelayMs: 10, maxDelayMs: 100 },
  };
}

describe('OpenAIEmbeddings', () => {
  it.each<Flavor>(['openai', 'ollama'])('returns one vector per text, in order, in batches (%s)', async (flavor) => {
    server = await FakeOpenAIServer.start({ flavor });
    const texts = ['bearing wear', 'seal leak', 'motor overheating', 'air leak', 'coupling misalignment'];
    const vectors = await new OpenAIEmbeddings(settings(server.baseURL, 2)).embed(texts);
    const expected = hashingEmbedder(64);
    expect(vectors.map((vector) => [...vector])).toEqual(texts.map((text) => expected(text)));
    const sent = server.requests.filter((request) => request.path === '/v1/embeddings');
    expect(sent.map((request) => request.body?.['input'])).toEqual([texts.slice(0, 2), texts.slice(2, 4), texts.slice(4)]);
    expect(sent[0]!.body).toMatchObject({ model: 'fake-embed', encoding_format: 'float' });
  });

  it('says which server and model failed', async () => {
    server = await FakeOpenAIServer.start();
    const embeddings = new OpenAIEmbeddings({ ...settings(server.baseURL), baseURL: `${server.baseURL}/missing` });
    await expect(embeddings.embed(['x'])).rejects.toThrow(/embeddings with "fake-embed".*\/v1\/missing.*HTTP 404/);
  });
});
