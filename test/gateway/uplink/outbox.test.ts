import { writeFileSync } from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { ChannelName, MessageClass, OutboxMessage } from '../../../gateway/uplink/message-class.js';
import { Outbox, type OutboxOptions } from '../../../gateway/uplink/outbox.js';
import { tempFolder } from '../../support/temp-folder.js';
import { waitUntil } from '../../support/wait-until.js';

const HOUR = 3_600_000;

describe('Outbox (the store-and-forward buffer)', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const cleanup of cleanups.splice(0).reverse()) cleanup();
  });

  function folder(): string {
    const made = tempFolder('outbox');
    cleanups.push(() => made.remove());
    return made.path;
  }

  function open(file: string, overrides: Partial<OutboxOptions> = {}): Outbox {
    const outbox = new Outbox({
      file,
      synchronous: 'normal',
      maxBytes: 10_000_000,
      maxMessages: 1000,
      maxAgeMs: { alert: 720 * HOUR, finding: 72 * HOUR, telemetry: 24 * HOUR },
      memoryMaxBytes: 1_000_000,
      memoryMaxMessages: 100,
      ...overrides,
    });
    cleanups.push(() => outbox.close());
    return outbox;
  }

  function add(outbox: Outbox, cls: MessageClass, count: number, channel: ChannelName = 'json'): number[] {
    const messages: OutboxMessage[] = Array.from({ length: count }, () => ({
      seq: outbox.nextSeq(),
      channel,
      cls,
      created: outbox.now(),
      topic: `t/${cls}`,
      payload: Buffer.from(`{"cls":"${cls}"}`),
    }));
    outbox.append(messages);
    return messages.map((m) => m.seq);
  }

  const seqs = (outbox: Outbox, cls: MessageClass, channel: ChannelName = 'json') => outbox.fetch(channel, cls, 0, 10_000).map((m) => m.seq);

  it('drops the oldest telemetry first, then findings, and alert transitions last, counting every drop', () => {
    const outbox = open(path.join(folder(), 'uplink.db'), { maxMessages: 10 });
    const alerts = add(outbox, 'alert', 5);
    const findings = add(outbox, 'finding', 3);
    const telemetry = add(outbox, 'telemetry', 10);
    expect(seqs(outbox, 'telemetry')).toEqual(telemetry.slice(8));
    expect(seqs(outbox, 'alert')).toEqual(alerts);

    const moreAlerts = add(outbox, 'alert', 5);
    expect(seqs(outbox, 'telemetry')).toEqual([]);
    expect(seqs(outbox, 'finding')).toEqual([]);
    expect(seqs(outbox, 'alert')).toEqual([...alerts, ...moreAlerts]);

    const lastAlerts = add(outbox, 'alert', 3);
    expect(seqs(outbox, 'alert')).toEqual([...alerts.slice(3), ...moreAlerts, ...lastAlerts]);
    const health = outbox.health();
    expect(health.dropped).toEqual({
      alert: { expired: 0, full: 3, 'memory-full': 0 },
      finding: { expired: 0, full: findings.length, 'memory-full': 0 },
      telemetry: { expired: 0, full: 10, 'memory-full': 0 },
    });
    expect(health).toMatchObject({ status: 'disk', messages: 10, droppedTotal: 16, inMemory: 0 });
  });

  it('keeps messages within maxBytes, counting payload, topic and row overhead', () => {
    const outbox = open(path.join(folder(), 'uplink.db'), { maxBytes: 2000 });
    add(outbox, 'telemetry', 40);
    const health = outbox.health();
    expect(health.bytes).toBeLessThanOrEqual(2000);
    const rowBytes = '{"cls":"telemetry"}'.length + 't/telemetry'.length + 48;
    expect(health.messages).toBe(Math.floor(2000 / rowBytes));
    expect(health.dropped.telemetry.full).toBe(40 - health.messages);
  });

  it('keeps what it holds across a restart, expires each class after its own age, and never reuses a message number', () => {
    const file = path.join(folder(), 'uplink.db');
    let clock = 1_700_000_000_000;
    const first = open(file, { now: () => clock, maxAgeMs: { alert: 10 * HOUR, finding: 2 * HOUR, telemetry: 1 * HOUR } });
    const alerts = add(first, 'alert', 2);
    add(first, 'finding', 2);
    add(first, 'telemetry', 3);
    const sparkplug = add(first, 'telemetry', 1, 'sparkplug');
    first.acknowledge(alerts[0]!);
    first.close();

    clock += 90 * 60_000;
    const second = open(file, { now: () => clock, maxAgeMs: { alert: 10 * HOUR, finding: 2 * HOUR, telemetry: 1 * HOUR } });
    expect(seqs(second, 'alert')).toEqual([alerts[1]]);
    expect(seqs(second, 'finding')).toHaveLength(2);
    expect(seqs(second, 'telemetry')).toEqual([]);
    expect(seqs(second, 'telemetry', 'sparkplug')).toEqual([]);
    expect(second.health().dropped.telemetry.expired).toBe(3 + sparkplug.length);
    expect(second.health().byClass.alert.oldestAgeSeconds).toBe(90 * 60);
    expect(second.nextSeq()).toBeGreaterThan(sparkplug[0]!);
    second.close();

    // Even with the file gone, numbers keep increasing: they never fall behind the clock in microseconds.
    const third = open(path.join(folder(), 'other.db'), { now: () => clock + 1 });
    expect(third.nextSeq()).toBeGreaterThan(sparkplug[0]!);
  });

  it('runs on memory when the file cannot be opened, bounded and counted, and says why', () => {
    const dir = folder();
    writeFileSync(path.join(dir, 'not-a-folder'), 'x');
    const file = path.join(dir, 'not-a-folder', 'uplink.db');
    const outbox = open(file, { memoryMaxMessages: 4 });
    const telemetry = add(outbox, 'telemetry', 3);
    const alerts = add(outbox, 'alert', 2);
    expect(seqs(outbox, 'telemetry')).toEqual(telemetry.slice(1));
    expect(seqs(outbox, 'alert')).toEqual(alerts);
    outbox.acknowledge(alerts[0]!);
    outbox.flushAcknowledged();
    const health = outbox.health();
    expect(health).toMatchObject({ status: 'memory', messages: 3, inMemory: 3, dropped: { telemetry: { 'memory-full': 1 } } });
    expect(['ENOTDIR', 'EEXIST']).toContain(health.lastError?.code);
    expect(health.lastError?.message).toContain(file);
    expect(health.lastError?.message).toContain('set uplink.buffer.file');
  });

  it('keeps new messages in memory while the file refuses writes, and moves them to the file once it works again', async () => {
    const file = path.join(folder(), 'uplink.db');
    const outbox = open(file, { retryMs: 30 });
    const before = add(outbox, 'alert', 2);
    const other = new BetterSqlite3(file);
    cleanups.push(() => other.close());
    other.exec('BEGIN IMMEDIATE');

    const during = add(outbox, 'alert', 2);
    expect(outbox.health()).toMatchObject({ status: 'memory', inMemory: 2, messages: 4 });
    expect(outbox.health().lastError?.code).toBe('SQLITE_BUSY');
    expect(outbox.health().lastError?.message).toContain('Another process holds the file');
    expect(seqs(outbox, 'alert')).toEqual([...before, ...during]);
    outbox.acknowledge(before[0]!);
    outbox.flushAcknowledged();
    expect(seqs(outbox, 'alert')).toEqual([before[1], ...during]);

    other.exec('COMMIT');
    await waitUntil(() => outbox.health().status === 'disk', 'the file is used again');
    expect(outbox.health()).toMatchObject({ inMemory: 0, messages: 3 });
    const onDisk = other.prepare('SELECT seq FROM outbox ORDER BY seq').all() as { seq: number }[];
    expect(onDisk.map((row) => row.seq)).toEqual([before[1], ...during]);
  });
});
