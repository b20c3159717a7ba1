import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { waitUntil } from '../../support/wait-until.js';
import { ConsoleHarness } from './fixtures/console-harness.js';
import { ANSWER_TOKENS, CITATION_CARD, ScriptedAssistant } from './fixtures/scripted-assistant.js';
import { WsTestClient, type Message } from './fixtures/ws-test-client.js';

const clients: WsTestClient[] = [];
async function open(harness: ConsoleHarness, cookie: string): Promise<WsTestClient> {
  const client = await WsTestClient.connect(harness.url, { cookie });
  clients.push(client);
  await client.next((message) => message.type === 'welcome', 'welcome');
  return client;
}
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
});

/** Sends chat.send and waits for its chat.done; answers every message of that request, in order. */
async function ask(client: WsTestClient, requestId: string, text: string, conversationId?: string): Promise<Message[]> {
  client.send({ type: 'chat.send', requestId, text, ...(conversationId === undefined ? {} : { conversationId }) });
  await client.next((m) => m.type === 'chat.done' && m.requestId === requestId, `the answer to ${requestId}`);
  return client.messages.filter((m) => m.requestId === requestId);
}

describe('the assistant over the console WebSocket', () => {
  let harness: ConsoleHarness;
  let assistant: ScriptedAssistant;
  let viewer: string;
  let operator: string;
  let maintenance: string;

  beforeAll(async () => {
    harness = await ConsoleHarness.start({ webSocket: { heartbeatMs: 60_000, maxInvalidMessages: 50 } });
    [viewer, operator, maintenance] = await Promise.all([harness.login('viewer'), harness.login('operator'), harness.login('maintenance')]);
  });
  afterAll(() => harness.stop());

  it('streams an answer: its conversation first, then text and cards, then done; the conversation continues with its id', async () => {
    assistant = new ScriptedAssistant();
    harness.server.attachAssistant(assistant);
    const client = await open(harness, operator);
    const first = await ask(client, 'q1', 'why does pump-01 vibrate?');
    expect(first.map((m) => m.type)).toEqual(['chat.conversation', ...ANSWER_TOKENS.map(() => 'chat.delta'), 'chat.card', 'chat.done']);
    const conversationId = first[0]!.conversationId as string;
    expect(first.find((m) => m.type === 'chat.card')!.card).toEqual(CITATION_CARD);

    const second = await ask(client, 'q2', 'and what do I check first?', conversationId);
    expect(second[0]).toEqual({ type: 'chat.conversation', requestId: 'q2', conversationId });
    expect(second.at(-1)).toEqual({ type: 'chat.done', requestId: 'q2', status: 'complete' });
    expect(assistant.asked.map((request) => request.conversationId)).toEqual([null, conversationId]);
  });

  it("keeps conversations apart: another user cannot continue one by its id, but anyone may follow up an alert's thread", async () => {
    assistant = new ScriptedAssistant();
    harness.server.attachAssistant(assistant);
    const mine = await open(harness, operator);
    const conversationId = (await ask(mine, 'q1', 'hello'))[0]!.conversationId as string;
    const other = await open(harness, maintenance);
    const refused = await ask(other, 'q2', 'show me', conversationId);
    expect(refused.map((m) => m.type)).toEqual(['chat.done']);
    expect(refused[0]).toMatchObject({ status: 'failed' });
    expect(refused[0]!.message).toContain(`maintenance has no conversation "${conversationId}"`);
    expect(assistant.asked).toHaveLength(1);

    const followUp = await ask(other, 'q3', 'what now?', 'alert:7');
    expect(followUp[0]).toMatchObject({ type: 'chat.conversation', conversationId: 'alert:7' });
    expect(assistant.asked[1]).toMatchObject({ user: 'maintenance', conversationId: 'alert:7' });
  });

  it('stops an answer cancelled mid-stream: no more text after the cancel, and done says cancelled', async () => {
    assistant = new ScriptedAssistant();
    harness.server.attachAssistant(assistant);
    const client = await open(harness, viewer);
    client.send({ type: 'chat.send', requestId: 'slow', text: 'tell me everything' });
    await client.next((m) => m.type === 'chat.delta' && m.requestId === 'slow', 'the first piece');
    client.send({ type: 'chat.cancel', requestId: 'slow' });
    const done = await client.next((m) => m.type === 'chat.done' && m.requestId === 'slow', 'done');
    expect(done.status).toBe('cancelled');
    expect(assistant.asked[0]!.signal.aborted).toBe(true);
    const deltas = client.messages.filter((m) => m.type === 'chat.delta').length;
    expect(deltas).toBeLessThan(ANSWER_TOKENS.length);
    expect(client.messages.filter((m) => m.type === 'chat.card')).toEqual([]);
    // the connection takes the next question
    expect((await ask(client, 'next', 'again')).at(-1)).toMatchObject({ status: 'complete' });
  });

  it('reports a failing assistant as failed, with its reason', async () => {
    assistant = new ScriptedAssistant();
    harness.server.attachAssistant(assistant);
    const client = await open(harness, viewer);
    const answer = await ask(client, 'f', 'please fail');
    expect(answer.at(-1)).toMatchObject({ type: 'chat.done', status: 'failed', message: 'the assistant failed: the language model did not answer (scripted failure)' });
  });

  describe('actions it proposes', () => {
    it('runs an action the asker confirms, and records the decision in the audit log', async () => {
      assistant = new ScriptedAssistant({ alerts: harness.alerts });
      harness.server.attachAssistant(assistant);
      harness.report('pump-01/limit/vibration_de.high', true);
      const alertId = harness.alerts.list().find((alert) => alert.conditionId === 'pump-01/limit/vibration_de.high')!.id;
      const client = await open(harness, operator);
      const answer = await ask(client, 'a1', `please acknowledge alert ${alertId}`);
      const card = answer.find((m) => m.type === 'chat.card' && m.card.kind === 'action')!.card;
      expect(card.data).toMatchObject({ kind: 'acknowledge-alert', arguments: { alertId }, summary: expect.stringContaining(`Acknowledge alert ${alertId}`) });
      expect(harness.alerts.get(alertId)!.alert.state).toBe('active-unacked');

      client.send({ type: 'chat.decide', id: 'd1', actionId: card.data.actionId, approve: true });
      const outcome = await client.next((m) => m.type === 'chat.action', 'the outcome');
      expect(outcome).toEqual({ type: 'chat.action', id: 'd1', actionId: card.data.actionId, status: 'done', message: `alert ${alertId} acknowledged`, result: { alertId, state: 'active-acked' } });
      expect(harness.alerts.get(alertId)!.alert.acknowledged).toMatchObject({ by: 'operator' });
      await waitUntil(() => harness.audit.list({ action: 'assistant.action.approve' }).length === 1, 'the audit entry');
      expect(harness.audit.list({ action: 'assistant.action.approve' })[0]).toMatchObject({ user: 'operator', target: `action/${card.data.actionId}`, outcome: 'ok' });
    });

    it('refuses a decision by another user than the asker, and by a viewer, without asking the assistant', async () => {
      assistant = new ScriptedAssistant();
      harness.server.attachAssistant(assistant);
      const asker = await open(harness, operator);
      const answer = await ask(asker, 'w1', 'draft a work order for the bearing');
      const actionId = answer.find((m) => m.type === 'chat.card' && m.card.kind === 'action')!.card.data.actionId as string;

      const intruder = await open(harness, maintenance);
      intruder.send({ type: 'chat.decide', actionId, approve: true });
      const refused = await intruder.next((m) => m.type === 'chat.action', 'the refusal');
      expect(refused).toMatchObject({ actionId, status: 'refused', message: `action ${actionId} was proposed to operator; only they can decide it` });

      const onlooker = await open(harness, viewer);
      onlooker.send({ type: 'chat.decide', actionId: 'act-anything', approve: false });
      const denied = await onlooker.next((m) => m.type === 'chat.action', 'the refusal');
      expect(denied).toMatchObject({ status: 'refused', message: "deciding on the assistant's actions needs the role operator or above; viewer is viewer" });

      expect(assistant.decisions).toEqual([]);
      expect(assistant.orders).toEqual([]);
      await waitUntil(() => harness.audit.list({ outcome: 'denied', target: `action/${actionId}` }).length === 1, 'the audit entry');
      expect(harness.audit.list({ user: 'viewer', action: 'assistant.action.decline' })[0]).toMatchObject({ outcome: 'denied', target: 'action/act-anything' });

      // the asker still can
      asker.send({ type: 'chat.decide', actionId, approve: false });
      expect(await asker.next((m) => m.type === 'chat.action', 'the outcome')).toMatchObject({ status: 'declined' });
    });

    it('refuses malformed decisions, naming the field that is wrong', async () => {
      harness.server.attachAssistant(new ScriptedAssistant());
      const client = await open(harness, operator);
      const cases: [unknown, string][] = [
        [{ type: 'chat.decide', id: 'm1', actionId: 'a' }, 'approve'],
        [{ type: 'chat.decide', id: 'm2', actionId: 'a', approve: 'yes' }, 'approve'],
        [{ type: 'chat.decide', id: 'm3', actionId: '', approve: true }, 'actionId'],
        [{ type: 'chat.decide', id: 'm4', actionId: 'a'.repeat(129), approve: true }, 'actionId'],
        [{ type: 'chat.decide', id: 'm5', actionId: 'a', approve: true, force: true }, 'force'],
      ];
      for (const [message, field] of cases) {
        client.send(message);
        const id = (message as { id: string }).id;
        const error = await client.next((m) => m.type === 'error' && m.id === id, `the error for ${id}`);
        expect(error.code).toBe('invalid');
        expect(error.message).toMatch(/^chat\.decide: /);
        expect(error.message).toContain(field);
      }
      expect(client.ofType('chat.action')).toEqual([]);
    });

    it('answers a decision "no assistant attached yet" while there is none', async () => {
      harness.server.attachAssistant(null);
      const client = await open(harness, operator);
      client.send({ type: 'chat.decide', actionId: 'act-1', approve: true });
      expect(await client.next((m) => m.type === 'chat.action', 'the refusal')).toMatchObject({ status: 'refused', message: 'no assistant attached yet' });
    });
  });

  describe('escalations', () => {
    it('pushes escalations to the clients that follow the alerts, and sends the recent ones again after a reconnect', async () => {
      assistant = new ScriptedAssistant();
      harness.server.attachAssistant(assistant);
      const following = await open(harness, viewer);
      following.send({ type: 'subscribe.alerts' });
      await following.next((m) => m.type === 'alerts.live', 'alerts.live');
      const notFollowing = await open(harness, viewer);

      const first = assistant.escalate(41);
      const pushed = await following.next((m) => m.type === 'assistant.escalation', 'the escalation');
      expect(pushed).toEqual({ type: 'assistant.escalation', escalation: first });
      await following.close();

      const second = assistant.escalate(42);
      const back = await open(harness, viewer);
      back.send({ type: 'subscribe.alerts', afterEventId: harness.alerts.latestEventId() });
      await waitUntil(() => back.ofType('assistant.escalation').length === 2, 'the recent escalations');
      expect(back.ofType('assistant.escalation')).toEqual([
        { type: 'assistant.escalation', escalation: first, replayed: true },
        { type: 'assistant.escalation', escalation: second, replayed: true },
      ]);
      // a ping round trip: anything pushed to the other client would have arrived before the pong
      notFollowing.send({ type: 'ping', id: 'p' });
      await notFollowing.next((m) => m.type === 'pong', 'pong');
      expect(notFollowing.ofType('assistant.escalation')).toEqual([]);
    });

    it('stops pushing the escalations of an assistant that was detached', async () => {
      const detached = new ScriptedAssistant();
      harness.server.attachAssistant(detached);
      harness.server.attachAssistant(null);
      const client = await open(harness, viewer);
      client.send({ type: 'subscribe.alerts' });
      await client.next((m) => m.type === 'alerts.live', 'alerts.live');
      detached.escalate(5);
      client.send({ type: 'ping', id: 'p' });
      await client.next((m) => m.type === 'pong', 'pong');
      expect(client.ofType('assistant.escalation')).toEqual([]);
    });
  });
});
