import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActionBook } from '../../../edge/assistant/actions/action-book.js';
import { CitationRegistry } from '../../../edge/assistant/safety/citation-registry.js';
import type { ToolContext } from '../../../edge/assistant/tools/assistant-tool.js';
import type { DetectionView } from '../../../edge/assistant/tools/plant-access.js';
import { ASSISTANT_TOOLS, toolSpecs, ToolRunner } from '../../../edge/assistant/tools/tool-set.js';
import type { Role } from '../../../edge/console/roles.js';
import { AssetHistory, assetHistorySchema } from '../../../edge/store/asset-history.js';
import { openBoxDatabase } from '../../../edge/store/box-database.js';
import { WorkOrderStore } from '../../../edge/store/work-orders.js';
import { silentLogger } from '../../../gateway/logger.js';
import { createAssistantFixture, type AssistantFixture } from './assistant-fixture.js';

const detection: DetectionView = {
  models: () => [{ id: 'centrifugal-pump', asset: 'pump-01', kind: 'centrifugal-pump', state: 'active', mode: 'machine', threshold: 12, inputs: [{ signal: 'vibration_de', unit: 'mm/s' }] }],
  assess: async (asset) =>
    asset !== 'pump-01'
      ? null
      : {
          asset,
          model: 'centrifugal-pump',
          mode: 'machine',
          threshold: 12,
          anomalous: true,
          rowsScored: 300,
          finding: { model: 'centrifugal-pump', modelVersion: '1', mode: 'machine', score: 30, threshold: 12, severity: 2.5, ts: 1_700_000_000_000, contributions: [{ signal: 'vibration_de', contribution: 0.8, unit: 'mm/s', value: 4.2, normalMean: 1.6, normalSd: 0.2 }] },
        },
};

let fixture: AssistantFixture;
let runner: ToolRunner;
let citations: CitationRegistry;
let book: ActionBook;

beforeAll(async () => {
  fixture = await createAssistantFixture({ detection });
  runner = new ToolRunner(fixture.audit, silentLogger);
  book = new ActionBook({ alerts: fixture.alerts, workOrders: new WorkOrderStore(fixture.database), audit: fixture.audit });
});

afterAll(async () => {
  await fixture.close();
});

function context(role: Role = 'operator'): ToolContext {
  citations = new CitationRegistry();
  return {
    plant: fixture.assistant.plant,
    user: 'maria',
    role,
    language: 'en',
    citations,
    now: Date.now,
    propose: (action) => book.propose('maria', action),
  };
}

async function call(name: string, args: unknown, role: Role = 'operator') {
  return runner.run({ id: `call-${name}`, name, args }, context(role));
}

