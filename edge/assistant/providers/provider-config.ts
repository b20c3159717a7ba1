import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Type, type Static } from 'typebox';
import type { RetryPolicy } from './retry-policy.js';

/**
 * The language-model keys of the configuration's `assistant:` section. No section, or `provider: offline`:
 * no model, the offline assistant answers from retrieval and tools. Secrets: write `apiKey: "${LLM_API_KEY}"`
 * (the loader reads the environment) or `apiKeyFile`.
 */
export const AssistantProviderConfigSchema = Type.Object(
  {
    provider: Type.Optional(
      Type.Union([Type.Literal('offline'), Type.Literal('openai'), Type.Literal('llama-cpp')], {
        description: 'offline (no model), openai (any OpenAI-compatible server), llama-cpp (a GGUF file in this process)',
      }),
    ),
    baseURL: Type.Optional(
      Type.String({ pattern: '^https?://', description: 'the server\'s OpenAI-compatible root, e.g. http://127.0.0.1:11434/v1 (Ollama)' }),
    ),
    model: Type.Optional(Type.String({ minLength: 1, description: 'model name as the server knows it; for llama-cpp only a label' })),
    apiKey: Type.Optional(Type.String({ minLength: 1, description: 'bearer token; local servers need none' })),
    apiKeyFile: Type.Optional(Type.String({ minLength: 1, description: 'a file holding the key (first line); relative to the configuration file' })),
    temperature: Type.Optional(Type.Number({ minimum: 0, maximum: 2 })),
    maxTokens: Type.Optional(Type.Integer({ minimum: 1, description: 'most tokens in one reply' })),
    timeouts: Type.Optional(
      Type.Object(
        {
          connectMs: Type.Optional(Type.Integer({ minimum: 100, description: 'until the server answers with response headers' })),
          firstTokenMs: Type.Optional(
            Type.Integer({ minimum: 100, description: 'from the headers to the first chunk (prompt processing; a cold model load); also an embeddings answer' }),
          ),
          idleMs: Type.Optional(Type.Integer({ minimum: 100, description: 'between two chunks of a reply' })),
        },
        { additionalProperties: false },
      ),
    ),
    retries: Type.Optional(
      Type.Object(
        {
          max: Type.Optional(Type.Integer({ minimum: 0, maximum: 10 })),
          initialDelayMs: Type.Optional(Type.Integer({ minimum: 0 })),
          maxDelayMs: Type.Optional(Type.Integer({ minimum: 0 })),
        },
        { additionalProperties: false },
      ),
    ),
    embeddings: Type.Optional(
      Type.Object(
        {
          model: Type.String({ minLength: 1, description: 'an embedding model on the server, e.g. nomic-embed-text' }),
          baseURL: Type.Optional(Type.String({ pattern: '^https?://', description: 'when not the chat server\'s' })),
          batchSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 2048 })),
        },
        { additionalProperties: false },
      ),
    ),
    modelPath: Type.Optional(Type.String({ minLength: 1, description: 'llama-cpp: the .gguf file; relative to the configuration file' })),
    contextSize: Type.Optional(Type.Integer({ minimum: 512, description: 'llama-cpp: tokens of context (default: what fits, up to the model\'s own)' })),
    threads: Type.Optional(Type.Integer({ minimum: 0, description: 'llama-cpp: CPU threads (0: all)' })),
    gpu: Type.Optional(
      Type.Union([Type.Literal(false), Type.Literal('auto'), Type.Literal('cuda'), Type.Literal('vulkan'), Type.Literal('metal')], {
        description: 'llama-cpp: false (CPU, the default) or a GPU backend the installed binaries support',
      }),
    ),
  },
  { additionalProperties: false },
);

export type AssistantProviderConfig = Static<typeof AssistantProviderConfigSchema>;

export interface ProviderTimeouts {
  readonly connectMs: number;
  readonly firstTokenMs: number;
  readonly idleMs: number;
}

export interface OpenAIProviderSettings {
  readonly provider: 'openai';
  readonly baseURL: string;
  readonly model: string;
  readonly apiKey: string | null;
  readonly temperature: number | null;
  readonly maxTokens: number | null;
  readonly timeouts: ProviderTimeouts;
  readonly retry: RetryPolicy;
}

export interface LlamaCppProviderSettings {
  readonly provider: 'llama-cpp';
  readonly modelPath: string;
  readonly model: string;
  readonly contextSize: number | null;
  readonly threads: number | null;
  readonly gpu: false | 'auto' | 'cuda' | 'vulkan' | 'metal';
  readonly temperature: number | null;
  readonly maxTokens: number | null;
}

export interface EmbeddingSettings {
  readonly baseURL: string;
  readonly model: string;
  readonly apiKey: string | null;
  readonly batchSize: number;
  readonly timeouts: ProviderTimeouts;
  readonly retry: RetryPolicy;
}

/** The section with defaults filled in, the key read and paths made absolute. */
export interface AssistantProviderSettings {
  readonly chat: { readonly provider: 'offline' } | OpenAIProviderSettings | LlamaCppProviderSettings;
  readonly embeddings: EmbeddingSettings | null;
}

export const PROVIDER_DEFAULTS = {
  timeouts: { connectMs: 30_000, firstTokenMs: 120_000, idleMs: 60_000 },
  retries: { max: 2, initialDelayMs: 500, maxDelayMs: 8_000 },
  embeddingBatchSize: 64,
} as const;

export interface ProviderConfigProblem {
  readonly path: (string | number)[];
  readonly message: string;
}

