/**
 * npm run bench:assistant (second part) — the offline assistant end to end: every question of
 * simulators/manuals/questions.json asked through `ConsoleAssistant.answer` (analysis, retrieval, live values,
 * cards, both conversation turns written to SQLite), with a few live values on the bus and open alerts; then
 * escalations of injected model findings. Prints answer time p50/p95/max and how often the answering section
 * is among the sections the answer cites.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { silentLogger } from '../../gateway/logger.js';
import { TelemetryBus } from '../../gateway/telemetry-bus.js';
import { AlertEngine } from '../../edge/alerts/alert-engine.js';
import { alertsSchema } from '../../edge/alerts/alert-store.js';
import { resolveAssistantConfig } from '../../edge/assistant/assistant-config.js';
import { conversationsSchema } from '../../edge/assistant/conversation/conversation-store.js';
import { createAssistant } from '../../edge/assistant/create-assistant.js';
import { loadConfigFile } from '../../edge/config/load-config.js';
import type { ChatCard } from '../../edge/console/ws-messages.js';
import { AuditLog, auditSchema } from '../../edge/store/audit-log.js';
import { openBoxDatabase } from '../../edge/store/box-database.js';
import { workOrdersSchema } from '../../edge/store/work-orders.js';

interface Question {
  readonly id: string;
  readonly lang: string;
  readonly question: string;
  readonly section: string;
}

const ROUNDS = 5;
const ESCALATIONS = 50;
const MANUALS = fileURLToPath(new URL('../../simulators/manuals/', import.meta.url));

function percentile(sorted: readonly number[], share: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(share * sorted.length) - 1)] ?? NaN;
}

function describe(label: string, times: number[]): string {
  const sorted = [...times].sort((a, b) => a - b);
  return `${label.padEnd(34)} ${String(sorted.length).padStart(5)}   p50 ${percentile(sorted, 0.5).toFixed(2).padStart(6)} ms   p95 ${percentile(sorted, 0.95).toFixed(2).padStart(6)} ms   max ${sorted.at(-1)!.toFixed(2).padStart(6)} ms`;
}

async function main(): Promise<void> {
  const questions = (JSON.parse(readFileSync(path.join(MANUALS, 'questions.json'), 'utf8')) as { questions: Question[] }).questions;
  const config = await loadConfigFile(fileURLToPath(new URL('../../edge/config/demo.yaml', import.meta.url)));
  const dataDir = mkdtempSync(path.join(tmpdir(), 'millwright-bench-assistant-'));
  const database = openBoxDatabase({ dataDir, schemas: [alertsSchema, auditSchema, workOrdersSchema, conversationsSchema] });
  const audit = new AuditLog(database);
  const alerts = new AlertEngine({ database, audit });
  alerts.start();
  const bus = new TelemetryBus({ historyPerSignal: 100 });
  const assistant = await createAssistant({
    settings: resolveAssistantConfig({ provider: 'offline', escalation: { priority: 'medium' } }, dataDir),
    knowledge: { folder: MANUALS, exclude: ['README.md'], watch: false, cacheFile: null, chunking: { maxChars: 2000, overlapChars: 250 }, hybrid: false },
    site: config.site,
    assets: config.assets,
    bus,
    alerts,
    history: null,
    detection: null,
    database,
    audit,
    logger: silentLogger,
  });
  const now = Date.now();
  for (const [asset, { signals }] of Object.entries(config.assets)) {
    bus.publish(Object.entries(signals).map(([signal, signalConfig]) => ({ asset, signal, value: signalConfig.normal ? (signalConfig.normal[0] + signalConfig.normal[1]) / 2 : 0, ts: now, quality: 'good' as const, source: 'bench' })));
  }

  const answerTimes: number[] = [];
  const byLanguage = new Map<string, number[]>();
  let cited = 0;
  for (let round = 0; round < ROUNDS; round++) {
    for (const question of questions) {
      const cards: ChatCard[] = [];
      const started = performance.now();
      await assistant.answer(
        { user: 'bench', role: 'operator', conversationId: null, text: question.question, signal: new AbortController().signal },
        { conversation: () => undefined, delta: () => undefined, card: (card) => cards.push(card) },
      );
      const ms = performance.now() - started;
      answerTimes.push(ms);
      byLanguage.set(question.lang, [...(byLanguage.get(question.lang) ?? []), ms]);
      if (round === 0 && cards.some((card) => card.kind === 'manual' && (card.data as { sectionId: string }).sectionId === question.section)) cited += 1;
    }
  }

  const escalationTimes: number[] = [];
  for (let i = 0; i < ESCALATIONS; i++) {
    const ts = Date.now();
    const started = performance.now();
    alerts.report([
      {
        conditionId: `pump-01/model/bench-${i}`,
        asset: 'pump-01',
        kind: 'model',
        active: true,
        priority: 'medium',
        ts,
        message: 'pump-01 deviates from normal: vibration_de (62 %), bearing_temp_de (27 %)',
        details: {
          model: 'centrifugal-pump', modelVersion: '1', mode: 'machine', score: 40, threshold: 12, severity: 3.3, ts,
          contributions: [
            { signal: 'vibration_de', contribution: 0.62, unit: 'mm/s', value: 4.9, normalMean: 1.6, normalSd: 0.15 },
            { signal: 'bearing_temp_de', contribution: 0.27, unit: '°C', value: 79, normalMean: 56, normalSd: 1.5 },
          ],
        },
      },
    ]);
    await assistant.escalations.idle();
    escalationTimes.push(performance.now() - started);
  }

  console.log(`\nOffline assistant (no language model), ${questions.length} questions × ${ROUNDS} rounds, answers written to SQLite`);
  console.log(describe('answer, all questions', answerTimes));
  for (const [language, times] of byLanguage) console.log(describe(`answer, ${language}`, times));
  console.log(describe('escalation of a model finding', escalationTimes));
  console.log(`Answering section among the cited ones: ${cited} of ${questions.length} (${((100 * cited) / questions.length).toFixed(1)} %)\n`);
  await assistant.close();
  alerts.stop();
  database.close();
  rmSync(dataDir, { recursive: true, force: true });
}

await main();
