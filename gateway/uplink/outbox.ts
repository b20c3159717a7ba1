import { silentLogger, type Logger } from '../logger.js';
import { describeBufferFailure, type BufferStorageError } from './buffer-storage-error.js';
import { DROP_ORDER, DROP_REASONS, MESSAGE_CLASSES, type ChannelName, type DropReason, type MessageClass, type OutboxMessage } from './message-class.js';
import { OutboxStore } from './outbox-store.js';

export interface OutboxOptions {
  /** The SQLite file; its folder is created. */
  readonly file: string;
  readonly synchronous: 'normal' | 'full';
  readonly maxBytes: number;
  readonly maxMessages: number;
  readonly maxAgeMs: Readonly<Record<MessageClass, number>>;
  readonly memoryMaxBytes: number;
  readonly memoryMaxMessages: number;
  /** How often a failing file is tried again (and expiry runs); default 5000 ms. */
  readonly retryMs?: number;
  readonly now?: () => number;
  readonly logger?: Logger;
}

/** disk: messages go to the file. memory: the file cannot be written (or opened); new messages are kept in memory, bounded, and lost on a restart. */
export type BufferStatus = 'disk' | 'memory';

export interface ClassBufferHealth {
  readonly messages: number;
  readonly bytes: number;
  readonly oldestAgeSeconds: number | null;
}

export interface BufferHealth {
  readonly file: string;
  readonly status: BufferStatus;
  readonly messages: number;
  /** Payload, topic and per-row overhead (an estimate of the space taken). */
  readonly bytes: number;
  readonly oldestAgeSeconds: number | null;
  readonly byClass: Readonly<Record<MessageClass, ClassBufferHealth>>;
  /** Of `messages`, those held in memory only (they do not survive a restart). */
  readonly inMemory: number;
  readonly dropped: Readonly<Record<MessageClass, Readonly<Record<DropReason, number>>>>;
  readonly droppedTotal: number;
  readonly writeFailures: number;
  readonly lastError: BufferStorageError | null;
}

/**
 * The store-and-forward buffer: every message is written here before it is sent and deleted once the
 * broker acknowledged it. Writes go to the SQLite file in one transaction per append (committed before
 * append returns, so they survive a kill of the process). When the file cannot be written, messages go to
 * an in-memory SQLite database with its own bounds, and the file is tried again every `retryMs`; once it
 * works, what was kept in memory moves to it. Bounds are enforced after every append by dropping the
 * oldest messages, telemetry first and alert transitions last; every drop is counted by class and reason.
 */
export class Outbox {
  readonly file: string;
  readonly #options: OutboxOptions;
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #retryMs: number;
  readonly #disk: OutboxStore | null;
  readonly #memory: OutboxStore;
  readonly #dropped: Record<MessageClass, Record<DropReason, number>>;
  /** Acknowledged messages whose deletion from the file failed: never sent again, deleted on the next retry. */
  readonly #undeleted = new Set<number>();
  #diskWritable: boolean;
  #acked: number[] = [];
  #ackFlush: NodeJS.Immediate | null = null;
  #lastSeq: number;
  #writeFailures = 0;
  #lastError: BufferStorageError | null = null;
  #timer: NodeJS.Timeout;
  #closed = false;
  #onAppend: (channel: ChannelName, cls: MessageClass) => void = () => {};

  constructor(options: OutboxOptions) {
    this.file = options.file;
    this.#options = options;
    this.#logger = options.logger ?? silentLogger;
    this.#now = options.now ?? Date.now;
    this.#retryMs = options.retryMs ?? 5000;
    this.#dropped = Object.fromEntries(MESSAGE_CLASSES.map((cls) => [cls, Object.fromEntries(DROP_REASONS.map((reason) => [reason, 0]))])) as Record<
      MessageClass,
      Record<DropReason, number>
    >;
    this.#memory = OutboxStore.open(':memory:', 'normal');
    let disk: OutboxStore | null = null;
    try {
      disk = OutboxStore.open(options.file, options.synchronous);
    } catch (error) {
      this.#noteFailure('open the file', error);
      this.#logger.error({ file: options.file, code: this.#lastError?.code }, `${this.#lastError?.message} Until a restart, messages are kept in memory only (bounded by memoryMaxMegabytes/memoryMaxMessages).`);
    }
    this.#disk = disk;
    this.#diskWritable = disk !== null;
    this.#lastSeq = disk?.highWater() ?? 0;
    this.#timer = setInterval(() => this.#maintain(), this.#retryMs).unref();
    this.#expire();
  }

  /** Called after every append, with the channel and class of each message appended. */
  onAppend(listener: (channel: ChannelName, cls: MessageClass) => void): void {
    this.#onAppend = listener;
  }

