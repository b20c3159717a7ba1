import { detectLanguage } from './language-detection.js';
import type { ManualChunk, ParsedManual, SectionBlock } from './manual-chunk.js';

export interface ChunkingOptions {
  /** Longest chunk, in characters with a Han character counting as three (roughly equal tokens). */
  readonly maxChars: number;
  /** How much of a chunk's end the next part of the same section repeats. */
  readonly overlapChars: number;
}

export const DEFAULT_CHUNKING: ChunkingOptions = { maxChars: 2000, overlapChars: 250 };

const HAN = /\p{Script=Han}/gu;
const SECTION_ID = /\b[A-Z][A-Z0-9]{0,5}(?:-[A-Z0-9]+)+\b/g;

function weight(text: string): number {
  return text.length + 2 * (text.match(HAN)?.length ?? 0);
}

interface Unit {
  readonly text: string;
  readonly weight: number;
  readonly page: number | undefined;
  /** What joins it to the unit before it. */
  readonly separator: string;
  /** For a table row: the table's header rows, repeated at the top of a chunk that starts inside the table. */
  readonly tableHeader?: Unit;
  readonly isTableHeader?: boolean;
}

function unit(text: string, page: number | undefined, separator: string, tableHeader?: Unit): Unit {
  return { text, weight: weight(text), page, separator, ...(tableHeader ? { tableHeader } : {}) };
}

/** Cuts a text longer than `max` at sentence ends, then at spaces, then anywhere. */
function splitLong(text: string, max: number): string[] {
  const sentences = text.split(/(?<=[.!?;:])\s+|(?<=[。！？；])/u).filter((part) => part !== '');
  const pieces: string[] = [];
  for (const sentence of sentences) {
    if (weight(sentence) <= max) {
      pieces.push(sentence);
      continue;
    }
    let rest = sentence;
    while (weight(rest) > max) {
      let cut = 0;
      let used = 0;
      for (const char of rest) {
        const next = used + weight(char);
        if (next > max) break;
        used = next;
        cut += char.length;
      }
      const space = rest.lastIndexOf(' ', cut);
      const at = space > cut / 2 ? space : cut;
      pieces.push(rest.slice(0, at).trimEnd());
      rest = rest.slice(at).trimStart();
    }
    if (rest !== '') pieces.push(rest);
  }
  return pieces;
}

function sentenceSeparator(before: string, after: string): string {
  return /\p{Script=Han}|[。！？；]/u.test(before.at(-1) ?? '') || /\p{Script=Han}/u.test(after[0] ?? '') ? '' : ' ';
}

/** A section's blocks as units no longer than `max`: whole blocks, else their lines, else their sentences. */
function units(blocks: readonly SectionBlock[], max: number): Unit[] {
  const out: Unit[] = [];
  for (const block of blocks) {
    if (weight(block.text) <= max) {
      out.push(unit(block.text, block.page, '\n\n'));
      continue;
    }
    const lines = block.text.split('\n');
    const isTable = lines.length > 2 && lines.every((line) => line.trimStart().startsWith('|')) && /^\s*\|[\s:|-]+\|?\s*$/.test(lines[1]!);
    const header = isTable ? { ...unit(lines.slice(0, 2).join('\n'), block.page, '\n\n'), isTableHeader: true } : undefined;
    lines.forEach((line, index) => {
      const separator = index === 0 ? '\n\n' : '\n';
      const rowHeader = header !== undefined && index >= 2 ? header : undefined;
      if (weight(line) <= max) {
        out.push(unit(line, block.page, separator, rowHeader));
        return;
      }
      let previous = '';
      splitLong(line, max).forEach((piece, pieceIndex) => {
        out.push(unit(piece, block.page, pieceIndex === 0 ? separator : sentenceSeparator(previous, piece), rowHeader));
        previous = piece;
      });
    });
  }
  return out;
}