describe('the tools', () => {
  it('have valid JSON Schema parameters with unique names, and exactly two propose effects', () => {
    const ajv = new Ajv({ strict: false });
    for (const spec of toolSpecs()) expect(() => ajv.compile(spec.parameters), spec.name).not.toThrow();
    expect(new Set(ASSISTANT_TOOLS.map((tool) => tool.name)).size).toBe(ASSISTANT_TOOLS.length);
    expect(ASSISTANT_TOOLS.filter((tool) => tool.effect === 'proposal').map((tool) => tool.name).sort()).toEqual(['acknowledge_alert', 'draft_work_order']);
    expect(Object.isFrozen(ASSISTANT_TOOLS)).toBe(true);
  });

  it('live_values: every signal with value, status and normal band', async () => {
    fixture.publish('pump-01', { vibration_de: 5.1, flow: 120 });
    const { result, isError } = await call('live_values', { asset: 'pump-01' });
    expect(isError).toBe(false);
    const signals = (result as { signals: { signal: string; value: number | null; status: string; normal: number[] | null }[] }).signals;
    expect(signals.find((s) => s.signal === 'vibration_de')).toMatchObject({ value: 5.1, status: 'above-high', normal: [0.5, 2.8] });
    expect(signals.find((s) => s.signal === 'flow')).toMatchObject({ value: 120, status: 'normal' });
    expect(signals.find((s) => s.signal === 'motor_temp')).toMatchObject({ value: null, status: 'no-data' });
  });

  it('signal_history: statistics of the recent readings', async () => {
    const now = Date.now();
    fixture.bus.publish([1, 2, 3, 4].map((value, i) => ({ asset: 'compressor-01', signal: 'oil_temp', value: 80 + value, ts: now - 4000 + i * 1000, quality: 'good' as const, source: 't' })));
    const { result } = await call('signal_history', { asset: 'compressor-01', signal: 'oil_temp', minutes: 5 });
    expect(result).toMatchObject({ unit: '°C', readings: 4, min: 81, max: 84, mean: 82.5, first: 81, last: 84, source: 'recent readings in memory' });
  });

  it('signal_history: statistics of the stored 1 s history when there is one', async () => {
    const database = openBoxDatabase({ dataDir: fixture.dataDir, fileName: 'history.db', schemas: [assetHistorySchema] });
    const history = new AssetHistory(database, {});
    try {
      const start = Math.floor(Date.now() / 1000) * 1000 - 60_000;
      history.add(Array.from({ length: 30 }, (_, i) => ({ asset: 'pump-01', signal: 'flow', value: 100 + i, ts: start + i * 1000, quality: 'good' as const, source: 't' })));
      history.flush(true);
      const { result } = await runner.run({ id: 'h', name: 'signal_history', args: { asset: 'pump-01', signal: 'flow', minutes: 5 } }, { ...context(), plant: { ...fixture.assistant.plant, history } });
      expect(result).toMatchObject({ source: 'stored history (1 s grid)', readings: 30, min: 100, max: 129, first: 100, last: 129 });
      expect((result as { points: unknown[] }).points.length).toBeLessThanOrEqual(24);
    } finally {
      database.close();
    }
  });

  it('list_alerts, alert_details and explain_finding describe an alert', async () => {
    const alert = await fixture.raise({ conditionId: 'pump-01/limit/flow.low', asset: 'pump-01', message: 'flow 40 m³/h below low limit 60', details: { signal: 'flow', value: 40, limit: 60, deadband: 5 } });
    fixture.alerts.comment(alert.id, { user: 'li', text: 'valve checked' });
    const list = (await call('list_alerts', { asset: 'pump-01' })).result as { alerts: { id: number }[] };
    expect(list.alerts.map((a) => a.id)).toContain(alert.id);
    const details = (await call('alert_details', { alertId: alert.id })).result as { history: { type: string; comment: string | null }[] };
    expect(details.history.map((event) => event.type)).toEqual(['activated', 'commented']);
    const explanation = (await call('explain_finding', { alertId: alert.id })).result as { limit: unknown; deviations: { signal: string }[] };
    expect(explanation.limit).toEqual({ signal: 'flow', limit: 60, value: 40 });
    expect(explanation.deviations[0]!.signal).toBe('flow');
  });

  it('run_model: the newest finding with each signal share', async () => {
    const { result } = await call('run_model', { asset: 'pump-01' });
    expect(result).toMatchObject({ model: 'centrifugal-pump', anomalous: true, latest: { score: 30, signals: [{ signal: 'vibration_de', share: 0.8, value: 4.2, fittedMean: 1.6 }] } });
    expect((await call('run_model', { asset: 'meter-01' })).result).toMatchObject({ model: null });
  });

  it('search_manuals: labelled excerpts registered as this turn’s citations', async () => {
    const outcome = await call('search_manuals', { query: 'drive-end bearing replacement', machineKind: 'centrifugal-pump', limit: 2 });
    const excerpts = (outcome.result as { excerpts: { label: string; section: string }[] }).excerpts;
    expect(excerpts.map((e) => e.label)).toEqual(['M1', 'M2']);
    expect(excerpts.map((e) => e.section)).toContain('P-PUMP-03');
    expect(citations.get('M1')?.chunk.sectionId).toBe(excerpts[0]!.section);
  });

  it('asset_info: configuration and model card', async () => {
    const { result } = await call('asset_info', { asset: 'pump-01' });
    expect(result).toMatchObject({ name: 'Cooling water pump 1', kind: 'centrifugal-pump', model: { id: 'centrifugal-pump', threshold: 12 } });
  });

  it('refuses unknown tools, bad arguments and unknown assets with a message the model can act on, and audits every call', async () => {
    expect(await call('write_plc', { value: 1 })).toEqual({ isError: true, result: expect.stringMatching(/^there is no tool "write_plc"; the tools are: live_values/) });
    expect(await call('live_values', { asset: 7 })).toEqual({ isError: true, result: expect.stringMatching(/^invalid arguments for live_values: \/asset/) });
    expect(await call('live_values', { asset: 'pump-99' })).toEqual({ isError: true, result: expect.stringMatching(/^no asset "pump-99"; the assets are: pump-01/) });
    const entries = fixture.audit.list({ user: 'maria', limit: 1000 }).filter((entry) => entry.action.startsWith('assistant.tool.'));
    expect(entries.find((entry) => entry.action === 'assistant.tool.write_plc')).toMatchObject({ outcome: 'rejected' });
    expect(entries.find((entry) => entry.action === 'assistant.tool.live_values' && entry.outcome === 'ok')?.detail).toMatch(/^args=\{"asset":"pump-01"\} result=/);
  });
});
