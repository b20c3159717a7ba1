import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Value } from 'typebox/value';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../gateway/logger.js';
import { createProviders } from '../../../edge/assistant/providers/create-providers.js';
import { AssistantProviderConfigSchema, providerConfigProblems, resolveProviderConfig, type AssistantProviderConfig } from '../../../edge/assistant/providers/provider-config.js';
import { tempFolder } from '../../support/temp-folder.js';

const folders: { remove(): void }[] = [];
afterEach(() => folders.splice(0).forEach((folder) => folder.remove()));

describe('assistant provider configuration', () => {
  it('accepts each provider\'s keys and refuses unknown ones', () => {
    expect(Value.Check(AssistantProviderConfigSchema, { provider: 'openai', baseURL: 'http://127.0.0.1:11434/v1', model: 'qwen2.5:7b', timeouts: { idleMs: 20_000 }, embeddings: { model: 'nomic-embed-text' } })).toBe(true);
    expect(Value.Check(AssistantProviderConfigSchema, { provider: 'llama-cpp', modelPath: 'models/q.gguf', contextSize: 8192 })).toBe(true);
    expect(Value.Check(AssistantProviderConfigSchema, { provider: 'openai', baseUrl: 'http://x/v1' })).toBe(false);
    expect(Value.Check(AssistantProviderConfigSchema, { provider: 'gpt' })).toBe(false);
  });

  it('names what each provider is missing and what does not apply', () => {
    expect(providerConfigProblems({ provider: 'openai' }).map((problem) => problem.path.join('.'))).toEqual(['baseURL', 'model']);
    expect(providerConfigProblems({ provider: 'llama-cpp', baseURL: 'http://127.0.0.1:8080/v1' }).map((problem) => problem.path.join('.'))).toEqual(['modelPath', 'baseURL']);
    expect(providerConfigProblems({ provider: 'offline', modelPath: 'x.gguf', embeddings: { model: 'e' } }).map((problem) => problem.message)).toEqual([
      '"modelPath" applies only to provider "llama-cpp" (provider is "offline")',
      'missing: with provider "offline" embeddings need their own server, e.g. baseURL: http://127.0.0.1:11434/v1',
    ]);
    expect(providerConfigProblems({ provider: 'openai', baseURL: 'http://h/v1', model: 'm', apiKey: 'k', apiKeyFile: 'f' })[0]!.message).toBe('give apiKey or apiKeyFile, not both');
  });

  it('fills in defaults, reads the key file, and makes the model path absolute', () => {
    const folder = tempFolder('provider-config');
    folders.push(folder);
    writeFileSync(join(folder.path, 'llm.key'), 'sk-from-file\n');
    const openai = resolveProviderConfig({ provider: 'openai', baseURL: 'http://127.0.0.1:8000/v1', model: 'm', apiKeyFile: 'llm.key', retries: { max: 4 }, embeddings: { model: 'e' } }, folder.path);
    expect(openai.chat).toMatchObject({ provider: 'openai', apiKey: 'sk-from-file', timeouts: { connectMs: 30_000, firstTokenMs: 120_000, idleMs: 60_000 }, retry: { maxRetries: 4, initialDelayMs: 500, maxDelayMs: 8_000 } });
    expect(openai.embeddings).toMatchObject({ baseURL: 'http://127.0.0.1:8000/v1', model: 'e', apiKey: 'sk-from-file', batchSize: 64 });
    const local = resolveProviderConfig({ provider: 'llama-cpp', modelPath: 'models/q.gguf' }, folder.path);
    expect(local.chat).toMatchObject({ provider: 'llama-cpp', modelPath: join(folder.path, 'models/q.gguf'), model: 'q.gguf', gpu: false });
    expect(resolveProviderConfig(undefined, folder.path)).toEqual({ chat: { provider: 'offline' }, embeddings: null });
  });

  it('says which key file it cannot read', () => {
    expect(() => resolveProviderConfig({ provider: 'openai', baseURL: 'http://h/v1', model: 'm', apiKeyFile: '/nonexistent/llm.key' }, '/')).toThrow(
      /assistant\.apiKeyFile: cannot read \/nonexistent\/llm\.key \(ENOENT\)/,
    );
  });

  it('builds no model for offline, an OpenAI-compatible one for openai', async () => {
    const offline = await createProviders(resolveProviderConfig({ provider: 'offline' } satisfies AssistantProviderConfig, '/'), silentLogger);
    expect(offline).toEqual({ chat: null, embeddings: null });
    const openai = await createProviders(resolveProviderConfig({ provider: 'openai', baseURL: 'http://127.0.0.1:1/v1', model: 'qwen', embeddings: { model: 'e' } }, '/'), silentLogger);
    expect(openai.chat).toMatchObject({ id: 'openai', model: 'qwen' });
    expect(openai.embeddings).toMatchObject({ model: 'e' });
  });
});
