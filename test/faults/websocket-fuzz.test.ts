import fc from 'fast-check';
import { Value } from 'typebox/value';
import { afterEach, describe, expect, it } from 'vitest';
import { parseClientMessage } from '../../edge/console/ws/client-message-parser.js';
import { CLIENT_MESSAGES } from '../../edge/console/ws-messages.js';
import { ConsoleHarness, PASSWORD } from '../edge/console/fixtures/console-harness.js';
import { WsTestClient } from '../edge/console/fixtures/ws-test-client.js';

const TYPES = Object.keys(CLIENT_MESSAGES);
/** chat.* is the assistant's, being changed by others: only frames the schema refuses go there. */
const isChat = (frame: unknown) => typeof frame === 'object' && frame !== null && String((frame as { type?: unknown }).type).startsWith('chat.');

const fieldValue = fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.jsonValue({ maxDepth: 2 }));
const signalKey = fc.oneof(fc.constantFrom('pump-01/flow', 'pump-01/*', 'meter-01/power', 'nope/flow', 'pump-01/nope', '/', '*/*'), fc.string({ maxLength: 30 }));

/** Frames the schema takes, with values at its edges, for what the handlers do with them. */
const fittingFrame = fc.oneof(
  fc.record({ type: fc.constant('subscribe.signals'), signals: fc.array(fc.constantFrom('pump-01/flow', 'pump-01/*', 'meter-01/power', 'nope/flow', 'pump-01/nope'), { maxLength: 5 }) }),
  fc.record({ type: fc.constant('subscribe.alerts'), afterEventId: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 2 ** 31 }), fc.constant(Number.MAX_SAFE_INTEGER)) }, { requiredKeys: ['type'] }),
  fc.record({ type: fc.constantFrom('unsubscribe.alerts', 'ping'), id: fc.string({ maxLength: 64 }) }, { requiredKeys: ['type'] }),
);

/** Frames near the protocol (a known type with fields of any kind) and far from it. */
const frameValue = fc.oneof(
  fittingFrame,
  fc.record(
    {
      type: fc.constantFrom(...TYPES),
      id: fc.oneof(fc.string({ maxLength: 70 }), fieldValue),
      afterEventId: fc.oneof(fc.integer({ min: -5, max: 1_000_000 }), fieldValue),
      signals: fc.oneof(fc.array(signalKey, { maxLength: 20 }), fieldValue),
      requestId: fieldValue,
      text: fieldValue,
      extra: fieldValue,
    },
    { requiredKeys: ['type'] },
  ),
  fc.record({ type: fc.oneof(fc.string({ maxLength: 20 }), fieldValue) }, { requiredKeys: [] }),
  fc.jsonValue({ maxDepth: 3 }),
);

type Frame = { readonly text: string } | { readonly binary: Buffer };
const frame: fc.Arbitrary<Frame> = fc.oneof(
  { weight: 6, arbitrary: frameValue.filter((value) => !isChat(value) || !Value.Check(CLIENT_MESSAGES[(value as { type: keyof typeof CLIENT_MESSAGES }).type], value)).map((value) => ({ text: JSON.stringify(value) ?? 'null' })) },
  { weight: 2, arbitrary: fc.string({ maxLength: 300, unit: 'grapheme' }).map((text) => ({ text })) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((bytes) => ({ binary: Buffer.from(bytes) })) },
);

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function invalidCounted(harness: ConsoleHarness): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const line of (await harness.request('GET', '/metrics')).text.split('\n')) {
    const match = /^millwright_ws_invalid_messages_total\{reason="([^"]+)"\} (\d+)$/.exec(line);
    if (match) counts[match[1]!] = Number(match[2]);
  }
  return counts;
}

