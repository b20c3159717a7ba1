import { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai';
import type { ChatErrorCode } from './chat-types.js';
import { retryAfterMs } from './retry-policy.js';

/** A failed request to an OpenAI-compatible server, described for a person and for the retry loop. */
export interface ServerFailure {
  readonly code: ChatErrorCode;
  readonly message: string;
  /** Worth another attempt when nothing was delivered yet: connection trouble, 408/409/429/5xx, a broken stream. */
  readonly retryable: boolean;
  readonly status?: number;
  /** What the server's Retry-After asked for. */
  readonly retryAfterMs: number | null;
}

export interface ServerIdentity {
  readonly baseURL: string;
  readonly model: string;
}

/** The server's own words, from its error body when it sent one. */
function serverMessage(error: APIError): string {
  const body = error.error as { message?: unknown } | undefined;
  const text = typeof body?.message === 'string' ? body.message : error.message;
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

function causeOf(error: Error): string {
  const cause = (error as Error & { cause?: unknown }).cause;
  if (cause instanceof Error) {
    const code = (cause as NodeJS.ErrnoException).code ?? ((cause as Error & { cause?: NodeJS.ErrnoException }).cause?.code);
    return code !== undefined ? `${cause.message} (${code})` : cause.message;
  }
  return error.message;
}

export function describeServerFailure(error: unknown, server: ServerIdentity): ServerFailure {
  const at = `the language model server at ${server.baseURL}`;
  if (error instanceof APIConnectionTimeoutError) {
    return { code: 'connect_timeout', message: `${at} did not answer within the connect timeout: check that it is running and reachable, or raise assistant.timeouts.connectMs`, retryable: true, retryAfterMs: null };
  }
  if (error instanceof APIConnectionError) {
    return { code: 'connection', message: `cannot reach ${at}: ${causeOf(error)}. Check that it is running and that assistant.baseURL is right`, retryable: true, retryAfterMs: null };
  }
  if (error instanceof APIError) {
    const status = error.status;
    const said = serverMessage(error);
    const retryAfter = retryAfterMs(error.headers);
    if (status === undefined) {
      return { code: 'server_error', message: `${at} reported an error inside the reply: ${said}`, retryable: true, retryAfterMs: null };
    }
    if (status === 401 || status === 403) {
      return { code: 'auth', message: `${at} refused the credentials (HTTP ${status}: ${said}): set assistant.apiKey or apiKeyFile to a valid key`, retryable: false, status, retryAfterMs: null };
    }
    if (status === 404) {
      return {
        code: 'not_found',
        message: `${at} has no model "${server.model}" or no /chat/completions route (HTTP 404: ${said}): check assistant.model (Ollama: "ollama pull ${server.model}") and that assistant.baseURL ends in /v1`,
        retryable: false,
        status,
        retryAfterMs: null,
      };
    }
    if (status === 429) {
      return { code: 'rate_limited', message: `${at} is rate limiting requests (HTTP 429: ${said})`, retryable: true, status, retryAfterMs: retryAfter };
    }
    if (status >= 500 || status === 408 || status === 409) {
      return { code: 'server_error', message: `${at} failed (HTTP ${status}: ${said})`, retryable: true, status, retryAfterMs: retryAfter };
    }
    return {
      code: 'bad_request',
      message: `${at} refused the request for model "${server.model}" (HTTP ${status}: ${said}); some models or servers do not support tool calls`,
      retryable: false,
      status,
      retryAfterMs: null,
    };
  }
  if (error instanceof SyntaxError) {
    return { code: 'malformed_stream', message: `${at} sent a chunk that is not valid JSON (${error.message})`, retryable: true, retryAfterMs: null };
  }
  const message = error instanceof Error ? causeOf(error) : String(error);
  return { code: 'connection', message: `the connection to ${at} broke: ${message}`, retryable: true, retryAfterMs: null };
}
