import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type OpenAI from 'openai';
import type { ChatCompletionChunk, ChatCompletionCreateParamsStreaming } from 'openai/resources/chat/completions';
import type { Logger } from '../../../gateway/logger.js';
import type { ChatErrorEvent, ChatEvent, ChatProvider, ChatRequest, FinishReason, TokenUsage } from './chat-types.js';
import { describeServerFailure, type ServerFailure } from './openai-errors.js';
import { openAIClient } from './openai-client.js';
import { toOpenAIMessages, toOpenAITools } from './openai-messages.js';
import type { OpenAIProviderSettings } from './provider-config.js';
import { retryDelayMs } from './retry-policy.js';
import { ToolCallAssembler } from './tool-call-assembler.js';

export interface OpenAIChatProviderOptions {
  readonly settings: OpenAIProviderSettings;
  readonly logger: Logger;
  /** For tests: the jitter of the back-off. */
  readonly random?: () => number;
}

type AttemptOutcome = { readonly ok: true } | { readonly ok: false; readonly failure: ServerFailure; readonly delivered: boolean };

/**
 * Chat completions from any OpenAI-compatible server (Ollama, vLLM, llama.cpp server, LM Studio, hosted),
 * streamed. Retries connection errors, 408/409/429/5xx and broken streams with back-off, but only while
 * nothing has been delivered: text already shown to the operator is never repeated.
 */
export class OpenAIChatProvider implements ChatProvider {
  readonly id = 'openai';
  readonly model: string;
  private readonly client: OpenAI;
  private readonly settings: OpenAIProviderSettings;
  private readonly logger: Logger;
  private readonly random: () => number;

  constructor(options: OpenAIChatProviderOptions) {
    this.settings = options.settings;
    this.model = options.settings.model;
    this.logger = options.logger;
    this.random = options.random ?? Math.random;
    this.client = openAIClient({ baseURL: this.settings.baseURL, apiKey: this.settings.apiKey, timeoutMs: this.settings.timeouts.connectMs });
  }

  async *chat(request: ChatRequest): AsyncGenerator<ChatEvent> {
    const body = this.requestBody(request);
    for (let retry = 0; ; retry++) {
      if (request.signal.aborted) {
        yield { type: 'done', finishReason: 'cancelled' };
        return;
      }
      const outcome = yield* this.attempt(body, request.signal);
      if (outcome.ok) return;
      const { failure, delivered } = outcome;
      const delay = !delivered && failure.retryable && retry < this.settings.retry.maxRetries ? retryDelayMs(retry + 1, this.settings.retry, failure.retryAfterMs, this.random) : null;
      if (delay === null) {
        const waitHint = failure.retryAfterMs !== null && failure.retryAfterMs > this.settings.retry.maxDelayMs ? `; it asks to wait ${Math.ceil(failure.retryAfterMs / 1000)} s` : '';
        const attempts = retry > 0 ? ` (after ${retry + 1} attempts)` : '';
        yield errorEvent(failure, `${failure.message}${waitHint}${attempts}`, delivered);
        return;
      }
      this.logger.warn({ code: failure.code, status: failure.status, retry: retry + 1, delayMs: delay }, `assistant: ${failure.message}; retrying in ${delay} ms`);
      yield { type: 'retry', attempt: retry + 1, delayMs: delay, reason: failure.message };
      try {
        await sleep(delay, undefined, { signal: request.signal });
      } catch {
        // aborted while waiting: the loop's first check ends the reply
      }
    }
  }

  async close(): Promise<void> {}

  private requestBody(request: ChatRequest): ChatCompletionCreateParamsStreaming {
    const temperature = request.temperature ?? this.settings.temperature;
    const maxTokens = request.maxTokens ?? this.settings.maxTokens;
    return {
      model: this.model,
      messages: toOpenAIMessages(request.messages),
      stream: true,
      stream_options: { include_usage: true },
      ...(request.tools !== undefined && request.tools.length > 0 ? { tools: toOpenAITools(request.tools) } : {}),
      ...(temperature !== null ? { temperature } : {}),
      ...(maxTokens !== null ? { max_tokens: maxTokens } : {}),
    };
  }

