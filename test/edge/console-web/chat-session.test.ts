import { describe, expect, it } from 'vitest';
import type { ApiClient } from '../../../edge/console/web/src/api/api-client.js';
import type { ClientMessage, ConversationTurn, Escalation } from '../../../edge/console/web/src/api-types.js';
import { Emitter } from '../../../edge/console/web/src/emitter.js';
import { ChatSession } from '../../../edge/console/web/src/live/chat-session.js';
import type { ChatMessage, ConnectionState, EscalationMessage, LiveConnection } from '../../../edge/console/web/src/live/live-connection.js';

/** The parts of the page's connection a ChatSession uses, with what it sent kept. */
function fakeConnection() {
  const sent: ClientMessage[] = [];
  const connection = {
    chat: new Emitter<ChatMessage>(),
    escalations: new Emitter<EscalationMessage>(),
    state: new Emitter<ConnectionState>(),
    send: (message: ClientMessage) => {
      sent.push(message);
      return true;
    },
  };
  return { connection, sent, session: (turns: ConversationTurn[] = []) => new ChatSession(connection as unknown as LiveConnection, fakeApi(turns)) };
}

function fakeApi(turns: ConversationTurn[]): ApiClient {
  return { conversations: async () => [], conversation: async () => turns } as unknown as ApiClient;
}

const escalation = (alertId: number, createdAt: string): Escalation => ({ alertId, conversationId: `alert:${alertId}`, createdAt, text: `alert ${alertId}`, cards: [] });

describe('the chat session of the page', () => {
  it('continues the conversation the server named, and starts a new one on request', () => {
    const { connection, sent, session: create } = fakeConnection();
    const session = create();
    expect(session.ask('why?')).toBe(true);
    const first = sent[0] as Extract<ClientMessage, { type: 'chat.send' }>;
    expect(first.conversationId).toBeUndefined();
    connection.chat.emit({ type: 'chat.conversation', requestId: first.requestId, conversationId: 'c-1' });
    connection.chat.emit({ type: 'chat.delta', requestId: first.requestId, text: 'Bearing.' });
    expect(session.ask('busy?')).toBe(false);
    connection.chat.emit({ type: 'chat.done', requestId: first.requestId, status: 'complete' });
    session.ask('and then?');
    expect((sent[1] as Extract<ClientMessage, { type: 'chat.send' }>).conversationId).toBe('c-1');
    connection.chat.emit({ type: 'chat.done', requestId: (sent[1] as { requestId: string }).requestId, status: 'complete' });
    session.startNew();
    session.ask('new topic');
    expect((sent[2] as Extract<ClientMessage, { type: 'chat.send' }>).conversationId).toBeUndefined();
  });

  it('keeps each escalation once, newest first, and counts only new ones as unseen', () => {
    const { connection, session: create } = fakeConnection();
    const session = create();
    connection.escalations.emit({ type: 'assistant.escalation', escalation: escalation(1, '2026-01-06T08:00:00.000Z'), replayed: true });
    connection.escalations.emit({ type: 'assistant.escalation', escalation: escalation(2, '2026-01-06T09:00:00.000Z') });
    connection.escalations.emit({ type: 'assistant.escalation', escalation: escalation(2, '2026-01-06T09:00:00.000Z'), replayed: true });
    expect(session.escalations.map((item) => item.alertId)).toEqual([2, 1]);
    expect(session.unseenEscalations).toBe(1);
    session.seen();
    expect(session.unseenEscalations).toBe(0);
  });

  it('sends a decision once and shows its outcome', () => {
    const { connection, sent, session: create } = fakeConnection();
    const session = create();
    session.decide('act-1', true);
    session.decide('act-1', true);
    expect(sent).toEqual([{ type: 'chat.decide', actionId: 'act-1', approve: true }]);
    expect(session.action('act-1').status).toBe('deciding');
    connection.chat.emit({ type: 'chat.action', actionId: 'act-1', status: 'done', message: 'alert 4 acknowledged' });
    expect(session.action('act-1')).toEqual({ status: 'done', message: 'alert 4 acknowledged' });
  });

  it("follows up an escalation in its thread: the explanation first, then the user's earlier turns", async () => {
    const turns: ConversationTurn[] = [{ role: 'user', text: 'what now?', cards: [], at: '2026-01-06T09:01:00.000Z' }];
    const { sent, session: create } = fakeConnection();
    const session = create(turns);
    await session.followUp(escalation(7, '2026-01-06T09:00:00.000Z'));
    expect(session.entries.map((entry) => entry.kind)).toEqual(['escalation', 'question']);
    session.ask('and after that?');
    expect((sent[0] as Extract<ClientMessage, { type: 'chat.send' }>).conversationId).toBe('alert:7');
  });

  it('marks an answer cut off by a lost connection as interrupted', () => {
    const { connection, session: create } = fakeConnection();
    const session = create();
    session.ask('why?');
    connection.state.emit({ kind: 'reconnecting', retryAt: 0, since: 0 });
    expect(session.entries[1]).toMatchObject({ kind: 'answer', status: 'interrupted' });
  });
});
