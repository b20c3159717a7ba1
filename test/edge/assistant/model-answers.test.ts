import { afterEach, describe, expect, it } from 'vitest';
import { createAssistantFixture, type AssistantFixture } from './assistant-fixture.js';

let fixture: AssistantFixture | undefined;

afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

describe('answers with a language model', () => {
  it('streams the answer after a tool call, with the manual sections it cites as cards, in the question’s language', async () => {
    fixture = await createAssistantFixture({ llm: true, config: { escalation: { enabled: false } } });
    const f = fixture;
    f.publish('pump-01', { vibration_de: 4.8 });
    f.server!.enqueue(
      { kind: 'completion', toolCalls: [{ name: 'live_values', arguments: '{"asset":"pump-01"}' }, { name: 'search_manuals', arguments: '{"query":"P-PUMP-04 handheld vibration measurement"}' }] },
      { kind: 'completion', text: ['驱动端振动 4.8 mm/s 偏高', '，按 [M', '1] 和 [P-PUMP-04', '] 处理，另见 [M42]。'] },
    );
    const answer = await f.ask('li', 'operator', 'pump-01 驱动端振动一直在涨，该查什么？');
    const requests = f.server!.chatRequests();
    expect(requests).toHaveLength(2);
    const system = (requests[0]!.body!['messages'] as { role: string; content: string }[])[0]!;
    expect(system.content).toContain('请用简体中文回答');
    expect((requests[0]!.body!['tools'] as unknown[]).length).toBe(10);
    const toolResults = (requests[1]!.body!['messages'] as { role: string; content: string }[]).filter((message) => message.role === 'tool');
    expect(toolResults).toHaveLength(2);
    expect(toolResults[0]!.content).toContain('"signal":"vibration_de","unit":"mm/s","normal":[0.5,2.8]');
    const p04 = answer.cards.find((card) => card.kind === 'manual' && (card.data as { sectionId: string }).sectionId === 'P-PUMP-04')!;
    const p04Label = (p04.data as { label: string }).label;
    expect(answer.text).toBe(`驱动端振动 4.8 mm/s 偏高，按 [M1] 和 [${p04Label}] 处理，另见 [unverified]。`);
    expect((answer.cards.find((card) => card.kind === 'manual')!.data as { label: string; language: string })).toMatchObject({ label: 'M1', language: 'zh' });
    expect(answer.cards.at(-1)).toMatchObject({ kind: 'citation-check', data: { problems: expect.arrayContaining([{ cited: 'M42', fix: 'unverified' }]) } });
    expect(f.assistant.conversation('li', answer.conversationId)!.at(-1)!.text).toBe(answer.text);
  });

  it('stops after the configured tool rounds with a last request without tools', async () => {
    fixture = await createAssistantFixture({ llm: true, config: { maxToolRounds: 1, escalation: { enabled: false } } });
    const f = fixture;
    f.server!.enqueue({ kind: 'completion', toolCalls: [{ name: 'list_alerts', arguments: '{}' }] }, { kind: 'completion', text: 'No open alerts.' });
    const answer = await f.ask('li', 'operator', 'any alerts?');
    expect(answer.text).toBe('No open alerts.');
    expect(f.server!.chatRequests()[1]!.body!['tools']).toBeUndefined();
  });

  it('reports a failing model as failed, keeping what was shown', async () => {
    fixture = await createAssistantFixture({ llm: true, config: { escalation: { enabled: false } } });
    const f = fixture;
    f.server!.enqueue({ kind: 'completion', text: 'Partial answer that', disconnectAfter: 3 });
    await expect(f.ask('li', 'operator', 'what is NPSH?')).rejects.toThrow(/./);
    const [conversation] = f.assistant.conversations('li');
    const turns = f.assistant.conversation('li', conversation!.conversationId)!;
    expect(turns.at(-1)!.cards.at(-1)).toMatchObject({ kind: 'notice', data: { code: 'failed' } });
  });

  it('stops when the person cancels', async () => {
    fixture = await createAssistantFixture({ llm: true, config: { escalation: { enabled: false } } });
    const f = fixture;
    f.server!.enqueue({ kind: 'completion', text: 'one two three four five six', intervalMs: 200 });
    const controller = new AbortController();
    const pending = f.ask('li', 'operator', 'what is NPSH?', null, controller.signal);
    setTimeout(() => controller.abort(), 300);
    const answer = await pending;
    expect(answer.text.split(' ').length).toBeLessThan(6);
  });
});
