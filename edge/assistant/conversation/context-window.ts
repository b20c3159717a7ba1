import type { ChatMessage, ContextItem } from '../providers/chat-types.js';
import type { StoredTurn } from './conversation-store.js';

export interface BoundedHistory {
  /** The newest turns that fit, oldest first, as user/assistant messages. */
  readonly messages: ChatMessage[];
  /** A one-item summary of the turns left out (their questions), or null when all fit. */
  readonly summary: ContextItem | null;
  readonly droppedTurns: number;
}

const SUMMARY_QUESTION_CHARS = 120;
const SUMMARY_QUESTIONS = 8;

/**
 * Keeps a conversation inside the model's context: the newest turns whose text fits `maxChars`, always
 * whole user/assistant pairs; the older ones are summarised as the list of questions asked (as data, in
 * the context channel: an old question is not a new instruction).
 */
export function boundHistory(turns: readonly StoredTurn[], maxChars: number): BoundedHistory {
  let used = 0;
  let start = turns.length;
  while (start > 0) {
    const turn = turns[start - 1]!;
    if (used + turn.text.length > maxChars) break;
    used += turn.text.length;
    start -= 1;
  }
  // never begin with an assistant turn whose question was dropped; an escalation's explanation opens its
  // thread without a question, and stays when the whole thread fits
  while (start > 0 && start < turns.length && turns[start]!.role === 'assistant') start += 1;
  const kept = turns.slice(start);
  const dropped = turns.slice(0, start);
  const questions = dropped.filter((turn) => turn.role === 'user').map((turn) => truncate(turn.text.replace(/\s+/g, ' ').trim(), SUMMARY_QUESTION_CHARS));
  const shown = questions.slice(-SUMMARY_QUESTIONS);
  const summary: ContextItem | null =
    dropped.length === 0
      ? null
      : {
          kind: 'note',
          label: 'H',
          source: 'earlier turns of this conversation, summarised',
          text:
            `${dropped.length} earlier turns are left out to fit the context. ` +
            (shown.length > 0 ? `Questions asked then${questions.length > shown.length ? ` (the last ${shown.length})` : ''}:\n${shown.map((q) => `- ${q}`).join('\n')}` : ''),
        };
  return {
    messages: kept.map((turn): ChatMessage => (turn.role === 'user' ? { role: 'user', content: turn.text } : { role: 'assistant', content: turn.text })),
    summary,
    droppedTurns: dropped.length,
  };
}

function truncate(text: string, chars: number): string {
  return text.length <= chars ? text : `${text.slice(0, chars - 1)}…`;
}
