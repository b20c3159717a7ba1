import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { silentLogger, type Logger } from '../../../gateway/logger.js';
import { TelemetryBus } from '../../../gateway/telemetry-bus.js';
import { AlertEngine } from '../../../edge/alerts/alert-engine.js';
import type { Alert } from '../../../edge/alerts/alert.js';
import { alertsSchema } from '../../../edge/alerts/alert-store.js';
import type { ConditionReport } from '../../../edge/alerts/condition-report.js';
import { resolveAssistantConfig, type AssistantConfig } from '../../../edge/assistant/assistant-config.js';
import { conversationsSchema } from '../../../edge/assistant/conversation/conversation-store.js';
import { createAssistant } from '../../../edge/assistant/create-assistant.js';
import type { MillwrightAssistant } from '../../../edge/assistant/millwright-assistant.js';
import type { DetectionView } from '../../../edge/assistant/tools/plant-access.js';
import type { AssetConfig } from '../../../edge/config/config-schema.js';
import { parseConfigText } from '../../../edge/config/load-config.js';
import type { ChatSink } from '../../../edge/console/assistant-port.js';
import type { Role } from '../../../edge/console/roles.js';
import type { ChatCard } from '../../../edge/console/ws-messages.js';
import { AuditLog, auditSchema } from '../../../edge/store/audit-log.js';
import { openBoxDatabase, type BoxDatabase } from '../../../edge/store/box-database.js';
import { workOrdersSchema } from '../../../edge/store/work-orders.js';
import { tempFolder } from '../../support/temp-folder.js';
import { FakeOpenAIServer } from './fake-openai-server.js';

export const MANUALS_FOLDER = fileURLToPath(new URL('../../../simulators/manuals/', import.meta.url));
const DEMO_CONFIG = fileURLToPath(new URL('../../../edge/config/demo.yaml', import.meta.url));

/** The demo plant's assets (pump-01, compressor-01, spindle-01, conveyor-01/02, meter-01). */
export function demoAssets(): Readonly<Record<string, AssetConfig>> {
  return parseConfigText(readFileSync(DEMO_CONFIG, 'utf8'), DEMO_CONFIG, fileURLToPath(new URL('../../../edge/config/', import.meta.url))).assets;
}

export interface AssistantFixtureOptions {
  /** true: a fresh fake OpenAI-compatible server (scripted with `fixture.server.enqueue`); false: offline. */
  readonly llm?: boolean;
  /** The `assistant:` section (provider keys are filled in for the fake server). */
  readonly config?: Omit<AssistantConfig, 'provider' | 'baseURL' | 'model'>;
  /** Default: simulators/manuals without its README. */
  readonly manualsFolder?: string;
  readonly assets?: Readonly<Record<string, AssetConfig>>;
  readonly detection?: DetectionView | null;
  readonly logger?: Logger;
}

/** One answer as a console client would receive it. */
export interface RecordedAnswer {
  readonly conversationId: string;
  readonly text: string;
  readonly deltas: readonly string[];
  readonly cards: readonly ChatCard[];
}

export interface AssistantFixture {
  readonly assistant: MillwrightAssistant;
  readonly bus: TelemetryBus;
  readonly alerts: AlertEngine;
  readonly audit: AuditLog;
  readonly database: BoxDatabase;
  /** Null when offline. */
  readonly server: FakeOpenAIServer | null;
  readonly dataDir: string;
  /** Publishes one reading per signal at `ts` (default now). */
  publish(asset: string, values: Readonly<Record<string, number>>, ts?: number): void;
  /** Reports an active condition and returns the alert it opened; waits for its escalation to be written. */
  raise(report: Partial<ConditionReport> & Pick<ConditionReport, 'conditionId' | 'asset' | 'message'>): Promise<Alert>;
  /** Asks as `user` and collects what a ChatSink receives. */
  ask(user: string, role: Role, text: string, conversationId?: string | null, signal?: AbortSignal): Promise<RecordedAnswer>;
  close(): Promise<void>;
}

/**
 * An assistant on a temporary database (real SQLite on disk) with the demo's assets and the real manuals,
 * offline or in front of the fake OpenAI server. For the assistant's own tests and the console's
 * end-to-end tests (attach `fixture.assistant` to a ConsoleServer).
 */
export async function createAssistantFixture(options: AssistantFixtureOptions = {}): Promise<AssistantFixture> {
  const folder = tempFolder('millwright-assistant-');
  const logger = options.logger ?? silentLogger;
  const server = options.llm ? await FakeOpenAIServer.start() : null;
  const database = openBoxDatabase({ dataDir: folder.path, schemas: [alertsSchema, auditSchema, workOrdersSchema, conversationsSchema], logger });
  const audit = new AuditLog(database);
  const alerts = new AlertEngine({ database, audit, logger });
  alerts.start();
  const bus = new TelemetryBus({ historyPerSignal: 1000, logger });
  const assets = options.assets ?? demoAssets();
  const config: AssistantConfig = {
    ...(server ? { provider: 'openai' as const, baseURL: server.baseURL, model: 'fake-model', retries: { max: 0 }, timeouts: { connectMs: 5_000, firstTokenMs: 5_000, idleMs: 5_000 } } : { provider: 'offline' as const }),
    ...options.config,
  };
  const assistant = await createAssistant({
    settings: resolveAssistantConfig(config, folder.path),
    knowledge: { folder: options.manualsFolder ?? MANUALS_FOLDER, exclude: ['README.md'], watch: false, cacheFile: null, chunking: { maxChars: 2000, overlapChars: 250 }, hybrid: false },
    site: 'Millbrook',
    assets,
    bus,
    alerts,
    history: null,
    detection: options.detection ?? null,
    database,
    audit,
    logger,
  });
  return {
    assistant,
    bus,
    alerts,
    audit,
    database,
    server,
    dataDir: folder.path,
    publish(asset, values, ts = Date.now()) {
      bus.publish(Object.entries(values).map(([signal, value]) => ({ asset, signal, value, ts, quality: 'good' as const, source: 'test' })));
    },
    async raise(report) {
      alerts.report([{ kind: 'limit', active: true, priority: 'high', ts: Date.now(), ...report }]);
      const alert = alerts.list({ limit: 1000 }).find((candidate) => candidate.conditionId === report.conditionId);
      if (!alert) throw new Error(`no alert opened for ${report.conditionId}`);
      await assistant.escalations.idle();
      return alert;
    },
    async ask(user, role, text, conversationId = null, signal = new AbortController().signal) {
      const deltas: string[] = [];
      const cards: ChatCard[] = [];
      let id = '';
      const sink: ChatSink = {
        conversation: (value) => {
          id = value;
        },
        delta: (delta) => deltas.push(delta),
        card: (card) => cards.push(card),
      };
      await assistant.answer({ user, role, conversationId, text, signal }, sink);
      return { conversationId: id, text: deltas.join(''), deltas, cards };
    },
    async close() {
      await assistant.close();
      alerts.stop();
      await server?.close();
      database.close();
      folder.remove();
    },
  };
}