/** What the schema cannot say: which keys each provider needs, and which exclude each other. Paths are relative to `assistant`. */
export function providerConfigProblems(config: AssistantProviderConfig): ProviderConfigProblem[] {
  const problems: ProviderConfigProblem[] = [];
  const provider = config.provider ?? 'offline';
  const need = (key: keyof AssistantProviderConfig, why: string) => {
    if (config[key] === undefined) problems.push({ path: [key], message: `missing: ${why}` });
  };
  if (provider === 'openai') {
    need('baseURL', 'provider "openai" needs the server\'s URL, e.g. baseURL: http://127.0.0.1:11434/v1');
    need('model', 'provider "openai" needs the model name the server knows, e.g. model: qwen2.5:7b-instruct');
  }
  if (provider === 'llama-cpp') need('modelPath', 'provider "llama-cpp" needs the GGUF file, e.g. modelPath: models/qwen2.5-7b-instruct-q4_k_m.gguf');
  if (provider !== 'llama-cpp') {
    for (const key of ['modelPath', 'contextSize', 'threads', 'gpu'] as const) {
      if (config[key] !== undefined) problems.push({ path: [key], message: `"${key}" applies only to provider "llama-cpp" (provider is "${provider}")` });
    }
  }
  if (provider === 'llama-cpp' && config.baseURL !== undefined) {
    problems.push({ path: ['baseURL'], message: 'provider "llama-cpp" runs the model in this process and uses no server: remove baseURL (embeddings take their own embeddings.baseURL)' });
  }
  if (config.apiKey !== undefined && config.apiKeyFile !== undefined) {
    problems.push({ path: ['apiKeyFile'], message: 'give apiKey or apiKeyFile, not both' });
  }
  if (config.embeddings !== undefined && config.embeddings.baseURL === undefined && provider !== 'openai') {
    problems.push({ path: ['embeddings', 'baseURL'], message: `missing: with provider "${provider}" embeddings need their own server, e.g. baseURL: http://127.0.0.1:11434/v1` });
  }
  const retries = config.retries;
  if (retries?.initialDelayMs !== undefined && retries.maxDelayMs !== undefined && retries.initialDelayMs > retries.maxDelayMs) {
    problems.push({ path: ['retries', 'initialDelayMs'], message: `initialDelayMs (${retries.initialDelayMs}) is above maxDelayMs (${retries.maxDelayMs})` });
  }
  return problems;
}

/**
 * Defaults, the key (from `apiKeyFile` when given) and absolute paths; `baseDir` is the configuration file's
 * folder. Call after `providerConfigProblems` found nothing. An unreadable key file throws naming the file.
 */
export function resolveProviderConfig(config: AssistantProviderConfig | undefined, baseDir: string): AssistantProviderSettings {
  if (config === undefined) return { chat: { provider: 'offline' }, embeddings: null };
  const timeouts: ProviderTimeouts = { ...PROVIDER_DEFAULTS.timeouts, ...config.timeouts };
  const retry: RetryPolicy = {
    maxRetries: config.retries?.max ?? PROVIDER_DEFAULTS.retries.max,
    initialDelayMs: config.retries?.initialDelayMs ?? PROVIDER_DEFAULTS.retries.initialDelayMs,
    maxDelayMs: config.retries?.maxDelayMs ?? PROVIDER_DEFAULTS.retries.maxDelayMs,
  };
  const apiKey = config.apiKeyFile !== undefined ? readKeyFile(path.resolve(baseDir, config.apiKeyFile)) : (config.apiKey ?? null);
  const provider = config.provider ?? 'offline';
  const chat: AssistantProviderSettings['chat'] =
    provider === 'openai'
      ? {
          provider,
          baseURL: required(config.baseURL, 'baseURL'),
          model: required(config.model, 'model'),
          apiKey,
          temperature: config.temperature ?? null,
          maxTokens: config.maxTokens ?? null,
          timeouts,
          retry,
        }
      : provider === 'llama-cpp'
        ? {
            provider,
            modelPath: path.resolve(baseDir, required(config.modelPath, 'modelPath')),
            model: config.model ?? path.basename(required(config.modelPath, 'modelPath')),
            contextSize: config.contextSize ?? null,
            threads: config.threads ?? null,
            gpu: config.gpu ?? false,
            temperature: config.temperature ?? null,
            maxTokens: config.maxTokens ?? null,
          }
        : { provider: 'offline' };
  const embeddingsBaseURL = config.embeddings?.baseURL ?? (provider === 'openai' ? config.baseURL : undefined);
  const embeddings =
    config.embeddings !== undefined && embeddingsBaseURL !== undefined
      ? {
          baseURL: embeddingsBaseURL,
          model: config.embeddings.model,
          apiKey,
          batchSize: config.embeddings.batchSize ?? PROVIDER_DEFAULTS.embeddingBatchSize,
          timeouts,
          retry,
        }
      : null;
  return { chat, embeddings };
}

function required(value: string | undefined, key: string): string {
  if (value === undefined) throw new Error(`assistant.${key} is missing (check the configuration with providerConfigProblems first)`);
  return value;
}

function readKeyFile(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`assistant.apiKeyFile: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): create it with the key on its first line, or use apiKey`);
  }
  const key = text.split(/\r?\n/, 1)[0]?.trim() ?? '';
  if (key === '') throw new Error(`assistant.apiKeyFile: ${file} is empty: put the key on its first line`);
  return key;
}
