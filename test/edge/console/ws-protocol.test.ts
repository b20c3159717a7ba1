import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { waitUntil } from '../../support/wait-until.js';
import { ConsoleHarness } from './fixtures/console-harness.js';
import { RawWsClient } from './fixtures/raw-ws-client.js';
import { ANSWER_TOKENS, ScriptedAssistant } from './fixtures/scripted-assistant.js';
import { UpgradeRefused, WsTestClient, type Message } from './fixtures/ws-test-client.js';

const clients: WsTestClient[] = [];
async function open(harness: ConsoleHarness, options: Parameters<typeof WsTestClient.connect>[1]): Promise<WsTestClient> {
  const client = await WsTestClient.connect(harness.url, options);
  clients.push(client);
  await client.next((message) => message.type === 'welcome', 'welcome');
  return client;
}
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
});

async function metric(harness: ConsoleHarness, line: string): Promise<number> {
  const text = (await harness.request('GET', '/metrics')).text;
  const found = text.split('\n').find((candidate) => candidate.startsWith(`${line} `));
  return found === undefined ? 0 : Number(found.slice(line.length + 1));
}

/** Ids of the alert events a client received, in order. */
const eventIds = (client: WsTestClient, from = 0) => client.messages.slice(from).filter((m) => m.type === 'alert.event').map((m) => m.event.id as number);

