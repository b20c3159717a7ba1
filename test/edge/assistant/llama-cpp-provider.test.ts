import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Type } from 'typebox';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../gateway/logger.js';
import type { ChatEvent, ChatMessage } from '../../../edge/assistant/providers/chat-types.js';
import { toGbnfJsonSchema } from '../../../edge/assistant/providers/gbnf-schema.js';
import { toLlamaHistory } from '../../../edge/assistant/providers/llama-chat-history.js';
import {
  LlamaCppSetupError,
  NODE_LLAMA_CPP_INSTALL,
  importNodeLlamaCpp,
  loadGgufModel,
  type LlamaChatLike,
  type LlamaHistoryItem,
  type LlamaLike,
  type LlamaModule,
} from '../../../edge/assistant/providers/llama-cpp-module.js';
import { LlamaCppProvider } from '../../../edge/assistant/providers/llama-cpp-provider.js';
import type { LlamaCppProviderSettings } from '../../../edge/assistant/providers/provider-config.js';
import { tempFolder } from '../../support/temp-folder.js';

const folders: { remove(): void }[] = [];
afterEach(() => folders.splice(0).forEach((folder) => folder.remove()));

function settings(modelPath: string): LlamaCppProviderSettings {
  return { provider: 'llama-cpp', modelPath, model: 'test.gguf', contextSize: 4096, threads: null, gpu: false, temperature: null, maxTokens: null };
}

function modelFile(contents: string): string {
  const folder = tempFolder('gguf');
  folders.push(folder);
  const file = join(folder.path, 'model.gguf');
  writeFileSync(file, contents);
  return file;
}

async function collect(events: AsyncIterable<ChatEvent>): Promise<ChatEvent[]> {
  const out: ChatEvent[] = [];
  for await (const event of events) out.push(event);
  return out;
}

/** Stands in for node-llama-cpp: records what it was given, streams a scripted reply. */
function fakeModule(reply: (history: LlamaHistoryItem[], options: Parameters<LlamaChatLike['generateResponse']>[1]) => Promise<Awaited<ReturnType<LlamaChatLike['generateResponse']>>>) {
  const seen: { history: LlamaHistoryItem[]; options: Parameters<LlamaChatLike['generateResponse']>[1] }[] = [];
  const meter = { usedInputTokens: 0, usedOutputTokens: 0 };
  const disposed: string[] = [];
  const module: LlamaModule = {
    getLlama: async (options) => {
      expect(options).toMatchObject({ gpu: false, build: 'never' });
      return {
        loadModel: async () => ({
          createContext: async () => ({ getSequence: () => ({ tokenMeter: meter }), dispose: async () => void disposed.push('context') }),
          dispose: async () => void disposed.push('model'),
        }),
        dispose: async () => void disposed.push('llama'),
      };
    },
    LlamaChat: class {
      async generateResponse(history: LlamaHistoryItem[], options: Parameters<LlamaChatLike['generateResponse']>[1]) {
        seen.push({ history: structuredClone(history), options });
        meter.usedInputTokens += 100;
        meter.usedOutputTokens += 5;
        return reply(history, options);
      }
      dispose() {
        disposed.push('chat');
      }
    },
  };
  return { importModule: async () => module, seen, disposed };
}

