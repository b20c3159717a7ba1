import { Compile } from 'typebox/compile';
import { formatPath } from '../../config/config-error.js';
import { schemaProblems } from '../../config/schema-problems.js';
import { CLIENT_MESSAGES, type ClientMessage, type ClientMessageType, type WsErrorCode } from '../ws-messages.js';

export type ParsedClientMessage =
  | { readonly ok: true; readonly message: ClientMessage }
  | { readonly ok: false; readonly code: WsErrorCode; readonly message: string; readonly path?: string; readonly id?: string };

const checkers = new Map(Object.entries(CLIENT_MESSAGES).map(([type, schema]) => [type, Compile(schema)]));
const KNOWN_TYPES = Object.keys(CLIENT_MESSAGES).join(', ');

/** Parses and validates one text frame; a refusal says what was wrong and where, for an `error` reply. */
export function parseClientMessage(text: string): ParsedClientMessage {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, code: 'malformed', message: `not JSON: ${(error as Error).message}` };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value) || typeof (value as { type?: unknown }).type !== 'string') {
    return { ok: false, code: 'malformed', message: 'a message must be a JSON object with a string "type"' };
  }
  const { type, id } = value as { type: string; id?: unknown };
  const echo = typeof id === 'string' && id.length <= 64 ? { id } : {};
  const checker = checkers.get(type);
  const schema = CLIENT_MESSAGES[type as ClientMessageType];
  if (checker === undefined || schema === undefined) {
    return { ok: false, code: 'unknown-type', message: `unknown message type ${JSON.stringify(type.slice(0, 64))}: known types are ${KNOWN_TYPES}`, ...echo };
  }
  if (!checker.Check(value)) {
    const problem = schemaProblems(schema, value)[0];
    const path = problem ? formatPath(problem.path) : '';
    return { ok: false, code: 'invalid', message: `${type}: ${path ? `${path}: ` : ''}${problem?.message ?? 'does not match its schema'}`, ...(path ? { path } : {}), ...echo };
  }
  return { ok: true, message: value as ClientMessage };
}