describe('console WebSocket', () => {
  let harness: ConsoleHarness;
  let viewer: string;

  beforeAll(async () => {
    harness = await ConsoleHarness.start({ webSocket: { valueIntervalMs: 50, heartbeatMs: 60_000, maxReplayEvents: 40, maxInvalidMessages: 5 } });
    viewer = await harness.login('viewer');
  });
  afterAll(() => harness.stop());

  describe('upgrade', () => {
    it('refuses an upgrade without a session, and from a foreign origin', async () => {
      const anonymous = await WsTestClient.connect(harness.url).catch((error: unknown) => error);
      expect(anonymous).toBeInstanceOf(UpgradeRefused);
      expect((anonymous as UpgradeRefused).status).toBe(401);
      expect(JSON.parse((anonymous as UpgradeRefused).body).code).toBe('unauthenticated');
      const foreign = await WsTestClient.connect(harness.url, { cookie: viewer, origin: 'http://evil.example' }).catch((error: unknown) => error);
      expect((foreign as UpgradeRefused).status).toBe(403);
      expect(JSON.parse((foreign as UpgradeRefused).body).code).toBe('origin-refused');
    });

    it('welcomes an authenticated client with the protocol version, its user and the limits', async () => {
      const client = await open(harness, { cookie: viewer, origin: harness.url, protocols: ['millwright.v1'] });
      expect(client.socket.protocol).toBe('millwright.v1');
      expect(client.messages[0]).toMatchObject({
        type: 'welcome',
        protocol: 1,
        user: { name: 'viewer', role: 'viewer' },
        heartbeatSeconds: 60,
        latestEventId: harness.alerts.latestEventId(),
        limits: { maxMessageBytes: 65536, maxSignals: 1000, valueIntervalMs: 50 },
      });
      const token = (await harness.request('POST', '/api/tokens', { body: { name: 'operator', password: 'operator-test-pw' } })).body.token as string;
      const program = await open(harness, { token });
      expect(program.messages[0]!.user).toEqual({ name: 'operator', role: 'operator' });
    });

    it('closes the sockets of a session that logs out with 4001', async () => {
      const cookie = await harness.login('viewer');
      const client = await open(harness, { cookie });
      await harness.request('DELETE', '/api/session', { cookie });
      expect(await client.closed).toEqual({ code: 4001, reason: 'session ended: log in again' });
    });
  });

  describe('live values', () => {
    it('sends the latest values at once, then batches of what arrives, for the subscribed signals only', async () => {
      harness.publish('pump-01', 'flow', 120);
      const client = await open(harness, { cookie: viewer });
      client.send({ type: 'subscribe.signals', id: 's1', signals: ['pump-01/*', 'meter-01/power'] });
      const subscribed = await client.next((m) => m.type === 'signals.subscribed', 'signals.subscribed');
      expect(subscribed).toEqual({ type: 'signals.subscribed', id: 's1', signals: ['pump-01/state', 'pump-01/flow', 'pump-01/vibration_de', 'meter-01/power'] });
      const initial = await client.next((m) => m.type === 'values', 'the initial values');
      expect(initial.values['pump-01/flow']).toEqual([[expect.any(Number), 120, 'good']]);

      const from = client.messages.length;
      const t0 = Date.now();
      for (let i = 1; i <= 5; i++) harness.publish('pump-01', 'flow', 120 + i, t0 + i);
      harness.publish('pump-01', 'vibration_de', Number.NaN, t0 + 6, 'bad');
      const batch = await client.next((m) => m.type === 'values' && m.values['pump-01/vibration_de'] !== undefined, 'a batch', { from });
      expect(batch.values['pump-01/flow']).toEqual([1, 2, 3, 4, 5].map((i) => [t0 + i, 120 + i, 'good']));
      expect(batch.values['pump-01/vibration_de']).toEqual([[t0 + 6, null, 'bad']]);

      client.send({ type: 'subscribe.signals', signals: ['meter-01/power'] });
      await client.next((m) => m.type === 'signals.subscribed' && m.signals.length === 1, 'the narrowed subscription', { from });
      const afterNarrowing = client.messages.length;
      harness.publish('pump-01', 'flow', 130);
      harness.publish('meter-01', 'power', 55);
      const narrowed = await client.next((m) => m.type === 'values', 'a batch of the narrowed set', { from: afterNarrowing });
      expect(Object.keys(narrowed.values)).toEqual(['meter-01/power']);
    });

    it('refuses unknown signals and changes nothing', async () => {
      const client = await open(harness, { cookie: viewer });
      client.send({ type: 'subscribe.signals', id: 'x', signals: ['pump-01/flow', 'pump-01/flw', 'pump-7/*'] });
      const error = await client.next((m) => m.type === 'error', 'the error');
      expect(error).toMatchObject({ id: 'x', code: 'not-found' });
      expect(error.message).toContain('pump-01/flw, pump-7/*');
      expect(client.ofType('signals.subscribed')).toEqual([]);
    });
  });

  describe('alerts', () => {
    it('sends a snapshot, then every alert event live, to each following client', async () => {
      harness.report('pump-01/limit/flow.low', true, { priority: 'medium' });
      const first = await open(harness, { cookie: viewer });
      const second = await open(harness, { cookie: viewer });
      for (const client of [first, second]) client.send({ type: 'subscribe.alerts' });
      const snapshot = await first.next((m) => m.type === 'alerts.snapshot', 'the snapshot');
      expect(snapshot).toMatchObject({ reason: 'subscribe', latestEventId: harness.alerts.latestEventId(), flood: { active: false } });
      expect(snapshot.alerts.map((alert: { conditionId: string }) => alert.conditionId)).toContain('pump-01/limit/flow.low');
      await first.next((m) => m.type === 'alerts.live', 'alerts.live');
      await second.next((m) => m.type === 'alerts.live', 'alerts.live');

      harness.report('pump-01/limit/vibration_de.high', true);
      const activated = await first.next((m) => m.type === 'alert.event' && m.event.type === 'activated', 'the activation');
      expect(activated.event.alert).toMatchObject({ conditionId: 'pump-01/limit/vibration_de.high', state: 'active-unacked' });
      const operator = await harness.login('operator');
      await harness.request('POST', `/api/alerts/${activated.event.alertId}/acknowledge`, { cookie: operator, body: {} });
      const acknowledged = await second.next((m) => m.type === 'alert.event' && m.event.type === 'acknowledged', 'the acknowledgement on the other client');
      expect(acknowledged.event.alert).toMatchObject({ state: 'active-acked', acknowledged: { by: 'operator' } });
      expect(acknowledged.event.id).toBe(activated.event.id + 1);
    });

    it('resumes after a reconnect with every event missed meanwhile, in order, then live', async () => {
      const client = await open(harness, { cookie: viewer });
      client.send({ type: 'subscribe.alerts' });
      await client.next((m) => m.type === 'alerts.live', 'alerts.live');
      harness.report('pump-01/limit/vibration_de.highHigh', true, { priority: 'urgent' });
      const seen = await client.next((m) => m.type === 'alert.event', 'an event');
      const lastSeen = seen.event.id as number;
      await client.close();

      const alertId = seen.event.alertId as number;
      for (let i = 0; i < 25; i++) harness.alerts.comment(alertId, { user: 'operator', text: `note ${i}` });
      harness.report('pump-01/limit/vibration_de.highHigh', false);
      const missedUpTo = harness.alerts.latestEventId();

      const back = await open(harness, { cookie: viewer });
      back.send({ type: 'subscribe.alerts', afterEventId: lastSeen });
      const live = await back.next((m) => m.type === 'alerts.live', 'the end of the replay');
      expect(live).toEqual({ type: 'alerts.live', latestEventId: missedUpTo, replayed: missedUpTo - lastSeen });
      expect(eventIds(back)).toEqual(Array.from({ length: missedUpTo - lastSeen }, (_, i) => lastSeen + 1 + i));
      expect(back.ofType('alerts.snapshot')).toEqual([]);

      harness.alerts.comment(alertId, { user: 'operator', text: 'after the resume' });
      const next = await back.next((m) => m.type === 'alert.event' && m.event.comment === 'after the resume', 'the next live event');
      expect(next.event.id).toBe(missedUpTo + 1);
    });

    it('misses nothing across repeated reconnects while events keep coming', async () => {
      harness.report('meter-01/limit/power.high', true, { asset: 'meter-01', priority: 'low' });
      const alertId = harness.alerts.list({ assets: ['meter-01'] })[0]!.id;
      const start = harness.alerts.latestEventId();
      const received: number[] = [];
      const writer = setInterval(() => harness.alerts.comment(alertId, { user: 'operator', text: 'tick' }), 2);
      try {
        let last = start;
        for (let round = 0; round < 5; round++) {
          const client = await open(harness, { cookie: viewer });
          client.send({ type: 'subscribe.alerts', afterEventId: last });
          await client.next((m) => m.type === 'alerts.live', 'alerts.live');
          await client.next((m) => m.type === 'alert.event' && m.event.id > last + 5, 'a few more events');
          await client.close();
          const ids = eventIds(client);
          received.push(...ids);
          last = ids.at(-1) ?? last;
        }
      } finally {
        clearInterval(writer);
      }
      expect(received.length).toBeGreaterThan(25);
      expect(received).toEqual(Array.from({ length: received.length }, (_, i) => start + 1 + i));
    });

    it('tells a client to reload the list when its position is unknown or too far behind', async () => {
      const ahead = await open(harness, { cookie: viewer });
      ahead.send({ type: 'subscribe.alerts', afterEventId: harness.alerts.latestEventId() + 100 });
      expect(await ahead.next((m) => m.type === 'alerts.snapshot', 'a snapshot')).toMatchObject({ reason: 'resync', latestEventId: harness.alerts.latestEventId() });

      const behind = await open(harness, { cookie: viewer });
      behind.send({ type: 'subscribe.alerts', afterEventId: Math.max(0, harness.alerts.latestEventId() - 41) });
      const snapshot = await behind.next((m) => m.type === 'alerts.snapshot', 'a snapshot');
      expect(snapshot.reason).toBe('too-far-behind');
      expect(eventIds(behind)).toEqual([]);
      await behind.next((m) => m.type === 'alerts.live' && m.replayed === 0, 'alerts.live');
    });
  });

  describe('bad messages', () => {
    it('answers malformed, unknown and invalid messages with an error naming the problem, and counts them', async () => {
      const before = await metric(harness, 'millwright_ws_invalid_messages_total{reason="invalid"}');
      const client = await open(harness, { cookie: viewer });
      client.send('not json');
      client.send('[1, 2]');
      client.send({ type: 'launch.missiles', id: 'm1' });
      client.send({ type: 'subscribe.signals', id: 'm2', signals: ['pump-01/flow', 42] });
      client.send({ type: 'subscribe.alerts', afterEventId: -1 });
      await waitUntil(() => client.ofType('error').length === 5, 'five errors');
      const errors = client.ofType('error');
      expect(errors.map((error: Message) => error.code)).toEqual(['malformed', 'malformed', 'unknown-type', 'invalid', 'invalid']);
      expect(errors[2]).toMatchObject({ id: 'm1', message: expect.stringContaining('known types are ping, subscribe.alerts') });
      expect(errors[3]).toMatchObject({ id: 'm2', path: 'signals[1]', message: 'subscribe.signals: signals[1]: must be text (got 42)' });
      expect(errors[4]).toMatchObject({ path: 'afterEventId' });
      expect(await metric(harness, 'millwright_ws_invalid_messages_total{reason="invalid"}')).toBe(before + 2);

      client.send({ type: 'ping', id: 'still-there' });
      expect(await client.next((m) => m.type === 'pong', 'pong')).toMatchObject({ id: 'still-there' });
    });

    it('closes a connection that keeps sending invalid messages, or too many, or too large ones', async () => {
      const invalid = await open(harness, { cookie: viewer });
      for (let i = 0; i < 6; i++) invalid.send({ type: 'nope' });
      expect(await invalid.closed).toEqual({ code: 4000, reason: 'protocol abuse: more than 5 invalid messages' });

      const chatty = await open(harness, { cookie: viewer });
      for (let i = 0; i < 150; i++) chatty.send({ type: 'ping' });
      expect((await chatty.closed).code).toBe(4000);

      const huge = await open(harness, { cookie: viewer });
      huge.send({ type: 'ping', id: 'x'.repeat(70_000) });
      expect((await huge.closed).code).toBe(1009);
      expect(await metric(harness, 'millwright_ws_closed_total{reason="abuse"}')).toBeGreaterThanOrEqual(2);
    });
  });

  describe('chat', () => {
    it('answers "no assistant attached yet" until an assistant is attached, then streams its answer', async () => {
      const client = await open(harness, { cookie: viewer });
      client.send({ type: 'chat.send', requestId: 'q1', text: 'why is pump-01 vibrating?' });
      expect(await client.next((m) => m.type === 'chat.done', 'chat.done')).toEqual({ type: 'chat.done', requestId: 'q1', status: 'unavailable', message: 'no assistant attached yet' });

      const assistant = new ScriptedAssistant();
      harness.server.attachAssistant(assistant);
      try {
        client.send({ type: 'chat.send', requestId: 'q2', text: 'why?' });
        await client.next((m) => m.type === 'chat.done' && m.requestId === 'q2', 'the answer');
        const answer = client.messages.filter((m) => m.requestId === 'q2');
        expect(answer.map((m) => m.type)).toEqual(['chat.conversation', ...ANSWER_TOKENS.map(() => 'chat.delta'), 'chat.card', 'chat.done']);
        expect(answer.filter((m) => m.type === 'chat.delta').map((m) => m.text).join('')).toBe(ANSWER_TOKENS.join(''));
        expect(answer.at(-1)!.status).toBe('complete');
        expect(assistant.asked[0]).toMatchObject({ user: 'viewer', role: 'viewer', conversationId: null, text: 'why?' });

        client.send({ type: 'chat.send', requestId: 'q3', text: 'wait' });
        await waitUntil(() => assistant.asked.length === 2, 'the assistant to be asked');
        client.send({ type: 'chat.send', id: 'again', requestId: 'q4', text: 'hello?' });
        expect(await client.next((m) => m.type === 'error' && m.id === 'again', 'busy')).toMatchObject({ code: 'busy' });
        client.send({ type: 'chat.cancel', requestId: 'q3' });
        await waitUntil(() => assistant.asked[1]!.signal.aborted, 'the abort to reach the assistant');
        expect(await client.next((m) => m.type === 'chat.done' && m.requestId === 'q3', 'q3 done')).toMatchObject({ status: 'cancelled' });
      } finally {
        harness.server.attachAssistant(null);
      }
    });
  });
});

