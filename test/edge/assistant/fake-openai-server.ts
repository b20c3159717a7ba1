import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An OpenAI-compatible HTTP server on loopback for tests, faithful to the wire format: `/v1/chat/completions`
 * streams `data: {chunk}\n\n` events (a role delta, content deltas, tool-call deltas with index/id/name and
 * argument fragments, a finish_reason chunk, a usage chunk when `stream_options.include_usage`, then
 * `data: [DONE]`) or answers with one `chat.completion` when not streaming; `/v1/embeddings` and `/v1/models`.
 *
 * Replies are scripted per test (`enqueue`), in order; a request with nothing scripted gets HTTP 500 saying so.
 * Every request is recorded (`requests`), including whether the client went away before the reply ended.
 * The `ollama` flavour sends what Ollama's compatible endpoint sends: `role` in every delta, each tool call
 * whole in one chunk, every call at `index` 0, `fp_ollama`, no `logprobs`.
 */

export type Flavor = 'openai' | 'ollama';

export interface ScriptedToolCall {
  /** Default: a fresh `call_...` id. */
  readonly id?: string;
  readonly name: string;
  /** The arguments exactly as the model "wrote" them (valid JSON or not). */
  readonly arguments: string;
}

export interface CompletionScript {
  readonly kind: 'completion';
  /** Text deltas, in order (a string is split into words). */
  readonly text?: string | readonly string[];
  readonly toolCalls?: readonly ScriptedToolCall[];
  /** Pieces each call's arguments are split into (openai flavour); default 3. */
  readonly argumentPieces?: number;
  /** Default: "tool_calls" with tool calls, else "stop". */
  readonly finishReason?: string;
  readonly usage?: { readonly prompt_tokens: number; readonly completion_tokens: number };
  /** Send this many events, then stop sending and keep the connection open. */
  readonly stallAfter?: number;
  /** Send this many events, then destroy the connection. */
  readonly disconnectAfter?: number;
  /** Replace event number N (0-based) by a line that is not JSON. */
  readonly malformedAt?: number;
  /** Put an `{"error": ...}` event at position N (0-based). */
  readonly errorAt?: number;
  /** End the response without the finish_reason chunk (and without usage and [DONE]). */
  readonly omitFinish?: boolean;
  /** Wait this long between events (ms). */
  readonly intervalMs?: number;
}

export type ScriptedReply =
  | CompletionScript
  | { readonly kind: 'http-error'; readonly status: number; readonly message?: string; readonly headers?: Readonly<Record<string, string>> }
  /** Accept the request and never send the response headers. */
  | { readonly kind: 'no-headers' }
  /** Destroy the connection without answering. */
  | { readonly kind: 'drop' };

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: Record<string, unknown> | null;
  /** True once the client closed the connection before the reply was complete. */
  clientAborted: boolean;
  /** True once the reply was sent completely. */
  completed: boolean;
}

export type Embedder = (text: string) => number[];

export class FakeOpenAIServer {
  readonly requests: RecordedRequest[] = [];
  private readonly replies: ScriptedReply[] = [];
  private readonly openResponses = new Set<ServerResponse>();

  private constructor(
    private readonly server: Server,
    readonly flavor: Flavor,
    readonly models: readonly string[],
    private readonly embedder: Embedder,
  ) {}

