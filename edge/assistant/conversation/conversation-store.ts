import type { BoxDatabase } from '../../store/box-database.js';
import { systemClock, type Clock } from '../../store/clock.js';
import type { ModuleSchema } from '../../store/schema-migrations.js';
import type { ChatCard } from '../../console/ws-messages.js';

/**
 * Conversations are per user: the key is (user, conversation id), so two people using the same id (an
 * escalation thread `alert:<id>`, or a client's own name) never see each other's turns.
 */
export const conversationsSchema: ModuleSchema = {
  module: 'assistant-conversations',
  migrations: [
    (db) =>
      db.exec(`
        CREATE TABLE assistant_conversations (
          user TEXT NOT NULL,
          id TEXT NOT NULL,
          title TEXT NOT NULL,
          created_at INTEGER NOT NULL,
          updated_at INTEGER NOT NULL,
          PRIMARY KEY (user, id)
        ) STRICT;
        CREATE TABLE assistant_turns (
          seq INTEGER PRIMARY KEY,
          user TEXT NOT NULL,
          conversation TEXT NOT NULL,
          role TEXT NOT NULL,
          text TEXT NOT NULL,
          cards TEXT NOT NULL,
          at INTEGER NOT NULL
        ) STRICT;
        CREATE INDEX assistant_turns_by_conversation ON assistant_turns (user, conversation, seq);
        CREATE TABLE assistant_escalations (
          alert_id INTEGER PRIMARY KEY,
          created_at INTEGER NOT NULL,
          text TEXT NOT NULL,
          cards TEXT NOT NULL
        ) STRICT;
      `),
  ],
};

export interface StoredTurn {
  readonly role: 'user' | 'assistant';
  readonly text: string;
  readonly cards: readonly ChatCard[];
  readonly at: number;
}

export interface StoredConversation {
  readonly id: string;
  readonly title: string;
  readonly updatedAt: number;
  readonly turns: number;
}

export interface StoredEscalation {
  readonly alertId: number;
  readonly createdAt: number;
  readonly text: string;
  readonly cards: readonly ChatCard[];
}

const TITLE_CHARS = 80;

/** Conversations, their turns and the escalations, in the box's database; writes are synchronous. */
export class ConversationStore {
  private readonly clock: Pick<Clock, 'now'>;

  constructor(
    private readonly database: BoxDatabase,
    options: { readonly clock?: Pick<Clock, 'now'> } = {},
  ) {
    if (database.schemaVersion(conversationsSchema.module) === 0) {
      throw new Error(`${database.file}: the assistant's conversation tables are missing; pass conversationsSchema to openBoxDatabase`);
    }
    this.clock = options.clock ?? systemClock;
  }

  exists(user: string, id: string): boolean {
    return this.database.read('find a conversation', (db) => db.prepare<[string, string], { n: number }>('SELECT 1 AS n FROM assistant_conversations WHERE user = ? AND id = ?').get(user, id)) !== undefined;
  }

  /** Creates the conversation when it does not exist; the title is the first question's start. */
  ensure(user: string, id: string, title: string): void {
    const now = this.clock.now();
    this.database.write('create a conversation', () => {
      this.database.connection
        .prepare('INSERT OR IGNORE INTO assistant_conversations (user, id, title, created_at, updated_at) VALUES (?, ?, ?, ?, ?)')
        .run(user, id, oneLine(title).slice(0, TITLE_CHARS), now, now);
    });
  }

  append(user: string, id: string, turn: Omit<StoredTurn, 'at'>): void {
    const now = this.clock.now();
    this.database.write('store a conversation turn', () => {
      const db = this.database.connection;
      db.prepare('INSERT INTO assistant_turns (user, conversation, role, text, cards, at) VALUES (?, ?, ?, ?, ?, ?)').run(user, id, turn.role, turn.text, JSON.stringify(turn.cards), now);
      db.prepare('UPDATE assistant_conversations SET updated_at = ? WHERE user = ? AND id = ?').run(now, user, id);
    });
  }

  /** Oldest first. */
  turns(user: string, id: string): StoredTurn[] {
    return this.database
      .read('read a conversation', (db) =>
        db.prepare<[string, string], { role: string; text: string; cards: string; at: number }>('SELECT role, text, cards, at FROM assistant_turns WHERE user = ? AND conversation = ? ORDER BY seq').all(user, id),
      )
      .map((row) => ({ role: row.role as StoredTurn['role'], text: row.text, cards: JSON.parse(row.cards) as ChatCard[], at: row.at }));
  }

  /** Most recently updated first. */
  list(user: string, limit = 200): StoredConversation[] {
    return this.database.read('list conversations', (db) =>
      db
        .prepare<[string, number], { id: string; title: string; updated_at: number; turns: number }>(
          `SELECT c.id, c.title, c.updated_at, (SELECT count(*) FROM assistant_turns t WHERE t.user = c.user AND t.conversation = c.id) AS turns
           FROM assistant_conversations c WHERE c.user = ? ORDER BY c.updated_at DESC, c.id LIMIT ?`,
        )
        .all(user, limit)
        .map((row) => ({ id: row.id, title: row.title, updatedAt: row.updated_at, turns: row.turns })),
    );
  }

  saveEscalation(escalation: StoredEscalation): void {
    this.database.write('store an escalation', () => {
      this.database.connection
        .prepare('INSERT OR REPLACE INTO assistant_escalations (alert_id, created_at, text, cards) VALUES (?, ?, ?, ?)')
        .run(escalation.alertId, escalation.createdAt, escalation.text, JSON.stringify(escalation.cards));
    });
  }

  escalation(alertId: number): StoredEscalation | null {
    const row = this.database.read('read an escalation', (db) =>
      db.prepare<[number], { alert_id: number; created_at: number; text: string; cards: string }>('SELECT * FROM assistant_escalations WHERE alert_id = ?').get(alertId),
    );
    return row === undefined ? null : { alertId: row.alert_id, createdAt: row.created_at, text: row.text, cards: JSON.parse(row.cards) as ChatCard[] };
  }

  /** Newest first. */
  recentEscalations(limit: number): StoredEscalation[] {
    return this.database
      .read('list escalations', (db) =>
        db.prepare<[number], { alert_id: number; created_at: number; text: string; cards: string }>('SELECT * FROM assistant_escalations ORDER BY created_at DESC, alert_id DESC LIMIT ?').all(limit),
      )
      .map((row) => ({ alertId: row.alert_id, createdAt: row.created_at, text: row.text, cards: JSON.parse(row.cards) as ChatCard[] }));
  }
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
