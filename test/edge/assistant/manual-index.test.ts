import { readdirSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Bm25Engine } from '../../../edge/assistant/knowledge/bm25-engine.js';
import type { ManualChunk } from '../../../edge/assistant/knowledge/manual-chunk.js';
import { ManualIndex } from '../../../edge/assistant/knowledge/manual-index.js';
import { parseMarkdownManual } from '../../../edge/assistant/knowledge/markdown-sections.js';
import { chunkManual } from '../../../edge/assistant/knowledge/section-chunker.js';
import { tokenize } from '../../../edge/assistant/knowledge/search-tokenizer.js';

const FIXTURES = new URL('./fixtures/manuals/', import.meta.url);

function fixtureChunks(): Map<string, ManualChunk[]> {
  const files = new Map<string, ManualChunk[]>();
  for (const language of ['en', 'zh']) {
    for (const name of readdirSync(new URL(`${language}/`, FIXTURES))) {
      const file = `${language}/${name}`;
      const parsed = parseMarkdownManual(readFileSync(new URL(file, FIXTURES), 'utf8'), name);
      files.set(file, chunkManual(parsed, file, parsed.machineKind ?? name.replace(/\.md$/, '')));
    }
  }
  return files;
}

let index: ManualIndex;
beforeAll(() => {
  index = new ManualIndex();
  for (const [file, chunks] of fixtureChunks()) index.replaceFile(file, chunks);
});

const top = (query: string, options = {}) => index.search(query, { limit: 3, ...options }).map((hit) => `${hit.chunk.file}:${hit.chunk.sectionId}`);

describe('ManualIndex: ranking', () => {
  it('finds the troubleshooting row for symptoms described in English', () => {
    expect(top('the drive end bearing of the pump keeps getting hotter and vibrates more')[0]).toBe('en/centrifugal-pump.md:T-PUMP-01');
    expect(top('sounds like gravel inside the pump casing')[0]).toBe('en/centrifugal-pump.md:T-PUMP-02');
    expect(top('compressor discharge temperature too high')[0]).toBe('en/air-compressor.md:T-COMP-01');
  });

  it('finds the same sections for questions in Chinese', () => {
    expect(top('泵壳里有砂石一样的声音，入口压力也在下降')[0]).toBe('zh/centrifugal-pump.md:T-PUMP-02');
    expect(top('怎么更换驱动端轴承？')[0]).toBe('zh/centrifugal-pump.md:P-PUMP-03');
    expect(top('电机过热跳闸后多久可以复位')[0]).toBe('zh/centrifugal-pump.md:F-PUMP-101');
  });

  it('finds a section by its id or a procedure by what it is for', () => {
    expect(top('P-PUMP-03')).toEqual(expect.arrayContaining(['en/centrifugal-pump.md:P-PUMP-03', 'zh/centrifugal-pump.md:P-PUMP-03']));
    expect(top('how do I lock out the compressor and release the pressure')[0]).toBe('en/air-compressor.md:P-COMP-01');
  });

  it('filters by machine kind, file and language, and prefers a language without excluding the other', () => {
    expect(top('lock out', { machineKind: 'air-compressor' }).every((hit) => hit.startsWith('en/air-compressor.md'))).toBe(true);
    expect(top('P-PUMP-03', { language: 'zh' }).every((hit) => hit.startsWith('zh/'))).toBe(true);
    expect(top('P-PUMP-03', { language: 'zh' })[0]).toBe('zh/centrifugal-pump.md:P-PUMP-03');
    expect(top('P-PUMP-03', { file: 'en/centrifugal-pump.md' })[0]).toBe('en/centrifugal-pump.md:P-PUMP-03');
    expect(top('P-PUMP-03', { preferLanguage: 'zh' }).slice(0, 2)).toEqual(['zh/centrifugal-pump.md:P-PUMP-03', 'en/centrifugal-pump.md:P-PUMP-03']);
  });

  it('returns nothing for words no manual has', () => {
    expect(index.search('xylophone quasar')).toEqual([]);
  });

  it('forgets a file\'s old chunks when the file is replaced or removed', () => {
    const local = new ManualIndex();
    const chunks = fixtureChunks().get('en/air-compressor.md')!;
    local.replaceFile('en/air-compressor.md', chunks);
    expect(local.search('oil cooler fins')).toHaveLength(1);
    local.replaceFile('en/air-compressor.md', chunks.filter((chunk) => chunk.sectionId === 'P-COMP-01'));
    expect(local.search('oil cooler fins')).toEqual([]);
    local.replaceFile('en/air-compressor.md', []);
    expect(local.size).toBe(0);
  });
});

describe('Bm25Engine', () => {
  it('ranks exactly as minisearch\'s own search does', () => {
    const boost = { heading: 3, text: 1 };
    const engine = new Bm25Engine<ManualChunk>({
      fields: ['heading', 'text'],
      tokenize: (text) => tokenize(text),
      processTerm: (term) => term,
      extractField: (chunk, field) => (field === 'id' ? chunk.id : field === 'heading' ? (chunk.headingPath.at(-1) ?? '') : chunk.text),
    });
    const all = [...fixtureChunks().values()].flat();
    engine.addAll(all);
    engine.discard(all[0]!.id);
    for (const query of ['bearing vibration pump pump', '入口压力下降 砂石声', 'lock out and release the pressure', 'P-PUMP-03 轴承']) {
      const ours = engine.rank(tokenize(query), { boost, limit: 100 });
      const theirs = engine.search({ queries: tokenize(query), combineWith: 'OR' }, { boost, tokenize: (term) => [term] });
      expect(ours.map((hit) => hit.id)).toEqual(theirs.map((hit) => hit.id));
      ours.forEach((hit, position) => expect(hit.score).toBeCloseTo(theirs[position]!.score, 9));
    }
  });
});