  static async start(options: { flavor?: Flavor; models?: readonly string[]; embedder?: Embedder } = {}): Promise<FakeOpenAIServer> {
    const server = createServer();
    const fake = new FakeOpenAIServer(server, options.flavor ?? 'openai', options.models ?? ['fake-model', 'fake-embed'], options.embedder ?? hashingEmbedder(64));
    server.on('request', (request, response) => void fake.handle(request, response));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return fake;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** What a client takes as its base URL. */
  get baseURL(): string {
    return `http://127.0.0.1:${this.port}/v1`;
  }

  enqueue(...replies: ScriptedReply[]): void {
    this.replies.push(...replies);
  }

  get pendingReplies(): number {
    return this.replies.length;
  }

  chatRequests(): RecordedRequest[] {
    return this.requests.filter((request) => request.path === '/v1/chat/completions');
  }

  async close(): Promise<void> {
    for (const response of this.openResponses) response.destroy();
    this.server.closeAllConnections();
    this.server.close();
    await once(this.server, 'close');
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: Record<string, unknown> | null = null;
    try {
      body = text === '' ? null : (JSON.parse(text) as Record<string, unknown>);
    } catch {
      body = null;
    }
    const path = (request.url ?? '').split('?')[0] ?? '';
    const record: RecordedRequest = { method: request.method ?? '', path, headers: request.headers, body, clientAborted: false, completed: false };
    this.requests.push(record);
    this.openResponses.add(response);
    response.on('close', () => {
      this.openResponses.delete(response);
      if (!response.writableFinished) record.clientAborted = true;
    });
    response.on('finish', () => (record.completed = true));

    if (request.method === 'GET' && path === '/v1/models') {
      return sendJson(response, 200, { object: 'list', data: this.models.map((id) => ({ id, object: 'model', created: 1_700_000_000, owned_by: this.flavor === 'ollama' ? 'library' : 'system' })) });
    }
    if (request.method === 'POST' && path === '/v1/embeddings') return this.embeddings(body, response);
    if (request.method !== 'POST' || path !== '/v1/chat/completions') {
      return sendJson(response, 404, errorBody(`no route ${request.method} ${path}`, 'invalid_request_error'));
    }
    if (body === null) return sendJson(response, 400, errorBody('the body is not JSON', 'invalid_request_error'));
    const reply = this.replies.shift();
    if (reply === undefined) return sendJson(response, 500, errorBody('fake server: no scripted reply left for this request', 'server_error'));
    switch (reply.kind) {
      case 'http-error':
        return sendJson(response, reply.status, errorBody(reply.message ?? `scripted HTTP ${reply.status}`, reply.status === 429 ? 'rate_limit_exceeded' : 'server_error'), reply.headers);
      case 'no-headers':
        return;
      case 'drop':
        response.destroy();
        return;
      case 'completion':
        if (body['stream'] === true) return this.stream(reply, body, response);
        return sendJson(response, 200, completionObject(reply, String(body['model']), this.flavor));
    }
  }

  private async stream(script: CompletionScript, body: Record<string, unknown>, response: ServerResponse): Promise<void> {
    const includeUsage = (body['stream_options'] as { include_usage?: boolean } | undefined)?.include_usage === true;
    const events = streamEvents(script, String(body['model']), this.flavor, includeUsage);
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    response.flushHeaders();
    for (const [index, event] of events.entries()) {
      if (script.stallAfter === index) return;
      if (script.disconnectAfter === index) {
        response.socket?.destroy();
        return;
      }
      if (script.intervalMs !== undefined && index > 0) await new Promise((resolve) => setTimeout(resolve, script.intervalMs));
      if (response.destroyed) return;
      const data =
        script.malformedAt === index ? '{"id":"chatcmpl-broken","choices":[{"delta":{"content":"unterminated' : script.errorAt === index ? JSON.stringify(errorBody('scripted error inside the stream', 'server_error')) : event;
      await new Promise<void>((resolve) => response.write(`data: ${data}\n\n`, () => resolve()));
    }
    if (script.stallAfter !== undefined && script.stallAfter >= events.length) return;
    response.end();
  }

  private embeddings(body: Record<string, unknown> | null, response: ServerResponse): void {
    const input = body?.['input'];
    const texts = typeof input === 'string' ? [input] : Array.isArray(input) ? input.map(String) : null;
    if (texts === null) return sendJson(response, 400, errorBody('input must be a string or an array of strings', 'invalid_request_error'));
    const base64 = body?.['encoding_format'] === 'base64' && this.flavor === 'openai';
    const data = texts.map((text, index) => {
      const vector = this.embedder(text);
      return { object: 'embedding', index, embedding: base64 ? Buffer.from(Float32Array.from(vector).buffer).toString('base64') : vector };
    });
    const tokens = texts.reduce((sum, text) => sum + text.split(/\s+/).length, 0);
    sendJson(response, 200, { object: 'list', data, model: String(body?.['model']), usage: { prompt_tokens: tokens, total_tokens: tokens } });
  }
}

function sendJson(response: ServerResponse, status: number, value: unknown, headers: Readonly<Record<string, string>> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(value));
}

function errorBody(message: string, type: string): { error: { message: string; type: string; param: null; code: string | null } } {
  return { error: { message, type, param: null, code: type === 'rate_limit_exceeded' ? 'rate_limit_exceeded' : null } };
}

function callId(): string {
  return `call_${randomBytes(12).toString('base64url')}`;
}

function textPieces(text: CompletionScript['text']): string[] {
  if (text === undefined) return [];
  if (typeof text !== 'string') return [...text];
  return text.match(/\S+\s*|\s+/g) ?? [];
}

function split(text: string, pieces: number): string[] {
  const size = Math.max(1, Math.ceil(text.length / pieces));
  const out: string[] = [];
  for (let start = 0; start < text.length; start += size) out.push(text.slice(start, start + size));
  return out;
}

