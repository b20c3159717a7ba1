import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseMarkdownManual } from '../../../edge/assistant/knowledge/markdown-sections.js';
import { chunkManual } from '../../../edge/assistant/knowledge/section-chunker.js';
import { parseTextManual } from '../../../edge/assistant/knowledge/text-sections.js';

const fixture = (file: string) => readFileSync(new URL(`./fixtures/manuals/${file}`, import.meta.url), 'utf8');

describe('Markdown sections', () => {
  it('splits by headings with the path of headings above, and takes the title from the first H1', () => {
    const parsed = parseMarkdownManual(fixture('en/centrifugal-pump.md'), 'centrifugal-pump');
    expect(parsed.title).toBe('Centrifugal pump CP-200 — operating and maintenance manual (S-PUMP-00)');
    expect(parsed.sections.map((section) => section.headingPath.slice(1))).toEqual([
      [],
      ['Ratings (S-PUMP-01)'],
      ['Troubleshooting (S-PUMP-07)', 'Drive-end vibration rising, bearing temperature following (T-PUMP-01)'],
      ['Troubleshooting (S-PUMP-07)', 'Suction pressure falling, gravel noise in the casing (T-PUMP-02)'],
      ['Fault code 101 motor over-temperature (F-PUMP-101)'],
      ['Drive-end bearing inspection and replacement (P-PUMP-03)'],
    ]);
    expect(parsed.sections.at(-1)!.blocks.map((block) => block.text)).toHaveLength(2);
  });

  it('ignores "#" lines inside fenced code, reads front matter, strips inline Markdown from headings, keeps text before the first heading', () => {
    const parsed = parseMarkdownManual(
      ['---', 'title: Spindle manual', 'kind: cnc-spindle', '---', 'Read this first.', '', '## Tool **clamping** (`P-SPDL-04`) ##', '```sh', '# not a heading', '', 'still code', '```', 'after'].join('\n'),
      'fallback',
    );
    expect(parsed.title).toBe('Spindle manual');
    expect(parsed.machineKind).toBe('cnc-spindle');
    expect(parsed.sections).toEqual([
      { headingPath: [], blocks: [{ text: 'Read this first.' }] },
      { headingPath: ['Tool clamping (P-SPDL-04)'], blocks: [{ text: '```sh\n# not a heading\n\nstill code\n```\nafter' }] },
    ]);
  });
});

describe('plain-text sections', () => {
  it('finds numbered, capitalised and underlined headings', () => {
    const parsed = parseTextManual(
      ['CONVEYOR MANUAL', '', '1 Safety', '', 'Lock out first.', '', '1.2 Guards', '', 'Keep guards closed.', '', 'Belt tracking', '-------------', 'Adjust the tail pulley.'].join('\n'),
      'conveyor',
    );
    expect(parsed.title).toBe('CONVEYOR MANUAL');
    expect(parsed.sections.map((section) => [section.headingPath, section.blocks.map((block) => block.text)])).toEqual([
      [['CONVEYOR MANUAL', '1 Safety'], ['Lock out first.']],
      [['CONVEYOR MANUAL', '1 Safety', '1.2 Guards'], ['Keep guards closed.']],
      [['CONVEYOR MANUAL', 'Belt tracking'], ['Adjust the tail pulley.']],
    ]);
  });
});

