import { describe, expect, it } from 'vitest';
import { parsePdfManual } from '../../../edge/assistant/knowledge/pdf-sections.js';
import { chunkManual } from '../../../edge/assistant/knowledge/section-chunker.js';
import { minimalPdf } from './minimal-pdf.js';

const PAGES = [
  [
    { text: 'Pump manual', size: 24, y: 740 },
    { text: 'Bearing replacement (P-PUMP-03)', size: 16, y: 700 },
    { text: 'Lock out the isolator and release the pressure', size: 11, y: 680 },
    { text: 'before you open the bearing housing.', size: 11, y: 666 },
    { text: 'Wait until the housing is below 50 C.', size: 11, y: 620 },
  ],
  [
    { text: 'Bearing replacement (P-PUMP-03), continued: heat the new bearing with an induc-', size: 11, y: 740 },
    { text: 'tion heater.', size: 11, y: 726 },
    { text: 'Fault codes (S-PUMP-08)', size: 16, y: 680 },
    { text: 'Code 101: motor over-temperature.', size: 11, y: 660 },
  ],
];

describe('PDF manuals', () => {
  it('takes headings from the outline, with the page each section starts on', async () => {
    const pdf = minimalPdf({
      title: 'CP-200 pump manual',
      pages: PAGES,
      outline: [{ title: 'Pump manual', page: 1, y: 760, children: [{ title: 'Bearing replacement (P-PUMP-03)', page: 1, y: 716 }, { title: 'Fault codes (S-PUMP-08)', page: 2, y: 696 }] }],
    });
    const parsed = await parsePdfManual(pdf, 'fallback');
    expect(parsed.title).toBe('CP-200 pump manual');
    expect(parsed.sections.map((section) => ({ path: section.headingPath, pages: section.blocks.map((block) => block.page) }))).toEqual([
      { path: ['Pump manual', 'Bearing replacement (P-PUMP-03)'], pages: [1, 1, 2] },
      { path: ['Pump manual', 'Fault codes (S-PUMP-08)'], pages: [2] },
    ]);
    const bearing = parsed.sections[0]!.blocks.map((block) => block.text);
    expect(bearing[0]).toBe('Lock out the isolator and release the pressure\nbefore you open the bearing housing.');
    expect(bearing[2]).toContain('with an induction heater.');

    const chunks = chunkManual(parsed, 'pump.pdf', 'centrifugal-pump');
    expect(chunks[0]).toMatchObject({ sectionId: 'P-PUMP-03', page: 1, pageEnd: 2, citation: 'CP-200 pump manual, § Bearing replacement (P-PUMP-03), pp. 1–2' });
    expect(chunks[1]).toMatchObject({ sectionId: 'S-PUMP-08', page: 2, pageEnd: 2, citation: 'CP-200 pump manual, § Fault codes (S-PUMP-08), p. 2' });
  });

  it('without an outline, takes headings from font sizes, the largest being the top level', async () => {
    const parsed = await parsePdfManual(minimalPdf({ pages: PAGES }), 'fallback');
    expect(parsed.title).toBe('Pump manual');
    expect(parsed.sections.map((section) => section.headingPath)).toEqual([
      ['Pump manual', 'Bearing replacement (P-PUMP-03)'],
      ['Pump manual', 'Fault codes (S-PUMP-08)'],
    ]);
  });

  it('without outline or larger type, makes each page a section', async () => {
    const flat = PAGES.map((page) => page.map((line) => ({ ...line, size: 11 })));
    const parsed = await parsePdfManual(minimalPdf({ pages: flat }), 'plain');
    expect(parsed.title).toBe('plain');
    expect(parsed.sections.map((section) => section.headingPath)).toEqual([['Page 1'], ['Page 2']]);
  });

  it('reads Chinese text through the font\'s ToUnicode map and marks its chunks Chinese', async () => {
    const pdf = minimalPdf({
      pages: [[
        { text: '故障代码 101 电机过热', size: 18, y: 720 },
        { text: '绕组温度超过 140 °C 持续 5 秒时跳闸。', size: 11, y: 700 },
        { text: '复位前让电机冷却到 100 °C 以下。', size: 11, y: 686 },
      ]],
    });
    const chunks = chunkManual(await parsePdfManual(pdf, 'pump-zh'), 'zh/pump.pdf', 'centrifugal-pump');
    expect(chunks).toHaveLength(1);
    expect(chunks[0]).toMatchObject({ language: 'zh', page: 1, headingPath: ['故障代码 101 电机过热'] });
    expect(chunks[0]!.text).toContain('复位前让电机冷却到 100 °C 以下。');
  });

  it('refuses a file that is not a PDF with pdfjs\'s reason', async () => {
    await expect(parsePdfManual(new TextEncoder().encode('not a pdf at all'), 'x')).rejects.toThrow(/PDF/i);
  });
});