describe('llama-cpp provider: setting up', () => {
  it('says exactly how to install node-llama-cpp when it is missing', async () => {
    const error = await LlamaCppProvider.open({ settings: settings('/nowhere/model.gguf'), logger: silentLogger }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LlamaCppSetupError);
    expect((error as Error).message).toContain('node-llama-cpp is not installed');
    expect((error as Error).message).toContain('npm i -E --omit=optional node-llama-cpp@3.21.1 @node-llama-cpp/linux-x64@3.21.1');
  });

  it('tells a broken installation apart from a missing one', async () => {
    const broken = Object.assign(new Error("Cannot find package 'lifecycle-utils' imported from node-llama-cpp/dist/index.js"), { code: 'ERR_MODULE_NOT_FOUND' });
    await expect(importNodeLlamaCpp(() => Promise.reject(broken))).rejects.toThrow(/could not be loaded: Cannot find package 'lifecycle-utils'.*Reinstall/s);
  });

  it('names the model path when the file does not exist', async () => {
    const llama: LlamaLike = { loadModel: () => Promise.reject(new Error('must not be called')), dispose: async () => {} };
    await expect(loadGgufModel(llama, '/srv/models/qwen.gguf')).rejects.toThrow(/assistant\.modelPath: \/srv\/models\/qwen\.gguf does not exist/);
  });

  it('says a file that llama.cpp rejects as not GGUF is not a model, naming it', async () => {
    const file = modelFile('this is not a model');
    const llama: LlamaLike = { loadModel: () => Promise.reject(new Error('Invalid GGUF magic: expected "GGUF", got "this"')), dispose: async () => {} };
    await expect(loadGgufModel(llama, file)).rejects.toThrow(`assistant.modelPath: ${file} (19 bytes) is not a GGUF model file`);
  });

  const installed = process.env['MILLWRIGHT_TEST_NODE_LLAMA_CPP'];
  it.skipIf(installed === undefined)('with the real package (MILLWRIGHT_TEST_NODE_LLAMA_CPP=<path to its dist/index.js>): a junk file is refused by name', async () => {
    const file = modelFile('GGUX not really a model file at all, just text');
    const error = await LlamaCppProvider.open({ settings: settings(file), logger: silentLogger, importModule: () => import(pathToFileURL(installed!).href) }).catch((caught: unknown) => caught);
    expect((error as Error).message).toContain(`assistant.modelPath: ${file}`);
    expect((error as Error).message).toContain('is not a GGUF model file');
  }, 60_000);

  it('keeps the install command in one place', () => {
    expect(NODE_LLAMA_CPP_INSTALL).toBe('npm i -E --omit=optional node-llama-cpp@3.21.1 @node-llama-cpp/linux-x64@3.21.1');
  });
});

describe('llama-cpp provider: chatting (node-llama-cpp stood in for)', () => {
  const tools = [
    {
      name: 'signal_history',
      description: 'History of a signal',
      parameters: Type.Object({ asset: Type.String({ pattern: '^[a-z0-9-]+$' }), minutes: Type.Optional(Type.Integer({ minimum: 1 })) }, { additionalProperties: false }),
    },
  ];

  it('streams text chunks and reports the function calls the model made, with usage', async () => {
    const fake = fakeModule(async (_history, options) => {
      options.onTextChunk?.('Let me ');
      options.onTextChunk?.('check.');
      return { response: 'Let me check.', functionCalls: [{ functionName: 'signal_history', params: { asset: 'pump-01', minutes: 30 } }], metadata: { stopReason: 'functionCalls' } };
    });
    const provider = await LlamaCppProvider.open({ settings: settings(modelFile('GGUF')), logger: silentLogger, importModule: fake.importModule });
    const events = await collect(provider.chat({ messages: [{ role: 'user', content: 'Vibration?' }], tools, signal: new AbortController().signal }));
    expect(events).toEqual([
      { type: 'text', delta: 'Let me ' },
      { type: 'text', delta: 'check.' },
      { type: 'tool_call', id: 'call_local_1', name: 'signal_history', args: { asset: 'pump-01', minutes: 30 } },
      { type: 'done', finishReason: 'tool_calls', usage: { promptTokens: 100, completionTokens: 5, totalTokens: 105 } },
    ]);
    expect(fake.seen[0]!.options.functions).toEqual({
      signal_history: {
        description: 'History of a signal',
        params: { type: 'object', properties: { asset: { type: 'string' }, minutes: { type: 'integer' } }, required: ['asset'], additionalProperties: false },
      },
    });
    await provider.close();
    expect(fake.disposed).toEqual(['chat', 'context', 'model', 'llama']);
  });

  it('runs one reply at a time and reports a failure of the model as an error event', async () => {
    let running = 0;
    let most = 0;
    const fake = fakeModule(async (history) => {
      running++;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 20));
      running--;
      if ((history[0] as { text: string }).text === 'fail') throw new Error('context overflow');
      return { response: 'ok', metadata: { stopReason: 'eogToken' } };
    });
    const provider = await LlamaCppProvider.open({ settings: settings(modelFile('GGUF')), logger: silentLogger, importModule: fake.importModule });
    const ask = (text: string) => collect(provider.chat({ messages: [{ role: 'user', content: text }], signal: new AbortController().signal }));
    const [first, second] = await Promise.all([ask('fail'), ask('fine')]);
    expect(most).toBe(1);
    expect(first).toEqual([expect.objectContaining({ type: 'error', code: 'local_model', fatal: true, message: expect.stringContaining('context overflow') })]);
    expect(second.at(-1)).toMatchObject({ type: 'done', finishReason: 'stop' });
  });

  it('passes the stop signal to generation and ends with "cancelled"', async () => {
    const fake = fakeModule(async (_history, options) => {
      options.onTextChunk?.('partial');
      await new Promise((resolve) => options.signal?.addEventListener('abort', resolve, { once: true }));
      return { response: 'partial', metadata: { stopReason: 'abort' } };
    });
    const provider = await LlamaCppProvider.open({ settings: settings(modelFile('GGUF')), logger: silentLogger, importModule: fake.importModule });
    const stop = new AbortController();
    const events: ChatEvent[] = [];
    for await (const event of provider.chat({ messages: [{ role: 'user', content: 'long answer' }], signal: stop.signal })) {
      events.push(event);
      stop.abort();
    }
    expect(events.map((event) => event.type)).toEqual(['text', 'done']);
    expect(events.at(-1)).toMatchObject({ finishReason: 'cancelled' });
  });
});

