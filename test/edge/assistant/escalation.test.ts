import { afterEach, describe, expect, it } from 'vitest';
import type { Escalation } from '../../../edge/console/assistant-port.js';
import type { ModelAlertDetails } from '../../../edge/detect/live/finding-alerts.js';
import { ConversationStore } from '../../../edge/assistant/conversation/conversation-store.js';
import { EscalationService } from '../../../edge/assistant/escalation/escalation-service.js';
import { silentLogger } from '../../../gateway/logger.js';
import { createAssistantFixture, type AssistantFixture } from './assistant-fixture.js';

/** What live detection reports for a worn drive-end bearing on pump-01 (the simulator's bearing fault). */
function bearingFinding(ts: number): ModelAlertDetails {
  return {
    model: 'centrifugal-pump',
    modelVersion: '1',
    mode: 'machine',
    score: 41.2,
    threshold: 12,
    severity: 41.2 / 12,
    ts,
    contributions: [
      { signal: 'vibration_de', contribution: 0.62, unit: 'mm/s', value: 4.9, normalMean: 1.6, normalSd: 0.15 },
      { signal: 'bearing_temp_de', contribution: 0.27, unit: '°C', value: 79, normalMean: 56, normalSd: 1.5 },
      { signal: 'vibration_nde', contribution: 0.06, unit: 'mm/s', value: 2.1, normalMean: 1.25, normalSd: 0.1 },
      { signal: 'flow', contribution: 0.01, unit: 'm³/h', value: 128, normalMean: 127, normalSd: 6 },
    ],
  };
}

let fixture: AssistantFixture | undefined;

afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

async function injectBearingFault(f: AssistantFixture) {
  const ts = Date.now();
  f.publish('pump-01', { vibration_de: 4.9, bearing_temp_de: 79, vibration_nde: 2.1, flow: 128, state: 2 }, ts);
  return f.raise({
    conditionId: 'pump-01/model/centrifugal-pump',
    asset: 'pump-01',
    kind: 'model',
    priority: 'medium',
    message: 'pump-01 deviates from normal: vibration_de (62 %), bearing_temp_de (27 %); score 3.4 × threshold',
    details: bearingFinding(ts),
  });
}

