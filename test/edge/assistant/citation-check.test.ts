import { describe, expect, it } from 'vitest';
import type { ManualChunk } from '../../../edge/assistant/knowledge/manual-chunk.js';
import { CitationFilter } from '../../../edge/assistant/safety/citation-check.js';
import { CitationRegistry } from '../../../edge/assistant/safety/citation-registry.js';

function chunk(sectionId: string): ManualChunk {
  return {
    id: `en/centrifugal-pump.md#${sectionId}#p1`,
    file: 'en/centrifugal-pump.md',
    manual: 'Centrifugal pump',
    machineKind: 'centrifugal-pump',
    headingPath: [`Section (${sectionId})`],
    sectionId,
    part: 1,
    parts: 1,
    page: null,
    pageEnd: null,
    language: 'en',
    text: '…',
    citation: `Centrifugal pump, § Section (${sectionId})`,
  };
}

function filterOver(...sections: string[]): CitationFilter {
  const registry = new CitationRegistry();
  for (const section of sections) registry.add(chunk(section));
  return new CitationFilter(registry);
}

/** Streams `text` in pieces of `size` characters, as a model would. */
function stream(filter: CitationFilter, text: string, size: number): string {
  let shown = '';
  for (let i = 0; i < text.length; i += size) shown += filter.push(text.slice(i, i + size));
  return shown + filter.flush();
}

describe('the citation check', () => {
  it.each([1, 2, 3, 7, 100])('keeps retrieved labels, repairs retrieved section ids and removes the rest (pieces of %i)', (size) => {
    const filter = filterOver('T-PUMP-01', 'P-PUMP-03');
    const shown = stream(filter, 'Bearing wear [M1]. Replace it [P-PUMP-03]. Check alignment [P-PUMP-12]. See [M1, M7] and [M9][M2].', size);
    expect(shown).toBe('Bearing wear [M1]. Replace it [M2]. Check alignment [unverified]. See [M1] and [unverified][M2].');
    expect(filter.problems).toEqual([
      { cited: 'P-PUMP-03', fix: 'repaired', label: 'M2' },
      { cited: 'P-PUMP-12', fix: 'unverified' },
      { cited: 'M7', fix: 'unverified' },
      { cited: 'M9', fix: 'unverified' },
    ]);
    expect(filter.citedLabels()).toEqual(['M1', 'M2']);
  });

  it('leaves brackets that are not citations alone, and text ending inside one', () => {
    const filter = filterOver('T-PUMP-01');
    expect(stream(filter, 'A range [0.5–2.8 mm/s], a list [a, b], an open bracket [M1 at the end', 4)).toBe('A range [0.5–2.8 mm/s], a list [a, b], an open bracket [M1 at the end');
    expect(filter.problems).toEqual([]);
  });

  it('does not hold back text behind a bracket that never closes on its line', () => {
    const filter = filterOver();
    expect(filter.push('see [note\nnext')).toBe('see [note\nnext');
  });
});
