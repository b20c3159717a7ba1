import { cpSync, mkdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../gateway/logger.js';
import type { IndexingProgress } from '../../../edge/assistant/knowledge/indexing-progress.js';
import { KnowledgeBase, type KnowledgeBaseOptions, type RefreshSummary } from '../../../edge/assistant/knowledge/knowledge-base.js';
import { OpenAIEmbeddings } from '../../../edge/assistant/providers/openai-embeddings.js';
import { tempFolder } from '../../support/temp-folder.js';
import { FakeOpenAIServer } from './fake-openai-server.js';
import { minimalPdf } from './minimal-pdf.js';

const FIXTURES = fileURLToPath(new URL('./fixtures/manuals/', import.meta.url));

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function manualsFolder(): { folder: string; data: string } {
  const temp = tempFolder('manuals');
  cleanups.push(() => temp.remove());
  const folder = join(temp.path, 'manuals');
  cpSync(FIXTURES, folder, { recursive: true });
  writeFileSync(join(folder, 'en', 'energy-meter.txt'), 'ENERGY METER\n\n1 Replacing the meter\n\nShort the current transformer secondaries before removing the meter.\n');
  writeFileSync(
    join(folder, 'en', 'conveyor.pdf'),
    minimalPdf({ pages: [[{ text: 'Belt tracking (P-CONV-05)', size: 16, y: 720 }, { text: 'Adjust the tail pulley take-up until the belt runs centred.', size: 11, y: 700 }]] }),
  );
  return { folder, data: join(temp.path, 'data') };
}

async function open(options: Partial<KnowledgeBaseOptions> & { folder: string }): Promise<KnowledgeBase> {
  const base = await KnowledgeBase.open({ logger: silentLogger, debounceMs: 50, ...options });
  cleanups.push(() => base.close());
  return base;
}

/** The next refresh whose summary satisfies `wanted` (a burst of file events may cause more than one). */
function refreshWhere(base: KnowledgeBase, wanted: (summary: RefreshSummary) => boolean, timeoutMs = 10_000): Promise<RefreshSummary> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no matching refresh within ${timeoutMs} ms`)), timeoutMs);
    const listener = (summary: RefreshSummary) => {
      if (!wanted(summary)) return;
      clearTimeout(timer);
      base.off('refresh', listener);
      resolve(summary);
    };
    base.on('refresh', listener);
  });
}

describe('KnowledgeBase', () => {
  it('indexes Markdown, plain text and PDF manuals of a folder, and lists them', async () => {
    const { folder } = manualsFolder();
    const progress: IndexingProgress[] = [];
    const base = await open({ folder, onProgress: (step) => progress.push(step) });
    expect(base.manuals().map((manual) => [manual.file, manual.machineKind, manual.languages])).toEqual([
      ['en/air-compressor.md', 'air-compressor', ['en']],
      ['en/centrifugal-pump.md', 'centrifugal-pump', ['en']],
      ['en/conveyor.pdf', 'conveyor', ['en']],
      ['en/energy-meter.txt', 'energy-meter', ['en']],
      ['zh/centrifugal-pump.md', 'centrifugal-pump', ['zh']],
    ]);
    expect((await base.search('belt runs off centre, adjust the tail pulley'))[0]!.chunk).toMatchObject({ sectionId: 'P-CONV-05', page: 1 });
    expect(base.searchKeywords('current transformer secondaries')[0]!.chunk.file).toBe('en/energy-meter.txt');
    expect(progress.at(-1)).toEqual({ phase: 'parsing', done: 5, total: 5 });
  });

  it('leaves out excluded files and folders', async () => {
    const { folder } = manualsFolder();
    writeFileSync(join(folder, 'README.md'), '# About this folder\n\nHow the question set is built.\n');
    mkdirSync(join(folder, 'en', 'drafts'));
    writeFileSync(join(folder, 'en', 'drafts', 'pump-v2.md'), '# Draft\n\nNot approved.\n');
    const base = await open({ folder, exclude: ['README.md', 'drafts'] });
    expect(base.manuals().map((manual) => manual.file)).not.toEqual(expect.arrayContaining(['README.md']));
    expect(base.manuals().some((manual) => manual.file.includes('drafts'))).toBe(false);
    expect(base.manuals()).toHaveLength(5);
  });

  it('says which folder is missing', async () => {
    await expect(KnowledgeBase.open({ folder: '/nonexistent/manuals', logger: silentLogger })).rejects.toThrow('manuals folder /nonexistent/manuals does not exist');
  });

  it('keeps a broken file out of the index, says why, and indexes the rest', async () => {
    const { folder } = manualsFolder();
    writeFileSync(join(folder, 'en', 'broken.pdf'), 'this is not a PDF');
    const base = await open({ folder });
    expect(base.fileProblems()).toEqual([{ file: 'en/broken.pdf', message: expect.stringMatching(/PDF/i) }]);
    expect(base.manuals()).toHaveLength(5);
  });

  it('re-indexes only what changed in the folder while watching', async () => {
    const { folder } = manualsFolder();
    const base = await open({ folder });
    base.watch();
    const pump = join(folder, 'en', 'centrifugal-pump.md');

    const changed = refreshWhere(base, (summary) => summary.changed.includes('en/centrifugal-pump.md'));
    writeFileSync(pump, `${readFileSync(pump, 'utf8')}\n## Impeller trimming (P-PUMP-13)\n\nTrim the impeller on a lathe to reduce the head.\n`);
    expect(await changed).toMatchObject({ added: [], removed: [], unchanged: 4 });
    expect(base.searchKeywords('impeller lathe')[0]!.chunk.sectionId).toBe('P-PUMP-13');

    const added = refreshWhere(base, (summary) => summary.added.length > 0);
    mkdirSync(join(folder, 'en', 'new'));
    writeFileSync(join(folder, 'en', 'new', 'spindle.md'), '# Spindle\n\n## Tool clamping (P-SPDL-04)\n\nCheck the drawbar force.\n');
    expect((await added).added).toEqual(['en/new/spindle.md']);

    const removed = refreshWhere(base, (summary) => summary.removed.length > 0);
    rmSync(join(folder, 'en', 'air-compressor.md'));
    expect((await removed).removed).toEqual(['en/air-compressor.md']);
    expect(base.searchKeywords('oil cooler fins')).toEqual([]);
  });

  it('reuses the cache for files whose size and time are unchanged, and re-reads the others', async () => {
    const { folder, data } = manualsFolder();
    const cacheFile = join(data, 'knowledge', 'manual-index.json');
    const compressor = join(folder, 'en', 'air-compressor.md');
    const mtime = new Date('2025-01-02T03:04:05Z'); // whole seconds survive utimes exactly
    utimesSync(compressor, mtime, mtime);
    const first = await open({ folder, cacheFile });
    await first.close();

    // same size and modification time, different words: the cache is trusted without reading the file
    const { size } = statSync(compressor);
    const text = readFileSync(compressor, 'utf8');
    writeFileSync(compressor, text.replace('fouled', 'dirtyy'));
    expect(statSync(compressor).size).toBe(size);
    utimesSync(compressor, mtime, mtime);
    const second = await open({ folder, cacheFile });
    expect(second.searchKeywords('fouled')[0]!.chunk.file).toBe('en/air-compressor.md');
    await second.close();

    // a new time: read, hashed, re-parsed
    utimesSync(compressor, new Date(), new Date());
    const third = await open({ folder, cacheFile });
    expect(third.searchKeywords('fouled')).toEqual([]);
    expect(third.searchKeywords('dirtyy')[0]!.chunk.file).toBe('en/air-compressor.md');
    await third.close();

    // other chunking options: the cache is ignored
    writeFileSync(compressor, text.replace('fouled', 'grimey'));
    utimesSync(compressor, mtime, mtime);
    const fourth = await open({ folder, cacheFile, chunking: { maxChars: 1500, overlapChars: 100 } });
    expect(fourth.searchKeywords('grimey')[0]!.chunk.file).toBe('en/air-compressor.md');
  });
});

