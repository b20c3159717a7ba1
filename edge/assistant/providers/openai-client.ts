import OpenAI from 'openai';

/**
 * An SDK client for one OpenAI-compatible server that takes nothing from the environment (no OPENAI_* variable
 * changes where a plant's questions go) and retries nothing itself. Without a key no Authorization header is
 * sent: local servers need none, and a fake one would only confuse a proxy in front of them.
 */
export function openAIClient(options: { baseURL: string; apiKey: string | null; timeoutMs: number }): OpenAI {
  return new OpenAI({
    baseURL: options.baseURL,
    apiKey: options.apiKey ?? 'unused',
    adminAPIKey: null,
    organization: null,
    project: null,
    webhookSecret: null,
    timeout: options.timeoutMs,
    maxRetries: 0,
    logLevel: 'off',
    ...(options.apiKey === null ? { defaultHeaders: { Authorization: null } } : {}),
  });
}
