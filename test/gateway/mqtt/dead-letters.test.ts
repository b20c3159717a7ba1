import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DeadLetters } from '../../../gateway/mqtt/dead-letters.js';
import { RejectLog } from '../../../gateway/mqtt/reject-log.js';
import type { Reject } from '../../../gateway/mqtt/reject.js';

const notANumber: Reject = { reason: 'not_a_number', detail: 'topic "t": x is null' };

describe('DeadLetters', () => {
  it('keeps the newest messages up to its capacity, newest first, and counts every reject by reason', () => {
    const letters = new DeadLetters(3);
    for (let i = 1; i <= 5; i++) letters.record(i, `t/${i}`, Buffer.from(`{"n":${i}}`), [notANumber]);
    letters.record(6, 't/6', Buffer.from('oops'), [{ reason: 'malformed_json', detail: 'not JSON' }]);
    expect(letters.list().map((letter) => letter.topic)).toEqual(['t/6', 't/5', 't/4']);
    expect(letters.list()[0]).toEqual({ at: 6, topic: 't/6', reason: 'malformed_json', detail: 'malformed_json: not JSON', payloadBytes: 4, payloadExcerpt: 'oops' });
    expect(letters.countsByReason()).toEqual({ not_a_number: 5, malformed_json: 1 });
  });

  it('lists every problem of a message in its detail, the first few when there are many', () => {
    const letters = new DeadLetters();
    const rejects: Reject[] = Array.from({ length: 7 }, (_, i) => ({ reason: 'missing_field', detail: `f${i} is missing` }));
    letters.record(1, 't', Buffer.from('{}'), rejects);
    expect(letters.list()[0]?.detail).toBe(
      'missing_field: f0 is missing; missing_field: f1 is missing; missing_field: f2 is missing; missing_field: f3 is missing; missing_field: f4 is missing; and 2 more',
    );
    expect(letters.countsByReason()).toEqual({ missing_field: 7 });
  });

  it('keeps a short excerpt of a huge or binary payload, control characters escaped', () => {
    const letters = new DeadLetters();
    letters.record(1, 't', Buffer.alloc(1_000_000, 'a'), [{ reason: 'payload_too_large', detail: 'big' }]);
    letters.record(2, 't', Buffer.from([0x7b, 0x00, 0x0a, 0x1b, 0xff, 0x7d]), [{ reason: 'malformed_json', detail: 'binary' }]);
    const [binary, huge] = letters.list();
    expect(huge?.payloadExcerpt).toBe(`${'a'.repeat(200)}…`);
    expect(huge?.payloadBytes).toBe(1_000_000);
    expect(binary?.payloadExcerpt).toBe('{\\u0000\\u000a\\u001b\ufffd}');
  });

  it('counts but keeps nothing with capacity 0', () => {
    const letters = new DeadLetters(0);
    letters.record(1, 't', Buffer.from('x'), [notANumber]);
    expect(letters.list()).toEqual([]);
    expect(letters.countsByReason()).toEqual({ not_a_number: 1 });
  });
});

describe('RejectLog', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  function capturingLogger() {
    const lines: { msg: string; rejected?: Record<string, number> }[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()));
        done();
      },
    });
    return { logger: pino({ level: 'info' }, stream), lines };
  }
  const flushed = () => new Promise((resolve) => setImmediate(resolve));

  it('logs the first reject of an interval in full and sums up the rest in one line', async () => {
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'] });
    const { logger, lines } = capturingLogger();
    const log = new RejectLog(logger, 10_000);
    for (let i = 0; i < 1000; i++) log.note('t', [notANumber, { reason: 'missing_field', detail: 'y is missing' }]);
    await flushed();
    expect(lines).toHaveLength(1);
    expect(lines[0]?.msg).toContain('topic "t": x is null (and 1 more problem(s) in this message)');

    vi.advanceTimersByTime(10_000);
    await flushed();
    expect(lines).toHaveLength(2);
    expect(lines[1]?.msg).toContain('rejected 999 more MQTT message(s) in the last 10 s');
    expect(lines[1]?.rejected).toEqual({ not_a_number: 999, missing_field: 999 });

    log.note('t', [notANumber]);
    log.note('t', [notANumber]);
    log.close();
    await flushed();
    expect(lines.map((line) => line.msg.slice(0, 30))).toEqual([
      'rejected MQTT message: topic "',
      'rejected 999 more MQTT message',
      'rejected MQTT message: topic "',
      'rejected 1 more MQTT message(s',
    ]);
  });
});