describe('KnowledgeBase: hybrid search', () => {
  async function hybrid(cacheFile?: string) {
    const server = await FakeOpenAIServer.start();
    cleanups.push(() => server.close());
    const embeddings = new OpenAIEmbeddings({
      baseURL: server.baseURL,
      model: 'fake-embed',
      apiKey: null,
      batchSize: 16,
      timeouts: { connectMs: 2_000, firstTokenMs: 2_000, idleMs: 2_000 },
      retry: { maxRetries: 0, initialDelayMs: 10, maxDelayMs: 100 },
    });
    return { server, embeddings, cacheFile };
  }

  it('embeds every chunk, fuses keyword and vector rankings, and falls back to keywords when the server is gone', async () => {
    const { folder } = manualsFolder();
    const { server, embeddings } = await hybrid();
    const base = await open({ folder, embeddings });
    expect(base.embeddedCount).toBe(base.chunkCount);
    const hits = await base.search('bearing replacement induction heater', { limit: 3 });
    expect(hits[0]!.chunk.sectionId).toBe('P-PUMP-03');
    expect(hits[0]!.score).toBeLessThan(1); // a fused reciprocal-rank score, not BM25
    const queries = server.requests.filter((request) => request.path === '/v1/embeddings').length;
    await base.search('bearing', { machineKind: 'air-compressor' });
    expect(server.requests.filter((request) => request.path === '/v1/embeddings')).toHaveLength(queries + 1);

    await server.close();
    const fallback = await base.search('bearing replacement induction heater', { limit: 3 });
    expect(fallback.map((hit) => hit.chunk.id)).toEqual(base.searchKeywords('bearing replacement induction heater', { limit: 3 }).map((hit) => hit.chunk.id));
  });

  it('keeps vectors in the cache and asks the server only for chunks it has not embedded', async () => {
    const { folder, data } = manualsFolder();
    const cacheFile = join(data, 'knowledge', 'manual-index.json');
    const { server, embeddings } = await hybrid();
    const first = await open({ folder, embeddings, cacheFile });
    const chunks = first.chunkCount;
    await first.close();
    const embedded = () => server.requests.filter((request) => request.path === '/v1/embeddings').flatMap((request) => request.body?.['input'] as string[]).length;
    expect(embedded()).toBe(chunks);

    writeFileSync(join(folder, 'en', 'extra.md'), '# Extra\n\n## Guard check (P-X-01)\n\nCheck the guards.\n');
    const second = await open({ folder, embeddings, cacheFile });
    expect(second.embeddedCount).toBe(chunks + 1);
    expect(embedded()).toBe(chunks + 1);
  });
});
