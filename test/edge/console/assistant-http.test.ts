import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkOrder } from '../../../edge/console/assistant-port.js';
import { workOrdersCsv } from '../../../edge/console/work-order-csv.js';
import { waitUntil } from '../../support/wait-until.js';
import { ConsoleHarness, PASSWORD } from './fixtures/console-harness.js';
import { ANSWER_TOKENS, CITATION_CARD, ScriptedAssistant } from './fixtures/scripted-assistant.js';

const ndjson = (text: string) =>
  text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as { type: string; [field: string]: unknown });

describe('the assistant over the console HTTP API', () => {
  let harness: ConsoleHarness;
  let assistant: ScriptedAssistant;
  let operatorToken: string;
  let maintenanceToken: string;
  let viewerToken: string;

  const token = async (name: string) => (await harness.request('POST', '/api/tokens', { body: { name, password: PASSWORD(name) } })).body.token as string;

  beforeAll(async () => {
    harness = await ConsoleHarness.start();
    [operatorToken, maintenanceToken, viewerToken] = await Promise.all([token('operator'), token('maintenance'), token('viewer')]);
  });
  afterAll(() => harness.stop());

  it('says plainly that no assistant is attached: 503 on its routes, an "unavailable" answer to ask', async () => {
    harness.server.attachAssistant(null);
    const list = await harness.request('GET', '/api/conversations', { token: viewerToken });
    expect(list.status).toBe(503);
    expect(list.body).toMatchObject({ code: 'unavailable', message: 'no assistant attached yet: the box runs without its assistant' });
    expect((await harness.request('GET', '/api/work-orders', { token: viewerToken })).status).toBe(503);
    const asked = await harness.request('POST', '/api/ask', { token: viewerToken, body: { text: 'hello' } });
    expect(asked.status).toBe(200);
    expect(ndjson(asked.text)).toEqual([{ type: 'chat.done', requestId: expect.stringMatching(/^ask-/), status: 'unavailable', message: 'no assistant attached yet' }]);
  });

  describe('with an assistant', () => {
    beforeAll(() => {
      assistant = new ScriptedAssistant();
      harness.server.attachAssistant(assistant);
    });

    it('streams an answer to POST /api/ask as NDJSON, the same messages as the WebSocket', async () => {
      const answer = await harness.request('POST', '/api/ask', { token: operatorToken, body: { text: 'why does pump-01 vibrate?' } });
      expect(answer.status).toBe(200);
      expect(answer.headers.get('content-type')).toBe('application/x-ndjson; charset=utf-8');
      const lines = ndjson(answer.text);
      expect(lines.map((line) => line.type)).toEqual(['chat.conversation', ...ANSWER_TOKENS.map(() => 'chat.delta'), 'chat.card', 'chat.done']);
      expect(lines.find((line) => line.type === 'chat.card')!.card).toEqual(CITATION_CARD);
      const conversationId = lines[0]!.conversationId as string;

      const more = ndjson((await harness.request('POST', '/api/ask', { token: operatorToken, body: { text: 'and then?', conversationId } })).text);
      expect(more[0]).toMatchObject({ type: 'chat.conversation', conversationId });
      expect(more.at(-1)).toMatchObject({ type: 'chat.done', status: 'complete' });
    });

    it('refuses a bad question with the field that is wrong, and an unknown user', async () => {
      const empty = await harness.request('POST', '/api/ask', { token: operatorToken, body: { text: '' } });
      expect(empty.status).toBe(400);
      expect(empty.body.problems[0].path).toBe('body.text');
      expect((await harness.request('POST', '/api/ask', { body: { text: 'hi' } })).status).toBe(401);
    });

    it('stops the answer when the asker goes away', async () => {
      const slow = new ScriptedAssistant();
      harness.server.attachAssistant(slow);
      try {
        const abort = new AbortController();
        const response = await fetch(`${harness.url}/api/ask`, {
          method: 'POST',
          headers: { authorization: `Bearer ${operatorToken}`, 'content-type': 'application/json' },
          body: JSON.stringify({ text: 'tell me everything' }),
          signal: abort.signal,
        });
        const reader = response.body!.getReader();
        await reader.read();
        abort.abort();
        await waitUntil(() => slow.asked[0]?.signal.aborted === true, 'the answer to be aborted');
      } finally {
        harness.server.attachAssistant(assistant);
      }
    });

    it("lists a user's own conversations only; another user's is not found", async () => {
      const mine = ndjson((await harness.request('POST', '/api/ask', { token: maintenanceToken, body: { text: 'bearing temperature limits?' } })).text);
      const conversationId = mine[0]!.conversationId as string;
      const list = await harness.request('GET', '/api/conversations', { token: maintenanceToken });
      expect(list.status).toBe(200);
      expect(list.body.conversations).toEqual([{ conversationId, title: 'bearing temperature limits?', updatedAt: expect.any(String), turns: 2 }]);
      const one = await harness.request('GET', `/api/conversations/${conversationId}`, { token: maintenanceToken });
      expect(one.body.conversationId).toBe(conversationId);
      expect(one.body.turns.map((turn: { role: string }) => turn.role)).toEqual(['user', 'assistant']);
      expect(one.body.turns[1].cards).toEqual([CITATION_CARD]);

      const theirs = await harness.request('GET', `/api/conversations/${conversationId}`, { token: operatorToken });
      expect(theirs.status).toBe(404);
      expect(theirs.body.message).toContain(`you have no conversation "${conversationId}"`);
      expect((await harness.request('GET', '/api/conversations', { token: operatorToken })).body.conversations.map((c: { conversationId: string }) => c.conversationId)).not.toContain(conversationId);
      const viaAsk = ndjson((await harness.request('POST', '/api/ask', { token: operatorToken, body: { text: 'show it', conversationId } })).text);
      expect(viaAsk).toEqual([expect.objectContaining({ type: 'chat.done', status: 'failed' })]);
    });

    it('decides a proposed action over HTTP (operator and up), then lists and exports the work order', async () => {
      const lines = ndjson((await harness.request('POST', '/api/ask', { token: operatorToken, body: { text: 'draft a work order for the bearing' } })).text);
      const proposal = lines.find((line) => line.type === 'chat.card' && (line.card as { kind: string }).kind === 'action')!.card as { data: { actionId: string } };
      const { actionId } = proposal.data;

      const byViewer = await harness.request('POST', `/api/actions/${actionId}/decision`, { token: viewerToken, body: { approve: true } });
      expect(byViewer.status).toBe(403);
      const byOther = await harness.request('POST', `/api/actions/${actionId}/decision`, { token: maintenanceToken, body: { approve: true } });
      expect(byOther.body).toMatchObject({ status: 'refused', message: `action ${actionId} was proposed to operator; only they can decide it` });
      const badBody = await harness.request('POST', `/api/actions/${actionId}/decision`, { token: operatorToken, body: { approve: 'yes' } });
      expect(badBody.status).toBe(400);
      expect(badBody.body.problems[0].path).toBe('body.approve');

      const done = await harness.request('POST', `/api/actions/${actionId}/decision`, { token: operatorToken, body: { approve: true } });
      expect(done.body).toEqual({ actionId, status: 'done', message: 'work order 1 drafted', result: { workOrderId: 1 } });
      await waitUntil(() => harness.audit.list({ target: `action/${actionId}`, outcome: 'ok' }).length === 1, 'the audit entry');

      const list = await harness.request('GET', '/api/work-orders', { token: viewerToken });
      expect(list.body.workOrders).toEqual([assistant.orders[0]]);
      expect((await harness.request('GET', '/api/work-orders/1', { token: viewerToken })).body).toEqual(assistant.orders[0]);
      const missing = await harness.request('GET', '/api/work-orders/99', { token: viewerToken });
      expect(missing.status).toBe(404);
      expect(missing.body.message).toBe('no work order with id 99; GET /api/work-orders lists them');
      expect((await harness.request('GET', '/api/work-orders/abc', { token: viewerToken })).body.problems[0].path).toBe('params.id');

      const json = await harness.request('GET', '/api/work-orders/1/export', { token: viewerToken });
      expect(json.headers.get('content-disposition')).toBe('attachment; filename="work-order-1.json"');
      expect(json.body).toEqual(assistant.orders[0]);
      const csv = await harness.request('GET', '/api/work-orders/1/export?format=csv', { token: viewerToken });
      expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      expect(csv.headers.get('content-disposition')).toBe('attachment; filename="work-order-1.csv"');
      expect(csv.text.split('\r\n')[0]).toBe('id,asset,title,description,priority,alertId,references,createdBy,createdAt,status');
      expect(csv.text.split('\r\n')[1]).toContain('1,pump-01,Replace the drive-end bearing,');
      const all = await harness.request('GET', '/api/work-orders/export', { token: viewerToken });
      expect(all.headers.get('content-disposition')).toBe('attachment; filename="work-orders.csv"');
      expect(all.text).toBe(workOrdersCsv(assistant.orders));
      expect((await harness.request('GET', '/api/work-orders/export?format=xml', { token: viewerToken })).body.problems[0].path).toBe('querystring.format');
    });
  });
});

describe('work orders as CSV', () => {
  const order: WorkOrder = {
    id: 3,
    asset: 'pump-01',
    title: '=HYPERLINK("http://example.invalid")',
    description: 'Lock out, then:\n1. release "pressure", 2. replace',
    priority: 'urgent',
    alertId: null,
    references: ['T-PUMP-01 High vibration', 'P-PUMP-03 Bearing replacement'],
    createdBy: 'maria',
    createdAt: '2026-01-06T08:00:00.000Z',
    status: 'draft',
  };

  it('quotes what needs quoting, and defuses texts a spreadsheet would run as formulas', () => {
    const [header, row, end] = workOrdersCsv([order]).split(/\r\n(?=\d|$)/);
    expect(header).toBe('id,asset,title,description,priority,alertId,references,createdBy,createdAt,status');
    expect(row).toBe(
      `3,pump-01,"'=HYPERLINK(""http://example.invalid"")","Lock out, then:\n1. release ""pressure"", 2. replace",urgent,,T-PUMP-01 High vibration; P-PUMP-03 Bearing replacement,maria,2026-01-06T08:00:00.000Z,draft`,
    );
    expect(end).toBe('');
  });
});