describe('escalation', () => {
  it('explains an alert at the configured priority unasked, offline, with the troubleshooting row, checks and safety steps cited', async () => {
    fixture = await createAssistantFixture({ config: { escalation: { priority: 'medium' } } });
    const seen: Escalation[] = [];
    fixture.assistant.onEscalation((escalation) => seen.push(escalation));
    const alert = await injectBearingFault(fixture);

    expect(seen).toHaveLength(1);
    const escalation = seen[0]!;
    expect(escalation.conversationId).toBe(`alert:${alert.id}`);
    const manual = escalation.cards.filter((card) => card.kind === 'manual').map((card) => card.data as { label: string; sectionId: string });
    const row = manual.find((card) => card.sectionId === 'T-PUMP-01')!;
    expect(manual[0]).toBe(row);
    expect(escalation.text).toContain('**What was detected**: Cooling water pump 1 (pump-01)');
    expect(escalation.text).toMatch(/vibration_de 4\.9 mm\/s — 62 % of the anomaly score, 22 σ above its fitted normal 1\.6 mm\/s/);
    expect(escalation.text).toContain(`- Likely causes: worn or damaged DE rolling bearing`);
    expect(escalation.text).toMatch(new RegExp(`- First checks: 1\\) trend DE against NDE.*\\[${row.label}\\]`));
    const procedure = manual.find((card) => card.sectionId.startsWith('P-PUMP-'))!;
    expect(escalation.text).toMatch(new RegExp(`\\*\\*Safety first\\*\\* — .*\\(${procedure.sectionId}\\) \\[${procedure.label}\\]`));
    expect(escalation.text).toContain('No language model is attached');
    // every citation in the text points to a card of this escalation
    const labels = new Set(manual.map((card) => card.label));
    for (const [, label] of escalation.text.matchAll(/\[(M\d+)\]/g)) expect(labels.has(label!)).toBe(true);
    expect(fixture.assistant.recentEscalations(5).map((item) => item.alertId)).toEqual([alert.id]);
  });

  it('explains the limit alert of the same fault from the same troubleshooting row', async () => {
    fixture = await createAssistantFixture({ config: { escalation: { priority: 'medium' } } });
    fixture.publish('pump-01', { vibration_de: 4.7, vibration_nde: 1.5, bearing_temp_de: 66, flow: 128, state: 2 });
    const alert = await fixture.raise({
      conditionId: 'pump-01/limit/vibration_de.high',
      asset: 'pump-01',
      priority: 'medium',
      message: 'vibration_de 4.7 mm/s above high limit 4.5',
      details: { signal: 'vibration_de', value: 4.7, limit: 4.5, deadband: 0.2 },
    });
    const [escalation] = fixture.assistant.recentEscalations(1);
    expect(escalation?.alertId).toBe(alert.id);
    const sections = escalation!.cards.filter((card) => card.kind === 'manual').map((card) => (card.data as { sectionId: string }).sectionId);
    expect(sections[0]).toBe('T-PUMP-01');
    expect(escalation!.text).toMatch(/^- vibration_de 4\.7 mm\/s \(above its high limit; normal 0\.5–2\.8 mm\/s\)$/m);
  });

  it('explains in Chinese when configured so, citing the Chinese manual', async () => {
    fixture = await createAssistantFixture({ config: { escalation: { priority: 'medium', language: 'zh' } } });
    const alert = await injectBearingFault(fixture);
    const [escalation] = fixture.assistant.recentEscalations(1);
    expect(escalation?.alertId).toBe(alert.id);
    expect(escalation!.text).toContain('**检测到的情况**');
    expect(escalation!.text).toContain('可能原因: 驱动端滚动轴承磨损或损坏');
    const files = escalation!.cards.filter((card) => card.kind === 'manual').map((card) => (card.data as { file: string }).file);
    expect(files.every((file) => file === 'zh/centrifugal-pump.md')).toBe(true);
  });

  it('leaves alerts below the priority alone, and explains each alert once', async () => {
    fixture = await createAssistantFixture({ config: { escalation: { priority: 'high' } } });
    await injectBearingFault(fixture);
    expect(fixture.assistant.recentEscalations(5)).toEqual([]);
    const alert = await fixture.raise({ conditionId: 'pump-01/trip', asset: 'pump-01', kind: 'trip', priority: 'urgent', message: 'pump-01 tripped: code 103 high vibration', details: { code: 103, meaning: 'high vibration' } });
    fixture.alerts.report([{ conditionId: 'pump-01/trip', asset: 'pump-01', kind: 'trip', active: false, priority: 'urgent', ts: Date.now(), message: 'cleared' }]);
    fixture.alerts.report([{ conditionId: 'pump-01/trip', asset: 'pump-01', kind: 'trip', active: true, priority: 'urgent', ts: Date.now(), message: 'again', details: { code: 103 } }]);
    await fixture.assistant.escalations.idle();
    const escalations = fixture.assistant.recentEscalations(5);
    expect(escalations.map((item) => item.alertId)).toEqual([alert.id]);
    const sections = escalations[0]!.cards.filter((card) => card.kind === 'manual').map((card) => (card.data as { sectionId: string }).sectionId);
    expect(sections[0]).toBe('F-PUMP-103');
    expect(escalations[0]!.text).toContain('**PLC trip code 103**');
  });

  it('explains at start the open alerts raised before it (while the manuals were indexed), once', async () => {
    fixture = await createAssistantFixture({ config: { escalation: { priority: 'urgent' } } });
    const alert = await injectBearingFault(fixture);
    expect(fixture.assistant.recentEscalations(5)).toEqual([]);
    const store = new ConversationStore(fixture.database);
    const explained: number[] = [];
    const service = new EscalationService({
      alerts: fixture.alerts,
      store,
      enabled: true,
      priority: 'medium',
      explain: async (open) => {
        explained.push(open.id);
        return { text: `explained ${open.id}`, cards: [] };
      },
      logger: silentLogger,
    });
    service.start();
    await service.idle();
    service.stop();
    expect(explained).toEqual([alert.id]);
    service.start();
    await service.idle();
    service.stop();
    expect(explained).toEqual([alert.id]);
    expect(store.escalation(alert.id)?.text).toBe(`explained ${alert.id}`);
  });

  it('continues the thread: a follow-up in alert:<id> starts from the explanation, per user', async () => {
    fixture = await createAssistantFixture({ config: { escalation: { priority: 'medium' } } });
    const alert = await injectBearingFault(fixture);
    const answer = await fixture.ask('maria', 'operator', 'How do I measure the vibration by hand?', `alert:${alert.id}`);
    expect(answer.conversationId).toBe(`alert:${alert.id}`);
    expect(answer.text).toContain(`**Alert ${alert.id}**`);
    const turns = fixture.assistant.conversation('maria', `alert:${alert.id}`)!;
    expect(turns.map((turn) => turn.role)).toEqual(['assistant', 'user', 'assistant']);
    expect(turns[0]!.text).toContain('**What was detected**');
    expect(fixture.assistant.conversation('li', `alert:${alert.id}`)).toBeNull();
    expect(fixture.assistant.conversations('maria')[0]).toMatchObject({ conversationId: `alert:${alert.id}`, turns: 3 });
  });

  it('lets the model write the explanation when one is attached, grounded in the same sections', async () => {
    fixture = await createAssistantFixture({ llm: true, config: { escalation: { priority: 'medium' } } });
    fixture.server!.enqueue({ kind: 'completion', text: 'The drive-end bearing is wearing [M1]. Lock out first [T-PUMP-99]. Measure by hand [M3].' });
    const alert = await injectBearingFault(fixture);
    const [escalation] = fixture.assistant.recentEscalations(1);
    expect(escalation?.alertId).toBe(alert.id);
    expect(escalation!.text).toBe('The drive-end bearing is wearing [M1]. Lock out first [unverified]. Measure by hand [M3].');
    expect(escalation!.cards.map((card) => card.kind)).toEqual(['alert', 'finding', 'manual', 'manual', 'citation-check']);
    const body = JSON.stringify(fixture.server!.chatRequests()[0]!.body);
    expect(body).toContain('(T-PUMP-01)');
    // escalations offer no tool with effects
    const tools = (fixture.server!.chatRequests()[0]!.body!['tools'] as { function: { name: string } }[]).map((tool) => tool.function.name);
    expect(tools).not.toContain('acknowledge_alert');
    expect(tools).not.toContain('draft_work_order');
  });

  it('falls back to the offline explanation when the model fails', async () => {
    fixture = await createAssistantFixture({ llm: true, config: { escalation: { priority: 'medium' } } });
    fixture.server!.enqueue({ kind: 'http-error', status: 500, message: 'model crashed' });
    await injectBearingFault(fixture);
    const [escalation] = fixture.assistant.recentEscalations(1);
    expect(escalation!.text).toMatch(/^The language model could not write this explanation/);
    expect(escalation!.text).toContain('- Likely causes: worn or damaged DE rolling bearing');
  });
});
