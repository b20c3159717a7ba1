import type { Logger } from '../../../gateway/logger.js';
import type { ChatEvent, ChatProvider, ChatRequest, ToolSpec } from './chat-types.js';
import { toGbnfJsonSchema } from './gbnf-schema.js';
import { toLlamaHistory } from './llama-chat-history.js';
import {
  checkModelFile,
  importNodeLlamaCpp,
  loadGgufModel,
  startLlama,
  type LlamaChatLike,
  type LlamaContextLike,
  type LlamaFunctions,
  type LlamaLike,
  type LlamaModelLike,
  type LlamaSequenceLike,
  type ModuleImporter,
} from './llama-cpp-module.js';
import type { LlamaCppProviderSettings } from './provider-config.js';

export interface LlamaCppProviderOptions {
  readonly settings: LlamaCppProviderSettings;
  readonly logger: Logger;
  /** For tests: how node-llama-cpp is imported. */
  readonly importModule?: ModuleImporter;
}

/**
 * A GGUF model run in this process by node-llama-cpp (CPU unless `gpu` says otherwise). One context sequence:
 * replies are generated one at a time, in the order asked. Tool calls use node-llama-cpp's function calling,
 * which constrains the call to the tool's parameters with a grammar; the calls are returned, not run.
 * Built by `open`, which fails with a message saying what to install or which file is wrong.
 */
export class LlamaCppProvider implements ChatProvider {
  readonly id = 'llama-cpp';
  readonly model: string;
  private queue: Promise<void> = Promise.resolve();
  private callCounter = 0;

  private constructor(
    private readonly settings: LlamaCppProviderSettings,
    private readonly llama: LlamaLike,
    private readonly loaded: LlamaModelLike,
    private readonly context: LlamaContextLike,
    private readonly sequence: LlamaSequenceLike,
    private readonly session: LlamaChatLike,
  ) {
    this.model = settings.model;
  }

  static async open(options: LlamaCppProviderOptions): Promise<LlamaCppProvider> {
    const { settings, logger } = options;
    const module = await importNodeLlamaCpp(options.importModule);
    await checkModelFile(settings.modelPath);
    const llama = await startLlama(module, settings.gpu, logger);
    let model: LlamaModelLike | undefined;
    try {
      model = await loadGgufModel(llama, settings.modelPath);
      const context = await model.createContext({
        ...(settings.contextSize !== null ? { contextSize: { max: settings.contextSize } } : {}),
        ...(settings.threads !== null ? { threads: settings.threads } : {}),
      });
      const sequence = context.getSequence();
      const session = new module.LlamaChat({ contextSequence: sequence });
      logger.info({ modelPath: settings.modelPath }, 'assistant: local model loaded');
      return new LlamaCppProvider(settings, llama, model, context, sequence, session);
    } catch (error) {
      await model?.dispose().catch(() => undefined);
      await llama.dispose().catch(() => undefined);
      throw error;
    }
  }

  chat(request: ChatRequest): AsyncIterable<ChatEvent> {
    return this.generate(request);
  }

  private async *generate(request: ChatRequest): AsyncGenerator<ChatEvent> {
    const events: ChatEvent[] = [];
    let wake: (() => void) | null = null;
    let settled = false;
    // also stops generation when the consumer stops reading
    const stop = new AbortController();
    const abort = () => stop.abort();
    request.signal.addEventListener('abort', abort, { once: true });
    if (request.signal.aborted) stop.abort();
    const push = (event: ChatEvent) => {
      events.push(event);
      wake?.();
    };
    const turn = this.queue.then(() => this.runTurn({ ...request, signal: stop.signal }, push));
    this.queue = turn.catch(() => undefined);
    void turn
      .catch(() => undefined)
      .finally(() => {
        settled = true;
        wake?.();
      });
    try {
      for (;;) {
        const event = events.shift();
        if (event !== undefined) {
          yield event;
          continue;
        }
        if (settled) return;
        await new Promise<void>((resolve) => (wake = resolve));
        wake = null;
      }
    } finally {
      request.signal.removeEventListener('abort', abort);
      if (!settled) stop.abort();
    }
  }

  private async runTurn(request: ChatRequest, push: (event: ChatEvent) => void): Promise<void> {
    if (request.signal.aborted) {
      push({ type: 'done', finishReason: 'cancelled' });
      return;
    }
    let delivered = false;
    const before = { input: this.sequence.tokenMeter.usedInputTokens, output: this.sequence.tokenMeter.usedOutputTokens };
    try {
      const temperature = request.temperature ?? this.settings.temperature;
      const maxTokens = request.maxTokens ?? this.settings.maxTokens;
      const result = await this.session.generateResponse(toLlamaHistory(request.messages), {
        ...(request.tools !== undefined && request.tools.length > 0 ? { functions: llamaFunctions(request.tools) } : {}),
        onTextChunk: (text) => {
          if (text === '') return;
          delivered = true;
          push({ type: 'text', delta: text });
        },
        signal: request.signal,
        stopOnAbortSignal: true,
        ...(temperature !== null ? { temperature } : {}),
        ...(maxTokens !== null ? { maxTokens } : {}),
      });
      for (const call of result.functionCalls ?? []) {
        push({ type: 'tool_call', id: `call_local_${++this.callCounter}`, name: call.functionName, args: call.params ?? {} });
      }
      const promptTokens = this.sequence.tokenMeter.usedInputTokens - before.input;
      const completionTokens = this.sequence.tokenMeter.usedOutputTokens - before.output;
      const stop = result.metadata.stopReason;
      push({
        type: 'done',
        finishReason: stop === 'abort' ? 'cancelled' : stop === 'maxTokens' ? 'length' : (result.functionCalls?.length ?? 0) > 0 ? 'tool_calls' : 'stop',
        usage: { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens },
      });
    } catch (error) {
      if (request.signal.aborted) {
        push({ type: 'done', finishReason: 'cancelled' });
        return;
      }
      push({
        type: 'error',
        code: 'local_model',
        message: `the local model ${this.settings.modelPath} failed: ${(error as Error).message}`,
        fatal: true,
        partial: delivered,
      });
    }
  }

  async close(): Promise<void> {
    await this.queue;
    this.session.dispose();
    await this.context.dispose();
    await this.loaded.dispose();
    await this.llama.dispose();
  }
}

function llamaFunctions(tools: readonly ToolSpec[]): LlamaFunctions {
  return Object.fromEntries(tools.map((tool) => [tool.name, { description: tool.description, params: toGbnfJsonSchema(tool.parameters) }]));
}