describe('console WebSocket heartbeats', () => {
  let harness: ConsoleHarness;
  beforeAll(async () => {
    harness = await ConsoleHarness.start({ webSocket: { heartbeatMs: 100 } });
  });
  afterAll(() => harness.stop());

  it('sends heartbeats, keeps clients that answer pings, and drops one that does not', async () => {
    const cookie = await harness.login('viewer');
    const alive = await open(harness, { cookie });
    const dead = await open(harness, { cookie, autoPong: false });
    await alive.next((m) => m.type === 'heartbeat', 'a heartbeat');
    expect((await dead.closed).code).toBe(1006);
    await alive.next((m) => m.type === 'heartbeat', 'a heartbeat after the drop', { from: alive.messages.length });
    expect(alive.socket.readyState).toBe(alive.socket.OPEN);
    expect(await metric(harness, 'millwright_ws_closed_total{reason="heartbeat"}')).toBe(1);
  });
});

describe('console WebSocket with a client that stops reading', () => {
  let harness: ConsoleHarness;
  beforeAll(async () => {
    harness = await ConsoleHarness.start({
      webSocket: { valueIntervalMs: 20, slowClientBytes: 16 * 1024, maxBufferedBytes: 512 * 1024, closeGraceMs: 200 },
    });
  });
  afterAll(() => harness.stop());

  it('holds only the newest value per signal for it, keeps its alert events, and closes it past the bound', async () => {
    const cookie = await harness.login('viewer');
    const raw = await RawWsClient.connect(harness.url, cookie);
    raw.send({ type: 'subscribe.signals', signals: ['pump-01/*'] });
    raw.send({ type: 'subscribe.alerts' });
    const healthy = await open(harness, { cookie });
    healthy.send({ type: 'subscribe.alerts' });
    await healthy.next((m) => m.type === 'alerts.live', 'alerts.live');
    await waitUntil(() => harness.server.webSocketBacklogs().length === 2, 'both clients connected');
    raw.stopReading();

    harness.report('pump-01/limit/flow.low', true);
    const alertId = harness.alerts.list()[0]!.id;
    const long = 'x'.repeat(1900);
    const comments = (count: number) => {
      for (let i = 0; i < count; i++) harness.alerts.comment(alertId, { user: 'operator', text: long });
    };
    const mostUnsent = () => Math.max(...harness.server.webSocketBacklogs().map((backlog) => backlog.bufferedBytes));
    // Alert events go out whatever the backlog; they fill the socket until the server sees the client as slow.
    await waitUntil(() => {
      comments(40);
      return mostUnsent() > 16 * 1024;
    }, 'the slow client to back up', 20_000);

    // Live values keep coming: for the slow client only the newest per signal is held.
    let value = 0;
    const skippedBefore = await metric(harness, 'millwright_ws_values_frames_skipped_total');
    const maxHeld: number[] = [];
    await waitUntil(() => {
      for (const signal of ['state', 'flow', 'vibration_de']) harness.publish('pump-01', signal, value++);
      maxHeld.push(...harness.server.webSocketBacklogs().map((backlog) => backlog.heldValues));
      return value > 300;
    }, 'values published over several ticks');
    await waitUntil(() => harness.server.webSocketBacklogs().some((backlog) => backlog.heldValues === 3), 'the newest of each signal held');
    expect(Math.max(...maxHeld)).toBeLessThanOrEqual(3);
    expect(await metric(harness, 'millwright_ws_values_frames_skipped_total')).toBeGreaterThan(skippedBefore);
    expect(await metric(harness, 'millwright_ws_values_coalesced_total')).toBeGreaterThan(0);

    // More alert events: never dropped, so the unsent bytes grow until the bound closes the client.
    await waitUntil(() => {
      comments(40);
      return harness.server.webSocketBacklogs().length === 1;
    }, 'the slow client to be closed', 20_000);
    expect(await metric(harness, 'millwright_ws_closed_total{reason="slow"}')).toBe(1);
    const backlogs = harness.server.webSocketBacklogs();
    expect(backlogs[0]!.bufferedBytes).toBeLessThan(64 * 1024);
    // The healthy client got every event, in order.
    const ids = eventIds(healthy);
    expect(ids.at(-1)).toBe(harness.alerts.latestEventId());
    expect(ids).toEqual(Array.from({ length: ids.length }, (_, i) => ids[0]! + i));
    raw.destroy();
  });
});
