import { randomBytes } from 'node:crypto';
import { PassThrough, type Readable } from 'node:stream';
import { Type } from 'typebox';
import type { Logger } from '../../../gateway/logger.js';
import type { ActionDecisions } from '../action-decisions.js';
import { streamAnswer } from '../answer-stream.js';
import { NO_ASSISTANT_MESSAGE, type ConsoleAssistant } from '../assistant-port.js';
import {
  ActionOutcomeSchema,
  ActionParams,
  AskBody,
  ConversationAnswer,
  ConversationParams,
  ConversationsAnswer,
  DecisionBody,
  ExportQuery,
  WorkOrderParams,
  WorkOrdersAnswer,
  WorkOrderSchema,
} from '../assistant-http-schemas.js';
import type { AssistantSlot } from '../assistant-slot.js';
import type { ConsoleApp } from '../console-app.js';
import { ApiError } from '../http-errors.js';
import { ErrorSchema } from '../http-schemas.js';
import type { ChatStreamMessage } from '../ws-messages.js';
import { workOrdersCsv } from '../work-order-csv.js';

const errors = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 503: ErrorSchema };
const ExportFile = Type.String({ description: 'the file: JSON, or CSV (RFC 4180)' });
const AnswerLines = Type.Unsafe<Readable>({ type: 'string', description: 'NDJSON: chat.conversation, chat.delta, chat.card and one chat.done message, one per line' });

/**
 * The assistant over HTTP: a user's own conversations, the drafted work orders and their export,
 * decisions on proposed actions, and `POST /api/ask`, which streams the answer as NDJSON (one chat
 * message of the WebSocket protocol per line) for programs and `millwright ask`.
 */
export function assistantRoutes(app: ConsoleApp, slot: AssistantSlot, decisions: ActionDecisions, logger: Logger): void {
  const assistant = (): ConsoleAssistant => {
    const current = slot.current;
    if (current === null) throw new ApiError(503, 'unavailable', `${NO_ASSISTANT_MESSAGE}: the box runs without its assistant`);
    return current;
  };

  app.get('/api/conversations', { schema: { response: { 200: ConversationsAnswer, ...errors } }, config: { role: 'viewer' } }, async (request) => ({
    conversations: [...assistant().conversations(request.consoleSession!.user)],
  }));

  app.get('/api/conversations/:id', { schema: { params: ConversationParams, response: { 200: ConversationAnswer, ...errors } }, config: { role: 'viewer' } }, async (request) => {
    const { id } = request.params;
    const turns = assistant().conversation(request.consoleSession!.user, id);
    if (turns === null) throw new ApiError(404, 'not-found', `you have no conversation "${id}"; GET /api/conversations lists yours`);
    return { conversationId: id, turns: turns.map((turn) => ({ ...turn, cards: [...turn.cards] })) };
  });

  app.get('/api/work-orders', { schema: { response: { 200: WorkOrdersAnswer, ...errors } }, config: { role: 'viewer' } }, async () => ({
    workOrders: assistant().workOrders().map(plainOrder),
  }));

  app.get('/api/work-orders/export', { schema: { querystring: ExportQuery, response: { 200: ExportFile, ...errors } }, config: { role: 'viewer' } }, async (request, reply) => {
    const orders = assistant().workOrders();
    return attachment(reply, 'work-orders', request.query.format ?? 'csv', () => workOrdersCsv(orders), () => ({ workOrders: orders }));
  });

  app.get('/api/work-orders/:id', { schema: { params: WorkOrderParams, response: { 200: WorkOrderSchema, ...errors } }, config: { role: 'viewer' } }, async (request) =>
    plainOrder(workOrderOr404(assistant(), request.params.id)),
  );

  app.get('/api/work-orders/:id/export', { schema: { params: WorkOrderParams, querystring: ExportQuery, response: { 200: ExportFile, ...errors } }, config: { role: 'viewer' } }, async (request, reply) => {
    const order = workOrderOr404(assistant(), request.params.id);
    return attachment(reply, `work-order-${order.id}`, request.query.format ?? 'json', () => workOrdersCsv([order]), () => order);
  });

  app.post(
    '/api/actions/:actionId/decision',
    { schema: { params: ActionParams, body: DecisionBody, response: { 200: ActionOutcomeSchema, ...errors } }, config: { role: 'operator' } },
    async (request) => {
      const { user, role } = request.consoleSession!;
      return decisions.decide({ name: user, role }, request.params.actionId, request.body.approve);
    },
  );

  app.post('/api/ask', { schema: { body: AskBody, response: { 200: AnswerLines, ...errors } }, config: { role: 'viewer' } }, async (request, reply) => {
    const { user, role } = request.consoleSession!;
    const requestId = `ask-${randomBytes(6).toString('hex')}`;
    const lines = new PassThrough();
    // after the asker left, fastify has destroyed the stream: the rest of the answer goes nowhere
    const emit = (message: ChatStreamMessage) => void (lines.destroyed || lines.write(`${JSON.stringify(message)}\n`));
    const current = slot.current;
    if (current === null) {
      emit({ type: 'chat.done', requestId, status: 'unavailable', message: NO_ASSISTANT_MESSAGE });
      lines.end();
    } else {
      const abort = new AbortController();
      // the asker went away (Ctrl-C): stop the answer
      reply.raw.once('close', () => {
        if (!reply.raw.writableFinished) abort.abort();
      });
      const request_ = { user, role, conversationId: request.body.conversationId ?? null, text: request.body.text, signal: abort.signal };
      void streamAnswer({ assistant: current, request: request_, requestId, emit, decisions, logger }).finally(() => lines.end());
    }
    return reply.type('application/x-ndjson; charset=utf-8').header('cache-control', 'no-store').send(lines);
  });
}

function workOrderOr404(assistant: ConsoleAssistant, id: number) {
  const order = assistant.workOrder(id);
  if (order === null) throw new ApiError(404, 'not-found', `no work order with id ${id}; GET /api/work-orders lists them`);
  return order;
}

function plainOrder<T extends { readonly references: readonly string[] }>(order: T): T & { references: string[] } {
  return { ...order, references: [...order.references] };
}

/** A download: strings are sent as they are, past the response serializer. */
function attachment<R extends { header(name: string, value: string): R; type(contentType: string): R; send(payload: string): R }>(reply: R, name: string, format: 'json' | 'csv', csv: () => string, json: () => unknown): R {
  return reply
    .header('content-disposition', `attachment; filename="${name}.${format}"`)
    .type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8')
    .send(format === 'csv' ? csv() : `${JSON.stringify(json(), null, 2)}\n`);
}