  /**
   * The next message number: increasing, and unique across restarts even when the file was lost or
   * messages were held in memory, because it never falls behind the clock in microseconds.
   */
  nextSeq(): number {
    this.#lastSeq = Math.max(this.#lastSeq + 1, Math.floor(this.#now() * 1000));
    return this.#lastSeq;
  }

  now(): number {
    return this.#now();
  }

  /** Stores the messages (seq from nextSeq(), created from now()); never throws. False once closed. */
  append(messages: readonly OutboxMessage[]): boolean {
    if (this.#closed) return false;
    if (messages.length === 0) return true;
    const highWater = messages[messages.length - 1]!.seq;
    let stored = false;
    if (this.#disk !== null && this.#diskWritable) {
      try {
        this.#disk.insert(messages, highWater);
        stored = true;
        this.#enforceBounds(this.#disk, this.#options.maxMessages, this.#options.maxBytes, 'full');
      } catch (error) {
        if (!stored) this.#diskFailed('write messages', error);
        else this.#diskFailed('drop messages over the bounds', error);
      }
    }
    if (!stored) {
      try {
        this.#memory.insert(messages, highWater);
      } catch (error) {
        for (const message of messages) this.#dropped[message.cls]['memory-full'] += 1;
        this.#logger.error({ err: error }, 'uplink buffer: could not keep messages in memory; they are dropped');
      }
      this.#enforceBounds(this.#memory, this.#options.memoryMaxMessages, this.#options.memoryMaxBytes, 'memory-full');
    }
    for (const message of messages) this.#onAppend(message.channel, message.cls);
    return true;
  }

  /** Up to `limit` messages of a channel and class after `afterSeq`, oldest first, from file and memory. */
  fetch(channel: ChannelName, cls: MessageClass, afterSeq: number, limit: number): OutboxMessage[] {
    let fromDisk: OutboxMessage[] = [];
    if (this.#disk !== null) {
      try {
        fromDisk = this.#disk.fetch(channel, cls, afterSeq, limit);
      } catch (error) {
        this.#diskFailed('read messages', error);
      }
    }
    const fromMemory = this.#memory.totals[cls].rows > 0 ? this.#memory.fetch(channel, cls, afterSeq, limit) : [];
    let merged = fromMemory.length === 0 ? fromDisk : fromDisk.length === 0 ? fromMemory : [...fromDisk, ...fromMemory].sort((a, b) => a.seq - b.seq).slice(0, limit);
    if (this.#undeleted.size > 0) merged = merged.filter((message) => !this.#undeleted.has(message.seq));
    return merged;
  }

  /** The broker has it: deleted (in a batch, on the next turn of the event loop). */
  acknowledge(seq: number): void {
    if (this.#closed) return;
    this.#acked.push(seq);
    this.#ackFlush ??= setImmediate(() => this.flushAcknowledged());
  }

  flushAcknowledged(): void {
    if (this.#ackFlush !== null) clearImmediate(this.#ackFlush);
    this.#ackFlush = null;
    const acked = this.#acked;
    if (acked.length === 0) return;
    this.#acked = [];
    if (this.#memory.rows > 0) this.#memory.delete(acked);
    if (this.#disk === null) return;
    if (!this.#diskWritable) {
      for (const seq of acked) this.#undeleted.add(seq);
      return;
    }
    try {
      this.#disk.delete(acked);
    } catch (error) {
      for (const seq of acked) this.#undeleted.add(seq);
      this.#diskFailed('delete acknowledged messages', error);
    }
  }

  /** Messages of a channel with seq <= `seq`: the backlog a new connection starts with. */
  backlog(channel: ChannelName, seq: number): number {
    let count = this.#memory.countUpTo(channel, seq);
    try {
      count += this.#disk?.countUpTo(channel, seq) ?? 0;
    } catch (error) {
      this.#diskFailed('count messages', error);
    }
    return Math.max(0, count - this.#undeleted.size);
  }

  /** The seq of the last message accepted (0 when none). */
  lastSeq(): number {
    return this.#lastSeq;
  }

  health(): BufferHealth {
    const now = this.#now();
    const byClass = {} as Record<MessageClass, ClassBufferHealth>;
    let oldest: number | null = null;
    let messages = 0;
    let bytes = 0;
    for (const cls of MESSAGE_CLASSES) {
      const disk = this.#disk?.totals[cls] ?? { rows: 0, bytes: 0 };
      const memory = this.#memory.totals[cls];
      const classOldest = this.#oldest(cls);
      if (classOldest !== null) oldest = Math.min(oldest ?? classOldest, classOldest);
      byClass[cls] = { messages: disk.rows + memory.rows, bytes: disk.bytes + memory.bytes, oldestAgeSeconds: ageSeconds(now, classOldest) };
      messages += disk.rows + memory.rows;
      bytes += disk.bytes + memory.bytes;
    }
    let droppedTotal = 0;
    for (const cls of MESSAGE_CLASSES) for (const reason of DROP_REASONS) droppedTotal += this.#dropped[cls][reason];
    return {
      file: this.file,
      status: this.#disk !== null && this.#diskWritable ? 'disk' : 'memory',
      messages,
      bytes,
      oldestAgeSeconds: ageSeconds(now, oldest),
      byClass,
      inMemory: this.#memory.rows,
      dropped: structuredClone(this.#dropped),
      droppedTotal,
      writeFailures: this.#writeFailures,
      lastError: this.#lastError,
    };
  }

  /** Deletes what was acknowledged, then closes the file. What is still buffered in memory is lost (and logged). */
  close(): void {
    if (this.#closed) return;
    this.flushAcknowledged();
    this.#maintain();
    this.#closed = true;
    clearInterval(this.#timer);
    if (this.#memory.rows > 0) {
      this.#logger.error({ file: this.file, messages: this.#memory.rows }, `uplink buffer: ${this.#memory.rows} message(s) held in memory (the file could not be written) are lost at shutdown`);
    }
    this.#memory.close();
    this.#disk?.close();
  }

  #oldest(cls: MessageClass): number | null {
    let oldest = this.#memory.totals[cls].rows > 0 ? this.#memory.oldestCreated(cls) : null;
    if (this.#disk !== null && this.#disk.totals[cls].rows > 0) {
      try {
        const onDisk = this.#disk.oldestCreated(cls);
        if (onDisk !== null) oldest = Math.min(oldest ?? onDisk, onDisk);
      } catch (error) {
        this.#diskFailed('read the oldest message', error);
      }
    }
    return oldest;
  }

  /** Drops the oldest messages, telemetry first and alert transitions last, until the store is within its bounds. */
  #enforceBounds(store: OutboxStore, maxMessages: number, maxBytes: number, reason: DropReason): void {
    for (const cls of DROP_ORDER) {
      while (store.rows > maxMessages || store.bytes > maxBytes) {
        const totals = store.totals[cls];
        if (totals.rows === 0) break;
        const byBytes = Math.ceil((store.bytes - maxBytes) / (totals.bytes / totals.rows));
        const count = Math.min(totals.rows, Math.max(1, store.rows - maxMessages, byBytes));
        const dropped = store.dropOldest(cls, count);
        this.#dropped[cls][reason] += dropped;
        if (dropped === 0) break;
      }
    }
  }

  #expire(): void {
    const now = this.#now();
    for (const store of [this.#memory, this.#diskWritable ? this.#disk : null]) {
      if (store === null) continue;
      for (const cls of MESSAGE_CLASSES) {
        if (store.totals[cls].rows === 0) continue;
        const cutoff = now - this.#options.maxAgeMs[cls];
        const oldest = store.oldestCreated(cls);
        if (oldest !== null && oldest < cutoff) this.#dropped[cls].expired += store.dropOlderThan(cls, cutoff);
      }
    }
  }

  /** Every retryMs: expiry, and bringing a failing file back into use. */
  #maintain(): void {
    if (this.#closed) return;
    try {
      this.#expire();
    } catch (error) {
      this.#diskFailed('delete expired messages', error);
    }
    if (this.#disk === null || this.#diskWritable) return;
    try {
      if (this.#undeleted.size > 0) this.#disk.delete([...this.#undeleted]);
      this.#undeleted.clear();
      if (this.#memory.rows > 0) {
        const held = this.#memory.all();
        this.#disk.insert(held, held[held.length - 1]!.seq);
        this.#memory.clear();
      }
      this.#diskWritable = true;
      this.#logger.info({ file: this.file }, `uplink buffer ${this.file}: writes succeed again; messages kept in memory meanwhile are now in the file`);
      this.#enforceBounds(this.#disk, this.#options.maxMessages, this.#options.maxBytes, 'full');
    } catch (error) {
      this.#noteFailure('write messages', error);
    }
  }

  #diskFailed(operation: string, error: unknown): void {
    const wasWritable = this.#diskWritable;
    this.#diskWritable = false;
    this.#noteFailure(operation, error);
    if (wasWritable) {
      this.#logger.error(
        { file: this.file, code: this.#lastError?.code },
        `${this.#lastError?.message} Meanwhile new messages are kept in memory (bounded) and the file is tried again every ${this.#retryMs / 1000} s.`,
      );
    }
  }

  #noteFailure(operation: string, error: unknown): void {
    this.#writeFailures += 1;
    this.#lastError = describeBufferFailure(this.file, operation, error, this.#now());
  }
}

function ageSeconds(now: number, created: number | null): number | null {
  return created === null ? null : Math.max(0, (now - created) / 1000);
}
