import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createAssistantFixture, type AssistantFixture } from '../assistant/assistant-fixture.js';
import { startAssistantConsole, type AssistantConsole } from './fixtures/assistant-console.js';
import { PASSWORD } from './fixtures/console-harness.js';
import { WsTestClient, type Message } from './fixtures/ws-test-client.js';

/**
 * The console in front of the real assistant, offline (no language model), over the demo plant's
 * assets and the simulated machines' manuals: an escalation reaches a WebSocket client unasked and again
 * after a reconnect, a follow-up in the alert's thread streams an answer citing the manual, and the
 * conversation is the user's own over HTTP.
 */
describe('the console with the real assistant, offline', () => {
  let fixture: AssistantFixture;
  let consoleServer: AssistantConsole;
  let url: string;
  const clients: WsTestClient[] = [];

  const login = async (name: string) => {
    const response = await fetch(`${url}/api/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, password: PASSWORD(name) }) });
    return ((await response.json()) as { token: string }).token;
  };
  const open = async (token: string) => {
    const client = await WsTestClient.connect(url, { token });
    clients.push(client);
    await client.next((m) => m.type === 'welcome', 'welcome');
    client.send({ type: 'subscribe.alerts' });
    await client.next((m) => m.type === 'alerts.live', 'alerts.live');
    return client;
  };

  beforeAll(async () => {
    fixture = await createAssistantFixture({ config: { escalation: { priority: 'high' } } });
    consoleServer = await startAssistantConsole(fixture);
    url = consoleServer.url;
  }, 60_000);

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
  });

  afterAll(async () => {
    await consoleServer?.stop();
    await fixture?.close();
  });

  it('delivers the escalation, and a follow-up in its thread streams an answer grounded in the manual', async () => {
    const token = await login('operator');
    const client = await open(token);
    const alert = await fixture.raise({ conditionId: 'pump-01/trip', asset: 'pump-01', kind: 'trip', priority: 'urgent', message: 'pump-01 tripped: code 103 high vibration', details: { code: 103, meaning: 'high vibration' } });

    const pushed = await client.next((m) => m.type === 'assistant.escalation', 'the escalation');
    expect(pushed.escalation).toMatchObject({ alertId: alert.id, conversationId: `alert:${alert.id}` });
    expect(pushed.escalation.text).toContain('**PLC trip code 103**');
    const sections = (pushed.escalation.cards as Message[]).filter((card) => card.kind === 'manual').map((card) => card.data.sectionId as string);
    expect(sections[0]).toBe('F-PUMP-103');

    client.send({ type: 'chat.send', requestId: 'f1', text: 'What do I check before restarting it?', conversationId: `alert:${alert.id}` });
    const done = await client.next((m) => m.type === 'chat.done' && m.requestId === 'f1', 'the answer', { timeoutMs: 20_000 });
    expect(done.status).toBe('complete');
    const answer = client.messages.filter((m) => m.requestId === 'f1');
    expect(answer[0]).toEqual({ type: 'chat.conversation', requestId: 'f1', conversationId: `alert:${alert.id}` });
    const text = answer.filter((m) => m.type === 'chat.delta').map((m) => m.text).join('');
    expect(text).toContain('No language model is attached');
    const cited = answer.filter((m) => m.type === 'chat.card' && m.card.kind === 'manual').map((m) => m.card.data as { label: string; sectionId: string });
    expect(cited.length).toBeGreaterThan(0);
    for (const { label } of cited) expect(text).toContain(`[${label}]`);

    const mine = await fetch(`${url}/api/conversations/alert:${alert.id}`, { headers: { authorization: `Bearer ${token}` } });
    expect(((await mine.json()) as { turns: { role: string }[] }).turns.map((turn) => turn.role)).toEqual(['assistant', 'user', 'assistant']);
    const theirs = await fetch(`${url}/api/conversations/alert:${alert.id}`, { headers: { authorization: `Bearer ${await login('maintenance')}` } });
    expect(theirs.status).toBe(404);

    // a client that connects later gets the escalation on subscribing
    const later = await open(await login('viewer'));
    const replayed = await later.next((m) => m.type === 'assistant.escalation', 'the recent escalation');
    expect(replayed).toMatchObject({ escalation: { alertId: alert.id }, replayed: true });
  });
});
