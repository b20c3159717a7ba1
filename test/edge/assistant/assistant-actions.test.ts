import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ActionProposal } from '../../../edge/console/assistant-port.js';
import { createAssistantFixture, type AssistantFixture } from './assistant-fixture.js';

let fixture: AssistantFixture | undefined;

afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

function proposals(cards: readonly { kind: string; data: unknown }[]): ActionProposal[] {
  return cards.filter((card) => card.kind === 'action').map((card) => card.data as ActionProposal);
}

/** A model that does what it is asked: one tool call, then a short reply. */
function scriptToolCall(f: AssistantFixture, name: string, args: unknown) {
  f.server!.enqueue({ kind: 'completion', toolCalls: [{ name, arguments: JSON.stringify(args) }] }, { kind: 'completion', text: 'Please confirm the action in the console.' });
}

async function setUp(config: { proposalMinutes?: number } = {}) {
  fixture = await createAssistantFixture({ llm: true, config: { ...config, escalation: { enabled: false } } });
  const alert = await fixture.raise({ conditionId: 'pump-01/limit/vibration_de.high', asset: 'pump-01', message: 'vibration_de 5.0 mm/s above high limit 4.5', details: { signal: 'vibration_de', value: 5, limit: 4.5 } });
  return { f: fixture, alert };
}

describe('actions with effects', () => {
  it('a tool call only proposes: the alert stays unacknowledged until the same person confirms', async () => {
    const { f, alert } = await setUp();
    scriptToolCall(f, 'acknowledge_alert', { alertId: alert.id, comment: 'bearing check planned' });
    const answer = await f.ask('maria', 'operator', `Acknowledge alert ${alert.id} please`);
    const [proposal] = proposals(answer.cards);
    expect(proposal).toMatchObject({ kind: 'acknowledge-alert', arguments: { alertId: alert.id, comment: 'bearing check planned' } });
    expect(proposal!.summary).toBe(`Acknowledge alert ${alert.id} (pump-01: vibration_de 5.0 mm/s above high limit 4.5) with comment "bearing check planned"`);
    expect(f.alerts.get(alert.id)!.alert.state).toBe('active-unacked');
    // the tool result tells the model nothing happened yet
    const toolMessage = (f.server!.chatRequests()[1]!.body!['messages'] as { role: string; content: string }[]).find((message) => message.role === 'tool')!;
    expect(toolMessage.content).toContain('Nothing has happened yet');

    const outcome = await f.assistant.decide({ user: 'maria', role: 'operator', actionId: proposal!.actionId, approve: true });
    expect(outcome).toMatchObject({ status: 'done', result: { alertId: alert.id, state: 'active-acked' } });
    expect(f.alerts.get(alert.id)!.alert.acknowledged).toMatchObject({ by: 'maria', comment: 'bearing check planned' });
    expect(await f.assistant.decide({ user: 'maria', role: 'operator', actionId: proposal!.actionId, approve: true })).toMatchObject({ status: 'refused' });
  });

  it('refuses a decision by another user, by a role too low, and after expiry; a decline changes nothing', async () => {
    const { f, alert } = await setUp({ proposalMinutes: 1 });
    scriptToolCall(f, 'draft_work_order', { asset: 'pump-01', title: 'Replace DE bearing', description: 'Lock out (P-PUMP-01), replace the bearing (P-PUMP-03).', priority: 'high', alertId: alert.id, references: ['P-PUMP-03'] });
    const [order] = proposals((await f.ask('tom', 'maintenance', 'Draft a work order to replace the bearing')).cards);
    expect(order?.kind).toBe('draft-work-order');

    expect(await f.assistant.decide({ user: 'maria', role: 'admin', actionId: order!.actionId, approve: true })).toMatchObject({ status: 'refused', message: expect.stringContaining('was proposed to tom') });
    expect(await f.assistant.decide({ user: 'tom', role: 'operator', actionId: order!.actionId, approve: true })).toMatchObject({ status: 'refused', message: expect.stringContaining('your role (operator) cannot draft work orders') });
    expect(f.assistant.workOrders()).toEqual([]);
    expect(await f.assistant.decide({ user: 'tom', role: 'maintenance', actionId: order!.actionId, approve: false })).toMatchObject({ status: 'declined' });
    expect(f.assistant.workOrders()).toEqual([]);

    scriptToolCall(f, 'acknowledge_alert', { alertId: alert.id });
    const [ack] = proposals((await f.ask('tom', 'maintenance', 'ack it')).cards);
    const expired = new Date(Date.parse(ack!.expiresAt) + 1).getTime();
    vi.spyOn(Date, 'now').mockReturnValue(expired);
    try {
      expect(await f.assistant.decide({ user: 'tom', role: 'maintenance', actionId: ack!.actionId, approve: true })).toMatchObject({ status: 'refused', message: expect.stringContaining('expired') });
    } finally {
      vi.restoreAllMocks();
    }
    expect(f.alerts.get(alert.id)!.alert.state).toBe('active-unacked');
    const denied = f.audit.list({ action: 'assistant.decide', limit: 100 });
    expect(denied.map((entry) => entry.outcome)).toEqual(['denied', 'denied', 'denied']);
  });

  it('a confirmed work order is stored in SQLite and exported as JSON and CSV', async () => {
    const { f, alert } = await setUp();
    scriptToolCall(f, 'draft_work_order', { asset: 'pump-01', title: 'Replace DE bearing, "urgent"', description: 'Lock out, then replace.\nCheck alignment.', priority: 'high', alertId: alert.id, references: ['P-PUMP-01', 'P-PUMP-03'] });
    const [order] = proposals((await f.ask('tom', 'maintenance', 'Draft the work order')).cards);
    const outcome = await f.assistant.decide({ user: 'tom', role: 'maintenance', actionId: order!.actionId, approve: true });
    expect(outcome.status).toBe('done');
    const [stored] = f.assistant.workOrders();
    expect(stored).toMatchObject({ asset: 'pump-01', priority: 'high', alertId: alert.id, references: ['P-PUMP-01', 'P-PUMP-03'], createdBy: 'tom', status: 'draft' });
    expect(f.assistant.workOrder(stored!.id)).toEqual(stored);
    const { WorkOrderStore } = await import('../../../edge/store/work-orders.js');
    const store = new WorkOrderStore(f.database);
    expect(JSON.parse(store.exportJson())).toEqual([stored]);
    const csv = store.exportCsv().split('\r\n');
    expect(csv[0]).toBe('id,asset,title,description,priority,alertId,references,createdBy,createdAt,status');
    expect(csv[1]).toContain('"Replace DE bearing, ""urgent""","Lock out, then replace.\nCheck alignment.",high');
    expect(csv[1]).toContain('P-PUMP-01; P-PUMP-03,tom,');
  });

  it('a viewer gets no proposal: the tool answers that the role cannot do it', async () => {
    const { f, alert } = await setUp();
    scriptToolCall(f, 'acknowledge_alert', { alertId: alert.id });
    const answer = await f.ask('guest', 'viewer', 'acknowledge it');
    expect(proposals(answer.cards)).toEqual([]);
    const tool = (f.server!.chatRequests()[1]!.body!['messages'] as { role: string; content: string }[]).find((message) => message.role === 'tool')!;
    expect(tool.content).toContain('guest (role viewer) cannot acknowledge alerts; operator or above can');
  });
});
