import type { ManualSection, ParsedManual, SectionBlock } from './manual-chunk.js';

const NUMBERED = /^((?:\d+\.)*\d+)\.?[ \t]+\S.*$/;
const UNDERLINE = /^(=+|-+)[ \t]*$/;

interface Heading {
  readonly level: number;
  readonly text: string;
}

/**
 * A heading of a plain-text manual: a short line on its own in capitals (level 1), numbered ("4.2 Bearings":
 * level 3), or underlined with "=" (level 1) or "-" (level 2).
 */
function headingAt(lines: readonly string[], index: number): { heading: Heading; consumed: number } | null {
  const line = lines[index]!.trim();
  if (line === '' || line.length > 80 || /[.,;:]$/.test(line)) return null;
  const before = index === 0 || lines[index - 1]!.trim() === '';
  const next = lines[index + 1]?.trim() ?? '';
  const underline = UNDERLINE.exec(next);
  if (underline !== null && next.length >= Math.min(3, line.length)) {
    return { heading: { level: underline[1]!.startsWith('=') ? 1 : 2, text: line }, consumed: 2 };
  }
  if (!before || next !== '') return null;
  const numbered = NUMBERED.exec(line);
  // numbered chapters sit under a title in capitals or underlined with "="
  if (numbered !== null && !/^\d+(\.\d+)?\s*(%|[a-zA-Z]{1,3}\b)/.test(line)) return { heading: { level: numbered[1]!.split('.').length + 1, text: line }, consumed: 1 };
  if (/\p{Lu}/u.test(line) && line === line.toUpperCase()) return { heading: { level: 1, text: line }, consumed: 1 };
  return null;
}

/**
 * Sections of a plain-text manual by the headings it is likely to have (see `headingAt`); blocks are what blank
 * lines separate. A file with none of them is one section under its title.
 */
export function parseTextManual(text: string, fallbackTitle: string): ParsedManual {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const sections: ManualSection[] = [];
  const path: Heading[] = [];
  let blocks: SectionBlock[] = [];
  let block: string[] = [];
  const endBlock = () => {
    if (block.length > 0) blocks.push({ text: block.join('\n') });
    block = [];
  };
  const endSection = () => {
    endBlock();
    if (blocks.length > 0) sections.push({ headingPath: path.map((heading) => heading.text), blocks });
    blocks = [];
  };
  for (let index = 0; index < lines.length; index++) {
    const found = headingAt(lines, index);
    if (found !== null) {
      endSection();
      while (path.length > 0 && path.at(-1)!.level >= found.heading.level) path.pop();
      path.push(found.heading);
      index += found.consumed - 1;
      continue;
    }
    if (lines[index]!.trim() === '') endBlock();
    else block.push(lines[index]!);
  }
  endSection();
  const firstLine = lines.find((line) => line.trim() !== '')?.trim();
  const titled = sections[0]?.headingPath[0];
  return { title: titled ?? (firstLine !== undefined && firstLine.length <= 80 ? firstLine : fallbackTitle), sections };
}
