import type { Logger } from '../../gateway/logger.js';
import type { TelemetryBus } from '../../gateway/telemetry-bus.js';
import type { AlertEngine } from '../alerts/alert-engine.js';
import type { AssetConfig } from '../config/config-schema.js';
import type { AssetHistory } from '../store/asset-history.js';
import type { AuditLog } from '../store/audit-log.js';
import type { BoxDatabase } from '../store/box-database.js';
import { WorkOrderStore } from '../store/work-orders.js';
import type { AssistantSettings } from './assistant-config.js';
import { ConversationStore } from './conversation/conversation-store.js';
import { KnowledgeBase } from './knowledge/knowledge-base.js';
import type { KnowledgeSettings } from './knowledge/knowledge-config.js';
import { terminalProgress } from './knowledge/indexing-progress.js';
import { MillwrightAssistant } from './millwright-assistant.js';
import { createProviders } from './providers/create-providers.js';
import type { ModuleImporter } from './providers/llama-cpp-module.js';
import type { DetectionView } from './tools/plant-access.js';

export interface CreateAssistantOptions {
  readonly settings: AssistantSettings;
  readonly knowledge: KnowledgeSettings;
  readonly site: string;
  readonly assets: Readonly<Record<string, AssetConfig>>;
  readonly bus: TelemetryBus;
  readonly alerts: AlertEngine;
  readonly history: AssetHistory | null;
  readonly detection: DetectionView | null;
  /** Opened with workOrdersSchema and conversationsSchema among its schemas. */
  readonly database: BoxDatabase;
  readonly audit: AuditLog;
  readonly logger: Logger;
  /** For tests: how node-llama-cpp is imported. */
  readonly importModule?: ModuleImporter;
}

/**
 * Builds the assistant from the configuration: the language model (or none: offline), the manuals' index
 * (watched for changes when configured), the stores, and starts escalating alerts. `close()` releases all.
 */
export async function createAssistant(options: CreateAssistantOptions): Promise<MillwrightAssistant> {
  const { settings, knowledge, logger } = options;
  const models = await createProviders(settings.providers, logger, options.importModule ? { importModule: options.importModule } : {});
  let manuals: KnowledgeBase;
  try {
    manuals = await KnowledgeBase.open({
      folder: knowledge.folder,
      exclude: knowledge.exclude,
      cacheFile: knowledge.cacheFile,
      chunking: knowledge.chunking,
      embeddings: knowledge.hybrid ? models.embeddings : null,
      logger,
      onProgress: terminalProgress(),
    });
  } catch (error) {
    await models.chat?.close();
    throw error;
  }
  if (knowledge.watch) manuals.watch();
  const assistant = new MillwrightAssistant({
    plant: { site: options.site, assets: options.assets, bus: options.bus, alerts: options.alerts, manuals, history: options.history, detection: options.detection },
    chat: models.chat,
    conversations: new ConversationStore(options.database),
    workOrders: new WorkOrderStore(options.database),
    audit: options.audit,
    settings,
    logger,
    onClose: async () => {
      await manuals.close();
      await models.chat?.close();
    },
  });
  assistant.start();
  logger.info(
    { chunks: manuals.chunkCount, model: assistant.model ?? 'none' },
    `assistant: ${manuals.chunkCount} manual chunks from ${knowledge.folder}; ${assistant.model ? `language model ${assistant.model}` : 'no language model (offline answers from the manuals and live data)'}; alerts of priority ${settings.escalation.priority} or above are explained${settings.escalation.enabled ? '' : ' (off)'}`,
  );
  return assistant;
}