function usageOf(script: CompletionScript): { prompt_tokens: number; completion_tokens: number; total_tokens: number } {
  const usage = script.usage ?? { prompt_tokens: 42, completion_tokens: 7 };
  return { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens };
}

/** The `data:` payloads of one streamed reply, as OpenAI (or Ollama) sends them. */
function streamEvents(script: CompletionScript, model: string, flavor: Flavor, includeUsage: boolean): string[] {
  const id = `chatcmpl-${randomBytes(10).toString('hex')}`;
  const created = Math.floor(Date.now() / 1000);
  const calls = (script.toolCalls ?? []).map((call) => ({ ...call, id: call.id ?? callId() }));
  const finishReason = script.finishReason ?? (calls.length > 0 ? 'tool_calls' : 'stop');
  const events: string[] = [];
  const chunk = (delta: Record<string, unknown>, finish: string | null, extra: Record<string, unknown> = {}) => {
    const choice = flavor === 'openai' ? { index: 0, delta, logprobs: null, finish_reason: finish } : { index: 0, delta, finish_reason: finish };
    const base = { id, object: 'chat.completion.chunk', created, model, system_fingerprint: flavor === 'openai' ? 'fp_fake' : 'fp_ollama', choices: [choice] };
    events.push(JSON.stringify({ ...base, ...(flavor === 'openai' && includeUsage ? { usage: null } : {}), ...extra }));
  };

  if (flavor === 'openai') {
    const pieces = textPieces(script.text);
    const first = calls[0];
    if (pieces.length === 0 && first !== undefined) {
      chunk({ role: 'assistant', content: null, tool_calls: [{ index: 0, id: first.id, type: 'function', function: { name: first.name, arguments: '' } }], refusal: null }, null);
    } else {
      chunk({ role: 'assistant', content: '', refusal: null }, null);
    }
    for (const piece of pieces) chunk({ content: piece }, null);
    calls.forEach((call, index) => {
      if (index > 0 || pieces.length > 0) chunk({ tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }] }, null);
      for (const piece of split(call.arguments, script.argumentPieces ?? 3)) chunk({ tool_calls: [{ index, function: { arguments: piece } }] }, null);
    });
    if (script.omitFinish) return events;
    chunk({}, finishReason);
    if (includeUsage) events.push(JSON.stringify({ id, object: 'chat.completion.chunk', created, model, system_fingerprint: 'fp_fake', choices: [], usage: usageOf(script) }));
  } else {
    for (const piece of textPieces(script.text)) chunk({ role: 'assistant', content: piece }, null);
    for (const call of calls) {
      chunk({ role: 'assistant', content: '', tool_calls: [{ id: call.id, index: 0, type: 'function', function: { name: call.name, arguments: call.arguments } }] }, null);
    }
    if (script.omitFinish) return events;
    chunk({ role: 'assistant', content: '' }, finishReason);
    if (includeUsage) events.push(JSON.stringify({ id, object: 'chat.completion.chunk', created, model, system_fingerprint: 'fp_ollama', choices: [], usage: usageOf(script) }));
  }
  events.push('[DONE]');
  return events;
}

function completionObject(script: CompletionScript, model: string, flavor: Flavor): unknown {
  const calls = (script.toolCalls ?? []).map((call) => ({ id: call.id ?? callId(), type: 'function', function: { name: call.name, arguments: call.arguments } }));
  const text = textPieces(script.text).join('');
  return {
    id: `chatcmpl-${randomBytes(10).toString('hex')}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    system_fingerprint: flavor === 'openai' ? 'fp_fake' : 'fp_ollama',
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: text === '' && calls.length > 0 ? null : text, ...(calls.length > 0 ? { tool_calls: calls } : {}), ...(flavor === 'openai' ? { refusal: null } : {}) },
        ...(flavor === 'openai' ? { logprobs: null } : {}),
        finish_reason: script.finishReason ?? (calls.length > 0 ? 'tool_calls' : 'stop'),
      },
    ],
    usage: usageOf(script),
  };
}

/** Deterministic vectors: words hashed into `dimensions` buckets, so texts sharing words are close. */
export function hashingEmbedder(dimensions: number): Embedder {
  return (text) => {
    const vector = new Array<number>(dimensions).fill(0);
    for (const word of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
      let hash = 2166136261;
      for (const char of word) hash = Math.imul(hash ^ char.codePointAt(0)!, 16777619) >>> 0;
      vector[hash % dimensions]! += 1;
    }
    return vector;
  };
}