async function start(maxInvalidMessages?: number): Promise<{ harness: ConsoleHarness; token: string }> {
  const harness = await ConsoleHarness.start(maxInvalidMessages === undefined ? {} : { webSocket: { maxInvalidMessages, maxMessagesPerSecond: 100_000 } });
  cleanups.push(() => harness.stop());
  const token = (await harness.request('POST', '/api/tokens', { body: { name: 'operator', password: PASSWORD('operator') } })).body.token as string;
  return { harness, token };
}

describe('WebSocket messages, fuzzed over a real socket', () => {
  it('answers every frame it cannot take with an error saying why, counts each one, and keeps the connection serving', async () => {
    const { harness, token } = await start(1_000_000);
    const client = await WsTestClient.connect(harness.url, { token });
    cleanups.push(() => client.close());
    const sent: string[] = [];
    let serial = 0;

    await fc.assert(
      fc.asyncProperty(frame, async (sending) => {
        const from = client.messages.length;
        if ('binary' in sending) client.socket.send(sending.binary, { binary: true });
        else client.send(sending.text);
        sent.push('binary' in sending ? `<${sending.binary.length} binary bytes>` : sending.text);
        // Frames are handled in order: once the ping after it is answered, the frame was.
        const probe = `probe-${++serial}`;
        client.send({ type: 'ping', id: probe });
        await client.next((message) => message.type === 'pong' && message.id === probe, `the pong after ${sent.at(-1)?.slice(0, 100)}`, { from });
        const errors = client.messages.slice(from).filter((message) => message.type === 'error');
        for (const error of errors) expect(error).toMatchObject({ code: expect.any(String), message: expect.any(String) });
        // What the parser refuses gets exactly that refusal.
        const expected = 'binary' in sending ? { ok: false as const, code: 'malformed' } : parseClientMessage(sending.text);
        if (!expected.ok) expect(errors.map((error) => error.code)).toEqual([expected.code]);
      }),
      { numRuns: 300 },
    );

    expect(client.socket.readyState).toBe(client.socket.OPEN);
    const errorFrames = client.ofType('error');
    const counted = await invalidCounted(harness);
    expect(Object.values(counted).reduce((sum, count) => sum + count, 0)).toBe(errorFrames.length);
    console.info(`[fuzz websocket] 300 frames over one connection: ${errorFrames.length} refused with an error frame, counted by reason ${JSON.stringify(counted)}`);
  }, 90_000);

  it('closes a client past the invalid-message limit as abuse, counted, and serves the next one', async () => {
    const { harness, token } = await start();
    const abuser = await WsTestClient.connect(harness.url, { token });
    cleanups.push(() => abuser.close());
    for (const text of fc.sample(fc.string({ maxLength: 50 }), { numRuns: 30, seed: 7 })) abuser.send(`{${text}`);
    expect(await abuser.closed).toMatchObject({ code: 4000, reason: expect.stringMatching(/protocol abuse: more than 20 invalid messages/) });
    expect((await invalidCounted(harness))['malformed']).toBeGreaterThan(20);

    const next = await WsTestClient.connect(harness.url, { token });
    cleanups.push(() => next.close());
    next.send({ type: 'ping', id: 'after' });
    await next.next((message) => message.type === 'pong' && message.id === 'after', 'a pong on a new connection');
  });

  it('ends a connection whose frame breaks the protocol (not UTF-8, too big) with the standard code, counted, and serves the next', async () => {
    const { harness, token } = await start();
    const notUtf8 = await WsTestClient.connect(harness.url, { token });
    notUtf8.socket.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false });
    expect((await notUtf8.closed).code).toBe(1007);
    const tooBig = await WsTestClient.connect(harness.url, { token });
    tooBig.send('x'.repeat(65 * 1024));
    expect((await tooBig.closed).code).toBe(1009);
    expect(await invalidCounted(harness)).toMatchObject({ protocol: 1, 'too-big': 1 });

    const next = await WsTestClient.connect(harness.url, { token });
    cleanups.push(() => next.close());
    next.send({ type: 'ping', id: 'after' });
    await next.next((message) => message.type === 'pong' && message.id === 'after', 'a pong on a new connection');
  });
});
