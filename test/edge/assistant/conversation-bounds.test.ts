import { afterEach, describe, expect, it } from 'vitest';
import { boundHistory } from '../../../edge/assistant/conversation/context-window.js';
import type { StoredTurn } from '../../../edge/assistant/conversation/conversation-store.js';
import { createAssistantFixture, type AssistantFixture } from './assistant-fixture.js';

function turns(count: number, chars: number): StoredTurn[] {
  return Array.from({ length: count }, (_, i) => ({ role: i % 2 === 0 ? 'user' : 'assistant', text: `${i % 2 === 0 ? 'question' : 'answer'} ${i} `.padEnd(chars, '.'), cards: [], at: i }));
}

let fixture: AssistantFixture | undefined;

afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

describe('conversation bounds', () => {
  it('keeps the newest turns that fit, starting with a question, and summarises the older questions', () => {
    const bounded = boundHistory(turns(10, 100), 450);
    expect(bounded.messages.map((message) => (message.role === 'user' || message.role === 'assistant' ? message.content.split(' ')[1] : ''))).toEqual(['6', '7', '8', '9']);
    expect(bounded.messages[0]!.role).toBe('user');
    expect(bounded.droppedTurns).toBe(6);
    expect(bounded.summary).toMatchObject({ kind: 'note', label: 'H' });
    expect(bounded.summary!.text).toMatch(/^6 earlier turns are left out to fit the context\. Questions asked then:\n- question 0 \.+\n- question 2 \.+\n- question 4 \.+$/);
    expect(boundHistory(turns(4, 10), 1000)).toMatchObject({ droppedTurns: 0, summary: null });
  });

  it('sends a long conversation to the model within the configured size, oldest turns summarised', async () => {
    fixture = await createAssistantFixture({ llm: true, config: { historyChars: 1500, escalation: { enabled: false } } });
    const f = fixture;
    let conversationId: string | null = null;
    for (let i = 0; i < 8; i++) {
      f.server!.enqueue({ kind: 'completion', text: `Answer ${i} ${'x'.repeat(400)}` });
      conversationId = (await f.ask('maria', 'operator', `Question ${i} about the compressor oil ${'y'.repeat(200)}`, conversationId)).conversationId;
    }
    const last = f.server!.chatRequests().at(-1)!.body!['messages'] as { role: string; content: string }[];
    const history = last.filter((message) => message.role === 'assistant');
    expect(history.length).toBeLessThan(7);
    expect(history.reduce((sum, message) => sum + message.content.length, 0)).toBeLessThanOrEqual(1500);
    expect(last.some((message) => message.role === 'user' && message.content.includes('earlier turns are left out to fit the context'))).toBe(true);
    // the stored conversation keeps everything
    expect(f.assistant.conversation('maria', conversationId!)).toHaveLength(16);
    expect(f.assistant.conversations('maria')).toEqual([expect.objectContaining({ conversationId, turns: 16, title: expect.stringMatching(/^Question 0 about the compressor oil/) })]);
    expect(f.assistant.conversation('li', conversationId!)).toBeNull();
  });
});
