/** Exponential back-off between attempts of a request that failed before anything was delivered. */
export interface RetryPolicy {
  /** Retries after the first attempt; 0 turns retrying off. */
  readonly maxRetries: number;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
}

/**
 * The wait before retry number `retry` (1 for the first): the initial delay doubled per retry, capped, with
 * the upper half jittered so clients that failed together do not return together. A server's own Retry-After
 * wins; when it asks for longer than `maxDelayMs` there is no retry (null): the caller reports the wait.
 */
export function retryDelayMs(retry: number, policy: RetryPolicy, retryAfterMs: number | null, random: () => number = Math.random): number | null {
  if (retryAfterMs !== null) return retryAfterMs <= policy.maxDelayMs ? retryAfterMs : null;
  const ceiling = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** (retry - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** What a response's `retry-after-ms` (OpenAI) or `retry-after` (seconds or an HTTP date) asks for, in ms. */
export function retryAfterMs(headers: Headers | undefined, now: number = Date.now()): number | null {
  if (headers === undefined) return null;
  const milliseconds = Number.parseFloat(headers.get('retry-after-ms') ?? '');
  if (Number.isFinite(milliseconds) && milliseconds >= 0) return Math.round(milliseconds);
  const value = headers.get('retry-after');
  if (value === null || value.trim() === '') return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}