describe('chunkManual', () => {
  it('gives each section a stable id, its section id, a citation and its language', () => {
    const english = chunkManual(parseMarkdownManual(fixture('en/centrifugal-pump.md'), 'x'), 'en/centrifugal-pump.md', 'centrifugal-pump');
    const row = english.find((chunk) => chunk.sectionId === 'T-PUMP-01')!;
    expect(row.id).toBe(
      'en/centrifugal-pump.md#Centrifugal pump CP-200 — operating and maintenance manual (S-PUMP-00) > Troubleshooting (S-PUMP-07) > Drive-end vibration rising, bearing temperature following (T-PUMP-01)#p1',
    );
    expect(row.citation).toBe('Centrifugal pump CP-200 — operating and maintenance manual (S-PUMP-00), § Drive-end vibration rising, bearing temperature following (T-PUMP-01)');
    expect(row).toMatchObject({ language: 'en', machineKind: 'centrifugal-pump', part: 1, parts: 1, page: null });
    const chinese = chunkManual(parseMarkdownManual(fixture('zh/centrifugal-pump.md'), 'x'), 'zh/centrifugal-pump.md', 'centrifugal-pump');
    expect(new Set(chinese.map((chunk) => chunk.language))).toEqual(new Set(['zh']));
    expect(chinese.map((chunk) => chunk.sectionId)).toEqual(['S-PUMP-00', 'T-PUMP-01', 'T-PUMP-02', 'F-PUMP-101', 'P-PUMP-03']);
  });

  it('splits a long section into overlapping parts no longer than the limit', () => {
    const paragraphs = Array.from({ length: 12 }, (_, index) => `Step ${index + 1}: ${'check the seal and the coupling. '.repeat(4)}`.trim());
    const chunks = chunkManual({ title: 'M', sections: [{ headingPath: ['M', 'Long procedure (P-X-01)'], blocks: paragraphs.map((text) => ({ text })) }] }, 'm.md', null, { maxChars: 400, overlapChars: 150 });
    expect(chunks.length).toBeGreaterThan(3);
    expect(chunks.every((chunk) => chunk.text.length <= 400)).toBe(true);
    expect(chunks.map((chunk) => chunk.part)).toEqual(chunks.map((_, index) => index + 1));
    expect(new Set(chunks.map((chunk) => chunk.id)).size).toBe(chunks.length);
    for (let index = 1; index < chunks.length; index++) {
      const lastOfPrevious = chunks[index - 1]!.text.split('\n\n').at(-1)!;
      expect(chunks[index]!.text.startsWith(lastOfPrevious)).toBe(true);
    }
    expect(paragraphs.every((paragraph) => chunks.some((chunk) => chunk.text.includes(paragraph)))).toBe(true);
  });

  it('repeats a long table\'s header in every part and cuts an over-long row at sentence ends', () => {
    const rows = Array.from({ length: 8 }, (_, index) => `| T-${index} | symptom ${index}; ${'the flow falls. '.repeat(6)}|`);
    rows[3] = `| T-3 | ${'A very long remedy sentence that goes on. '.repeat(20)}|`;
    const table = ['| id | text |', '|---|---|', ...rows].join('\n');
    const chunks = chunkManual({ title: 'M', sections: [{ headingPath: ['M', 'Table'], blocks: [{ text: table }] }] }, 'm.md', null, { maxChars: 500, overlapChars: 0 });
    expect(chunks.length).toBeGreaterThan(2);
    for (const chunk of chunks) {
      expect(chunk.text.startsWith('| id | text |\n|---|---|\n')).toBe(true);
      expect(chunk.text.length).toBeLessThanOrEqual(500);
    }
  });

  it('counts a Chinese character as three towards the limit', () => {
    const text = '检查联轴器对中。'.repeat(100);
    const chunks = chunkManual({ title: 'M', sections: [{ headingPath: ['M'], blocks: [{ text }] }] }, 'm.md', null, { maxChars: 600, overlapChars: 0 });
    const weight = (part: string) => part.length + 2 * (part.match(/\p{Script=Han}/gu)?.length ?? 0);
    expect(chunks.length).toBeGreaterThanOrEqual(4);
    expect(chunks.every((chunk) => weight(chunk.text) <= 600)).toBe(true);
    expect(chunks.map((chunk) => chunk.text).join('')).toBe(text);
  });

  it('keeps ids unique when a heading path repeats in one file', () => {
    const chunks = chunkManual(parseMarkdownManual('# M\n## Notes\none\n## Notes\ntwo', 'm'), 'm.md', null);
    expect(chunks.map((chunk) => chunk.id)).toEqual(['m.md#M > Notes#p1', 'm.md#M > Notes (2)#p1']);
  });
});
