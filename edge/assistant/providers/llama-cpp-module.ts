import { stat } from 'node:fs/promises';
import type { Logger } from '../../../gateway/logger.js';

/**
 * node-llama-cpp is an optional dependency: imported only when `assistant.provider` is `llama-cpp`, and typed
 * here by the part of its API (3.21.1) this code uses, so the project builds without it.
 */

export const NODE_LLAMA_CPP_VERSION = '3.21.1';
export const NODE_LLAMA_CPP_INSTALL = `npm i -E --omit=optional node-llama-cpp@${NODE_LLAMA_CPP_VERSION} @node-llama-cpp/linux-x64@${NODE_LLAMA_CPP_VERSION}`;

export type LlamaHistoryItem =
  | { type: 'system'; text: string }
  | { type: 'user'; text: string }
  | { type: 'model'; response: (string | LlamaFunctionCallItem)[] };

export interface LlamaFunctionCallItem {
  type: 'functionCall';
  name: string;
  description?: string;
  params: unknown;
  result: unknown;
  startsNewChunk?: boolean;
}

export type LlamaFunctions = Record<string, { description?: string; params?: object }>;

export interface LlamaChatResult {
  response: string;
  functionCalls?: { functionName: string; params: unknown }[];
  metadata: { stopReason: string };
}

export interface LlamaChatLike {
  generateResponse(
    history: LlamaHistoryItem[],
    options: {
      functions?: LlamaFunctions;
      onTextChunk?: (text: string) => void;
      signal?: AbortSignal;
      stopOnAbortSignal?: boolean;
      temperature?: number;
      maxTokens?: number;
    },
  ): Promise<LlamaChatResult>;
  dispose(): void;
}

export interface LlamaSequenceLike {
  readonly tokenMeter: { readonly usedInputTokens: number; readonly usedOutputTokens: number };
}

export interface LlamaContextLike {
  getSequence(): LlamaSequenceLike;
  dispose(): Promise<void>;
}

export interface LlamaModelLike {
  createContext(options: { contextSize?: number | { max: number }; threads?: number }): Promise<LlamaContextLike>;
  dispose(): Promise<void>;
}

export interface LlamaLike {
  loadModel(options: { modelPath: string }): Promise<LlamaModelLike>;
  dispose(): Promise<void>;
}

export interface LlamaModule {
  getLlama(options: {
    gpu: false | 'auto' | 'cuda' | 'vulkan' | 'metal';
    build: 'never';
    logLevel: string;
    logger: (level: string, message: string) => void;
  }): Promise<LlamaLike>;
  LlamaChat: new (options: { contextSequence: LlamaSequenceLike }) => LlamaChatLike;
}

export type ModuleImporter = (specifier: string) => Promise<unknown>;

const importByName: ModuleImporter = (specifier) => import(specifier);

/** Loading the local model failed; the message says what to do. */
export class LlamaCppSetupError extends Error {
  override readonly name = 'LlamaCppSetupError';
}

/** Imports node-llama-cpp, or explains how to install it. */
export async function importNodeLlamaCpp(importer: ModuleImporter = importByName): Promise<LlamaModule> {
  let loaded: unknown;
  try {
    loaded = await importer('node-llama-cpp');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const itself = /['"]node-llama-cpp['"]/.test((error as Error).message);
    if ((code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && itself) {
      throw new LlamaCppSetupError(
        `assistant.provider is "llama-cpp" but the optional package node-llama-cpp is not installed. Install it (CPU build, about 85 MB) in the Millwright folder with:\n  ${NODE_LLAMA_CPP_INSTALL}\nor use an OpenAI-compatible server instead (provider: openai).`,
        { cause: error },
      );
    }
    throw new LlamaCppSetupError(`node-llama-cpp could not be loaded: ${(error as Error).message}. Reinstall it with:\n  ${NODE_LLAMA_CPP_INSTALL}`, { cause: error });
  }
  const module = loaded as Partial<LlamaModule>;
  if (typeof module.getLlama !== 'function' || typeof module.LlamaChat !== 'function') {
    throw new LlamaCppSetupError(`the installed node-llama-cpp has no getLlama/LlamaChat: install version ${NODE_LLAMA_CPP_VERSION} with:\n  ${NODE_LLAMA_CPP_INSTALL}`);
  }
  return module as LlamaModule;
}

/** Starts llama.cpp from the prebuilt binaries (never compiles, never downloads). */
export async function startLlama(module: LlamaModule, gpu: false | 'auto' | 'cuda' | 'vulkan' | 'metal', logger: Logger): Promise<LlamaLike> {
  try {
    return await module.getLlama({
      gpu,
      build: 'never',
      logLevel: 'warn',
      logger: (level, message) => {
        if (level === 'fatal' || level === 'error') logger.error(`llama.cpp: ${message}`);
        else logger.warn(`llama.cpp: ${message}`);
      },
    });
  } catch (error) {
    const backend = gpu === false ? 'CPU' : `GPU (${gpu})`;
    throw new LlamaCppSetupError(
      `node-llama-cpp found no usable prebuilt llama.cpp binary for ${backend} on ${process.platform}-${process.arch}: ${(error as Error).message}. Install the prebuilt binaries with:\n  ${NODE_LLAMA_CPP_INSTALL}${gpu === false ? '' : '\nor set assistant.gpu: false'}`,
      { cause: error },
    );
  }
}

/** The model file's size, or an error saying what is wrong with the path. Cheap: run it before starting llama.cpp. */
export async function checkModelFile(modelPath: string): Promise<number> {
  try {
    const info = await stat(modelPath);
    if (info.isFile()) return info.size;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new LlamaCppSetupError(
      code === 'ENOENT'
        ? `assistant.modelPath: ${modelPath} does not exist: download a GGUF chat model with tool-call support (e.g. a Qwen2.5 or Llama 3.1 instruct model, quantized Q4_K_M) and point modelPath at it`
        : `assistant.modelPath: cannot read ${modelPath} (${code ?? (error as Error).message})`,
      { cause: error },
    );
  }
  throw new LlamaCppSetupError(`assistant.modelPath: ${modelPath} is not a file: point it at a .gguf model file`);
}

/** Loads the GGUF file, or says what is wrong with the path or the file. */
export async function loadGgufModel(llama: LlamaLike, modelPath: string): Promise<LlamaModelLike> {
  const size = await checkModelFile(modelPath);
  try {
    return await llama.loadModel({ modelPath });
  } catch (error) {
    const reason = (error as Error).message;
    const notGguf = /gguf magic|not a gguf|invalid gguf/i.test(reason);
    throw new LlamaCppSetupError(
      notGguf
        ? `assistant.modelPath: ${modelPath} (${size} bytes) is not a GGUF model file (${reason}): download the model again or point modelPath at a .gguf file`
        : `assistant.modelPath: llama.cpp could not load ${modelPath}: ${reason}`,
      { cause: error },
    );
  }
}