/** Packs units into chunks of at most `maxChars`, each after the first starting with the previous one's tail. */
function pack(all: readonly Unit[], options: ChunkingOptions): Unit[][] {
  const chunks: Unit[][] = [];
  let current: Unit[] = [];
  let size = 0;
  for (const next of all) {
    if (current.length > 0 && size + next.separator.length + next.weight > options.maxChars) {
      chunks.push(current);
      let overlap: Unit[] = [];
      let overlapSize = 0;
      for (let index = current.length - 1; index >= 0; index--) {
        const candidate = current[index]!;
        if (overlapSize + candidate.weight > options.overlapChars) break;
        overlap.unshift(candidate);
        overlapSize += candidate.weight + candidate.separator.length;
      }
      // inside a table, a part starts with the table's header and repeats only rows of that table
      const header = next.tableHeader !== undefined ? [next.tableHeader] : [];
      if (next.tableHeader !== undefined) overlap = overlap.filter((item) => item.tableHeader === next.tableHeader);
      current = [...header, ...overlap];
      size = current.reduce((sum, item) => sum + item.weight + item.separator.length, 0);
      if (size + next.separator.length + next.weight > options.maxChars) {
        current = [...header];
        size = header.reduce((sum, item) => sum + item.weight, 0);
      }
    }
    current.push(next);
    size += next.separator.length + next.weight;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

function join(chunk: readonly Unit[]): string {
  return chunk.map((item, index) => (index === 0 ? item.text : (chunk[index - 1]!.isTableHeader ? '\n' : item.separator) + item.text)).join('');
}

/** The ids in a heading, such as T-PUMP-01, F-PUMP-101, P-PUMP-03; the last one is the section's. */
export function idsIn(heading: string): string[] {
  return heading.match(SECTION_ID) ?? [];
}

function citation(manual: string, headingPath: readonly string[], page: number | null, pageEnd: number | null): string {
  const heading = headingPath.at(-1);
  const section = heading !== undefined && heading !== manual ? `, § ${heading}` : '';
  const pages = page === null ? '' : pageEnd !== null && pageEnd !== page ? `, pp. ${page}–${pageEnd}` : `, p. ${page}`;
  return `${manual}${section}${pages}`;
}

/**
 * The chunks of a parsed manual: a section is one chunk when it fits, else parts that overlap. Each chunk
 * knows its heading path, section id, pages, language and citation; ids are stable for an unchanged
 * file + heading path + part (a heading path repeated in one file gets " (2)", " (3)"...).
 */
export function chunkManual(parsed: ParsedManual, file: string, machineKind: string | null, options: ChunkingOptions = DEFAULT_CHUNKING): ManualChunk[] {
  const chunks: ManualChunk[] = [];
  const seenPaths = new Map<string, number>();
  for (const section of parsed.sections) {
    const parts = pack(units(section.blocks, options.maxChars), options);
    const pathKey = section.headingPath.join(' > ');
    const seen = (seenPaths.get(pathKey) ?? 0) + 1;
    seenPaths.set(pathKey, seen);
    const idPath = seen > 1 ? `${pathKey} (${seen})` : pathKey;
    const heading = section.headingPath.at(-1) ?? parsed.title;
    parts.forEach((part, index) => {
      const text = join(part);
      const pages = part.flatMap((item) => (item.page !== undefined ? [item.page] : []));
      const page = pages.length > 0 ? Math.min(...pages) : null;
      const pageEnd = pages.length > 0 ? Math.max(...pages) : null;
      chunks.push({
        id: `${file}#${idPath}#p${index + 1}`,
        file,
        manual: parsed.title,
        machineKind,
        headingPath: section.headingPath,
        sectionId: idsIn(heading).at(-1) ?? null,
        part: index + 1,
        parts: parts.length,
        page,
        pageEnd,
        language: detectLanguage(`${heading}\n${text}`),
        text,
        citation: citation(parsed.title, section.headingPath, page, pageEnd),
      });
    });
  }
  return chunks;
}

