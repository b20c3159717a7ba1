import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../../../gateway/logger.js';
import { loadDetectionModel, modelFilesOf, type DetectionModel } from '../detection-model.js';

/** Where a model file came from: shipped with Millwright (models/) or written on this box (<dataDir>/models). */
export type ModelOrigin = 'shipped' | 'box';

/** One model found in a folder: loaded and checked, or the reason it could not be. */
export type LibraryEntry =
  | { readonly status: 'loaded'; readonly origin: ModelOrigin; readonly cardFile: string; readonly modelFile: string; readonly model: DetectionModel }
  | { readonly status: 'failed'; readonly origin: ModelOrigin; readonly cardFile: string; readonly modelFile: string; readonly error: string };

interface Cached {
  readonly entry: LibraryEntry;
  /** mtime and size of the card and the model when loaded: a change means the files were rewritten. */
  readonly signature: string;
}

/**
 * The models of the box's folders, each loaded once and kept until its files change. A card (.json) or
 * an ONNX file (.onnx) counts as a model; one that cannot be loaded — a bad card, a missing partner
 * file, a model that does not fit its card — becomes a failed entry with the error naming both files.
 */
export class ModelLibrary {
  private readonly cache = new Map<string, Cached>();

  constructor(
    private readonly folders: readonly { readonly folder: string; readonly origin: ModelOrigin }[],
    private readonly logger: Logger,
  ) {}

  /**
   * Re-reads the folders: loads new and changed models, forgets removed ones. Returns every entry and
   * the models no longer in the library (their sessions are the caller's to release once unused).
   */
  async refresh(): Promise<{ entries: LibraryEntry[]; dropped: DetectionModel[] }> {
    const seen = new Set<string>();
    const dropped: DetectionModel[] = [];
    for (const { folder, origin } of this.folders) {
      for (const cardFile of await modelCardFiles(folder)) {
        seen.add(cardFile);
        const { modelFile } = modelFilesOf(cardFile);
        const signature = await fileSignature(cardFile, modelFile);
        const cached = this.cache.get(cardFile);
        if (cached?.signature === signature) continue;
        if (cached?.entry.status === 'loaded') dropped.push(cached.entry.model);
        this.cache.set(cardFile, { entry: await this.load(cardFile, modelFile, origin), signature });
      }
    }
    for (const [cardFile, cached] of this.cache) {
      if (seen.has(cardFile)) continue;
      this.cache.delete(cardFile);
      if (cached.entry.status === 'loaded') dropped.push(cached.entry.model);
      this.logger.info({ cardFile }, `model ${path.basename(cardFile, '.json')} removed from ${path.dirname(cardFile)}`);
    }
    return { entries: this.entries(), dropped };
  }

  entries(): LibraryEntry[] {
    return [...this.cache.values()].map((cached) => cached.entry);
  }

  /** Every loaded model (for release at shutdown). */
  models(): DetectionModel[] {
    return this.entries().flatMap((entry) => (entry.status === 'loaded' ? [entry.model] : []));
  }

  private async load(cardFile: string, modelFile: string, origin: ModelOrigin): Promise<LibraryEntry> {
    try {
      const model = await loadDetectionModel(cardFile);
      this.logger.info({ cardFile, model: model.card.id }, `model ${model.card.id} loaded from ${cardFile} (${model.card.assetKind}${model.card.asset ? `, for ${model.card.asset}` : ''})`);
      return { status: 'loaded', origin, cardFile, modelFile, model };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.logger.error({ cardFile, modelFile }, `a model could not be loaded; the box runs on without it: ${message}`);
      return { status: 'failed', origin, cardFile, modelFile, error: message };
    }
  }
}

/** The card file of every model in a folder: each .json, and each .onnx without one (reported as lacking its card). */
async function modelCardFiles(folder: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(folder);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const bases = new Set(names.filter((name) => /\.(json|onnx)$/i.test(name)).map((name) => name.replace(/\.(json|onnx)$/i, '')));
  return [...bases].sort().map((base) => path.join(folder, `${base}.json`));
}

async function fileSignature(...files: string[]): Promise<string> {
  const parts = await Promise.all(
    files.map(async (file) => {
      try {
        const info = await stat(file);
        return `${info.mtimeMs}:${info.size}`;
      } catch {
        return 'missing';
      }
    }),
  );
  return parts.join('|');
}
