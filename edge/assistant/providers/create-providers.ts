import type { Logger } from '../../../gateway/logger.js';
import type { ChatProvider } from './chat-types.js';
import type { EmbeddingProvider } from './embedding-provider.js';
import { LlamaCppProvider } from './llama-cpp-provider.js';
import type { ModuleImporter } from './llama-cpp-module.js';
import { OpenAIChatProvider } from './openai-chat-provider.js';
import { OpenAIEmbeddings } from './openai-embeddings.js';
import type { AssistantProviderSettings } from './provider-config.js';

export interface AssistantModels {
  /** Null: offline, no language model attached. */
  readonly chat: ChatProvider | null;
  /** Null: keyword (BM25) search only. */
  readonly embeddings: EmbeddingProvider | null;
}

/**
 * The providers a configuration asks for. A local model is loaded here, so a missing package or model file
 * fails at start-up with its message (LlamaCppSetupError), not at the first question.
 */
export async function createProviders(settings: AssistantProviderSettings, logger: Logger, options: { importModule?: ModuleImporter } = {}): Promise<AssistantModels> {
  const embeddings = settings.embeddings !== null ? new OpenAIEmbeddings(settings.embeddings) : null;
  const chatSettings = settings.chat;
  switch (chatSettings.provider) {
    case 'offline':
      return { chat: null, embeddings };
    case 'openai':
      return { chat: new OpenAIChatProvider({ settings: chatSettings, logger }), embeddings };
    case 'llama-cpp':
      return {
        chat: await LlamaCppProvider.open({ settings: chatSettings, logger, ...(options.importModule ? { importModule: options.importModule } : {}) }),
        embeddings,
      };
  }
}
