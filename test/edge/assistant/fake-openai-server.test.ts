import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeOpenAIServer } from './fake-openai-server.js';

let server: FakeOpenAIServer;
afterEach(() => server.close());

const client = () => new OpenAI({ baseURL: server.baseURL, apiKey: 'test', maxRetries: 0 });

describe('FakeOpenAIServer speaks the wire format', () => {
  it('streams SSE events: role delta first, usage chunk, then [DONE]', async () => {
    server = await FakeOpenAIServer.start();
    server.enqueue({ kind: 'completion', text: 'hello there' });
    const response = await fetch(`${server.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const events = (await response.text()).split('\n\n').filter((event) => event !== '');
    expect(events.every((event) => event.startsWith('data: '))).toBe(true);
    expect(events.at(-1)).toBe('data: [DONE]');
    const chunks = events.slice(0, -1).map((event) => JSON.parse(event.slice(6)) as { object: string; choices: { delta: unknown; finish_reason: string | null }[]; usage: unknown });
    expect(chunks[0]!.choices[0]!.delta).toEqual({ role: 'assistant', content: '', refusal: null });
    expect(chunks.every((chunk) => chunk.object === 'chat.completion.chunk')).toBe(true);
    expect(chunks.at(-2)!.choices[0]).toMatchObject({ delta: {}, finish_reason: 'stop' });
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 42, completion_tokens: 7, total_tokens: 49 } });
  });

  it('is understood by the official SDK\'s own stream accumulator, tool calls included', async () => {
    server = await FakeOpenAIServer.start();
    server.enqueue({ kind: 'completion', text: 'Checking.', toolCalls: [{ id: 'call_1', name: 'live_values', arguments: '{"asset":"pump-01"}' }, { id: 'call_2', name: 'list_alerts', arguments: '{}' }] });
    const stream = client().chat.completions.stream({ model: 'm', messages: [{ role: 'user', content: 'hi' }] });
    const completion = await stream.finalChatCompletion();
    expect(completion.choices[0]!.message).toMatchObject({
      content: 'Checking.',
      tool_calls: [
        { id: 'call_1', type: 'function', function: { name: 'live_values', arguments: '{"asset":"pump-01"}' } },
        { id: 'call_2', type: 'function', function: { name: 'list_alerts', arguments: '{}' } },
      ],
    });
    expect(completion.choices[0]!.finish_reason).toBe('tool_calls');
  });

  it('answers without streaming, lists models, and records each request', async () => {
    server = await FakeOpenAIServer.start({ models: ['qwen2.5:7b'] });
    server.enqueue({ kind: 'completion', text: 'whole answer' });
    const completion = await client().chat.completions.create({ model: 'qwen2.5:7b', messages: [{ role: 'user', content: 'hi' }] });
    expect(completion.choices[0]!.message.content).toBe('whole answer');
    expect(completion.usage?.total_tokens).toBe(49);
    const models = await client().models.list();
    expect(models.data.map((model) => model.id)).toEqual(['qwen2.5:7b']);
    expect(server.requests.map((request) => `${request.method} ${request.path}`)).toEqual(['POST /v1/chat/completions', 'GET /v1/models']);
  });

  it('decodes base64 embeddings the way the SDK asks for them by default', async () => {
    server = await FakeOpenAIServer.start({ embedder: (text) => [text.length, 0.5, -1] });
    const response = await client().embeddings.create({ model: 'e', input: ['abcd', 'xy'] });
    expect(response.data.map((item) => [...item.embedding])).toEqual([
      [4, 0.5, -1],
      [2, 0.5, -1],
    ]);
  });

  it('answers 500 saying so when a test scripted nothing', async () => {
    server = await FakeOpenAIServer.start();
    await expect(client().chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }] })).rejects.toThrow(/no scripted reply/);
  });
});