  /** One request. Yields what it receives; returns whether it finished, and if not, whether anything went out. */
  private async *attempt(body: ChatCompletionCreateParamsStreaming, cancel: AbortSignal): AsyncGenerator<ChatEvent, AttemptOutcome> {
    const controller = new AbortController();
    const abort = () => controller.abort();
    cancel.addEventListener('abort', abort, { once: true });
    let stalled: 'first chunk' | 'next chunk' | null = null;
    let timer: NodeJS.Timeout | undefined;
    const expectChunkWithin = (ms: number, what: 'first chunk' | 'next chunk') => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        stalled = what;
        controller.abort();
      }, ms);
    };
    let delivered = false;
    let finished = false;
    const tools = new ToolCallAssembler(() => `call_${randomUUID().replaceAll('-', '').slice(0, 24)}`);
    let finishReason: string | null = null;
    let usage: TokenUsage | undefined;
    const server = { baseURL: this.settings.baseURL, model: this.model };
    try {
      const stream = await this.client.chat.completions.create(body, { signal: controller.signal });
      expectChunkWithin(this.settings.timeouts.firstTokenMs, 'first chunk');
      for await (const chunk of stream as AsyncIterable<ChatCompletionChunk>) {
        // the clock stops while the consumer handles what was yielded
        clearTimeout(timer);
        if (chunk.usage) usage = { promptTokens: chunk.usage.prompt_tokens, completionTokens: chunk.usage.completion_tokens, totalTokens: chunk.usage.total_tokens };
        const choice = chunk.choices?.find((candidate) => candidate.index === 0) ?? chunk.choices?.[0];
        if (choice === undefined) {
          expectChunkWithin(this.settings.timeouts.idleMs, 'next chunk');
          continue;
        }
        const text = choice.delta?.content;
        if (typeof text === 'string' && text !== '') {
          delivered = true;
          yield { type: 'text', delta: text };
        }
        for (const fragment of choice.delta?.tool_calls ?? []) tools.add(fragment);
        if (choice.finish_reason) finishReason = choice.finish_reason;
        expectChunkWithin(this.settings.timeouts.idleMs, 'next chunk');
      }
      clearTimeout(timer);
      if (cancel.aborted) {
        finished = true;
        yield { type: 'done', finishReason: 'cancelled', ...(usage ? { usage } : {}) };
        return { ok: true };
      }
      // a stall after the finish reason (a missing [DONE], a slow close) loses nothing
      if (finishReason === null) {
        const limit = stalled === 'first chunk' ? `timeouts.firstTokenMs (${this.settings.timeouts.firstTokenMs} ms)` : `timeouts.idleMs (${this.settings.timeouts.idleMs} ms)`;
        const failure: ServerFailure =
          stalled !== null
            ? { code: 'idle_timeout', message: `the language model server at ${server.baseURL} sent no ${stalled} within assistant.${limit}`, retryable: true, retryAfterMs: null }
            : { code: 'truncated', message: `the language model server at ${server.baseURL} ended the reply without finishing it (no finish_reason)`, retryable: true, retryAfterMs: null };
        return { ok: false, delivered, failure };
      }
      const calls = tools.finish();
      for (const call of calls) {
        if (call.ok) yield { type: 'tool_call', id: call.id, name: call.name, args: call.args };
        else yield invalidToolCallEvent(call.id, call.name, call.rawArguments, call.problem);
      }
      finished = true;
      yield { type: 'done', finishReason: calls.length > 0 ? 'tool_calls' : finishReasonOf(finishReason), ...(usage ? { usage } : {}) };
      return { ok: true };
    } catch (error) {
      clearTimeout(timer);
      if (cancel.aborted) {
        finished = true;
        yield { type: 'done', finishReason: 'cancelled' };
        return { ok: true };
      }
      return { ok: false, delivered, failure: describeServerFailure(error, server) };
    } finally {
      clearTimeout(timer);
      cancel.removeEventListener('abort', abort);
      // the consumer stopped reading, or the attempt failed: do not leave the HTTP request running
      if (!finished) controller.abort();
    }
  }
}

function finishReasonOf(reason: string): FinishReason {
  switch (reason) {
    case 'length':
      return 'length';
    case 'content_filter':
      return 'content_filter';
    case 'tool_calls':
    case 'function_call':
      return 'tool_calls';
    default:
      return 'stop';
  }
}

function errorEvent(failure: ServerFailure, message: string, partial: boolean): ChatErrorEvent {
  return { type: 'error', code: failure.code, message, fatal: true, partial, ...(failure.status !== undefined ? { status: failure.status } : {}) };
}

function invalidToolCallEvent(id: string, name: string, rawArguments: string, problem: string): ChatErrorEvent {
  const shown = rawArguments.length > 200 ? `${rawArguments.slice(0, 200)}…` : rawArguments;
  return {
    type: 'error',
    code: 'invalid_tool_arguments',
    message: `the model called "${name || '(no name)'}" (call ${id}) with arguments that are not valid JSON (${problem}): ${shown}`,
    fatal: false,
    partial: false,
    toolCall: { id, name, rawArguments },
  };
}
