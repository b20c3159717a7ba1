import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAssistantFixture, type AssistantFixture } from '../assistant/assistant-fixture.js';
import { startAssistantConsole, type AssistantConsole } from './fixtures/assistant-console.js';
import { PASSWORD } from './fixtures/console-harness.js';
import { WsTestClient } from './fixtures/ws-test-client.js';

/**
 * The whole loop with a language model, over the console's WebSocket: an alert is escalated by the
 * (fake, protocol-faithful) OpenAI-compatible server, the operator follows up in the alert's thread, the
 * model calls a tool, and its answer streams back token by token with its citations checked.
 */
describe('the console with the assistant in front of a language model', () => {
  let fixture: AssistantFixture;
  let consoleServer: AssistantConsole;
  let url: string;
  let client: WsTestClient | undefined;

  beforeAll(async () => {
    fixture = await createAssistantFixture({ llm: true, config: { escalation: { priority: 'high' } } });
    consoleServer = await startAssistantConsole(fixture);
    url = consoleServer.url;
  }, 60_000);

  afterAll(async () => {
    await client?.close();
    await consoleServer?.stop();
    await fixture?.close();
  });

  it('alert → escalation card → follow-up → tool call → streamed answer', async () => {
    const login = await fetch(`${url}/api/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'operator', password: PASSWORD('operator') }) });
    const { token } = (await login.json()) as { token: string };
    client = await WsTestClient.connect(url, { token });
    await client.next((m) => m.type === 'welcome', 'welcome');
    client.send({ type: 'subscribe.alerts' });
    await client.next((m) => m.type === 'alerts.live', 'alerts.live');

    fixture.publish('pump-01', { vibration_de: 6.4, bearing_temp_de: 71 });
    fixture.server!.enqueue(
      { kind: 'completion', text: ['The drive-end ', 'vibration is high ', '[M1].'] },
      { kind: 'completion', toolCalls: [{ name: 'live_values', arguments: '{"asset":"pump-01"}' }] },
      { kind: 'completion', text: ['Vibration_de reads ', '6.4 mm/s', ' now; stop and lock out ', 'before you touch it [M1].'] },
    );
    const alert = await fixture.raise({ conditionId: 'pump-01/limit/vibration_de.highHigh', asset: 'pump-01', priority: 'high', message: 'vibration_de 6.4 mm/s above its high-high limit 6 mm/s' });

    const escalation = (await client.next((m) => m.type === 'assistant.escalation', 'the escalation')).escalation;
    expect(escalation).toMatchObject({ alertId: alert.id, conversationId: `alert:${alert.id}`, text: 'The drive-end vibration is high [M1].' });
    expect(escalation.cards.some((card: { kind: string }) => card.kind === 'manual')).toBe(true);

    client.send({ type: 'chat.send', requestId: 'q1', text: 'What does it read now, and what first?', conversationId: `alert:${alert.id}` });
    const done = await client.next((m) => m.type === 'chat.done' && m.requestId === 'q1', 'the answer', { timeoutMs: 20_000 });
    expect(done.status).toBe('complete');

    const answer = client.messages.filter((m) => m.requestId === 'q1');
    const deltas = answer.filter((m) => m.type === 'chat.delta').map((m) => m.text as string);
    expect(deltas.length).toBeGreaterThan(1); // streamed, not one block
    const text = deltas.join('');
    expect(text).toContain('6.4 mm/s');

    // the model's tool call ran, and its result went back to the model as data in the next request
    const requests = fixture.server!.chatRequests();
    expect(requests).toHaveLength(3);
    const toolMessages = (requests[2]!.body!['messages'] as { role: string; content: string }[]).filter((message) => message.role === 'tool');
    expect(toolMessages).toHaveLength(1);
    expect(toolMessages[0]!.content).toContain('"signal":"vibration_de"');
    // the follow-up carries the escalation's thread
    expect(JSON.stringify(requests[1]!.body!['messages'])).toContain('The drive-end vibration is high');
    // every citation in the streamed answer is one retrieved in this turn, or marked unverified
    for (const cited of text.matchAll(/\[([^\]]+)\]/g)) {
      const label = cited[1]!;
      const card = answer.find((m) => m.type === 'chat.card' && m.card.kind === 'manual' && m.card.data.label === label);
      expect(label === 'unverified' || card !== undefined).toBe(true);
    }
  });
});