describe('toLlamaHistory', () => {
  it('folds a turn\'s tool calls and results into one model item and leaves it open to continue', () => {
    const messages: ChatMessage[] = [
      { role: 'system', content: 'rules' },
      { role: 'context', items: [{ kind: 'alert', label: 'A1', source: 'alert 7', text: 'vibration high' }] },
      { role: 'user', content: 'Why?' },
      { role: 'assistant', content: 'Checking.', toolCalls: [{ id: 'c1', name: 'live_values', args: { asset: 'pump-01' } }, { id: 'c2', name: 'list_alerts', args: {} }] },
      { role: 'tool', toolCallId: 'c1', name: 'live_values', result: { vibration_de: 6.2 } },
      { role: 'tool', toolCallId: 'c2', name: 'list_alerts', result: 'timeout', isError: true },
    ];
    const history = toLlamaHistory(messages);
    expect(history.map((item) => item.type)).toEqual(['system', 'user', 'model']);
    expect((history[1] as { text: string }).text).toMatch(/<data label="A1" kind="alert" source="alert 7">\nvibration high\n<\/data>\n\nWhy\?$/);
    expect(history[2]).toEqual({
      type: 'model',
      response: [
        'Checking.',
        { type: 'functionCall', name: 'live_values', params: { asset: 'pump-01' }, result: { vibration_de: 6.2 }, startsNewChunk: true },
        { type: 'functionCall', name: 'list_alerts', params: {}, result: { error: 'timeout' }, startsNewChunk: false },
      ],
    });
  });

  it('ends with an empty model item after a user message', () => {
    expect(toLlamaHistory([{ role: 'user', content: 'hi' }])).toEqual([{ type: 'user', text: 'hi' }, { type: 'model', response: [] }]);
  });
});

describe('toGbnfJsonSchema', () => {
  it('keeps what the grammar can express and drops the rest', () => {
    const schema = Type.Object(
      {
        asset: Type.String({ pattern: '^[a-z]', description: 'asset id' }),
        priority: Type.Union([Type.Literal('low'), Type.Literal('high')]),
        since: Type.String({ format: 'date-time' }),
        limit: Type.Number({ minimum: 0, maximum: 100 }),
        tags: Type.Array(Type.String({ maxLength: 20 }), { maxItems: 5 }),
        anything: Type.Unknown(),
      },
      { additionalProperties: false },
    );
    expect(toGbnfJsonSchema(schema)).toEqual({
      type: 'object',
      properties: {
        asset: { type: 'string', description: 'asset id' },
        priority: { oneOf: [{ const: 'low' }, { const: 'high' }] },
        since: { type: 'string', format: 'date-time' },
        limit: { type: 'number' },
        tags: { type: 'array', items: { type: 'string', maxLength: 20 }, maxItems: 5 },
        anything: { type: ['string', 'number', 'integer', 'boolean', 'null'] },
      },
      required: ['asset', 'priority', 'since', 'limit', 'tags', 'anything'],
      additionalProperties: false,
    });
  });
});
