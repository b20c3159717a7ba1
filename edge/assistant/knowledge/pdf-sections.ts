import type { ManualSection, ParsedManual, SectionBlock } from './manual-chunk.js';

/**
 * Sections of a PDF manual with their page numbers, read with pdfjs (legacy build, for Node). Headings come
 * from the PDF's outline (bookmarks) when it has one; else from font sizes (lines set clearly larger than the
 * body text, the largest size being level 1); else each page is a section. Lines are rebuilt from the text
 * items' positions; a vertical gap or a new page starts a new block.
 */

interface Line {
  text: string;
  readonly size: number;
  readonly y: number;
  readonly page: number;
}

type Mark = { readonly kind: 'line'; readonly line: Line } | { readonly kind: 'heading'; readonly level: number; readonly text: string };

interface TextItemLike {
  readonly str: string;
  readonly transform: number[];
  readonly width: number;
  readonly height: number;
}

interface OutlineNode {
  readonly title: string;
  readonly dest: string | unknown[] | null;
  readonly items: OutlineNode[];
}

interface PdfDocument {
  readonly numPages: number;
  getPage(number: number): Promise<{ getTextContent(): Promise<{ items: unknown[] }> }>;
  getOutline(): Promise<OutlineNode[] | null>;
  getDestination(id: string): Promise<unknown[] | null>;
  getPageIndex(ref: { num: number; gen: number }): Promise<number>;
  getMetadata(): Promise<{ info: object }>;
  destroy(): Promise<void>;
}

const HAN_END = /\p{Script=Han}$/u;

function normalize(text: string): string {
  return text.normalize('NFKC').replace(/\s+/g, ' ').trim().toLowerCase();
}

function isTextItem(item: unknown): item is TextItemLike {
  return typeof (item as TextItemLike).str === 'string' && Array.isArray((item as TextItemLike).transform);
}

async function pageLines(document: PdfDocument, pageNumber: number): Promise<Line[]> {
  const page = await document.getPage(pageNumber);
  const items = (await page.getTextContent()).items.filter(isTextItem).filter((item) => item.str !== '');
  const placed = items
    .map((item) => ({ item, x: item.transform[4] ?? 0, y: item.transform[5] ?? 0, size: Math.hypot(item.transform[2] ?? 0, item.transform[3] ?? 0) || item.height }))
    .sort((a, b) => b.y - a.y || a.x - b.x);
  const lines: { y: number; size: number; parts: typeof placed }[] = [];
  for (const entry of placed) {
    const line = lines.at(-1);
    if (line !== undefined && Math.abs(line.y - entry.y) <= 0.4 * Math.max(line.size, entry.size)) {
      line.parts.push(entry);
      line.size = Math.max(line.size, entry.size);
    } else {
      lines.push({ y: entry.y, size: entry.size, parts: [entry] });
    }
  }
  return lines
    .map((line) => {
      const parts = line.parts.sort((a, b) => a.x - b.x);
      let text = '';
      let end = -Infinity;
      for (const part of parts) {
        const gap = part.x - end;
        if (text !== '' && gap > 0.2 * part.size && !text.endsWith(' ') && !part.item.str.startsWith(' ')) text += ' ';
        text += part.item.str;
        end = part.x + part.item.width;
      }
      return { text: text.replace(/\s+/g, ' ').trim(), size: Math.round(line.size * 2) / 2, y: line.y, page: pageNumber };
    })
    .filter((line) => line.text !== '');
}

interface OutlineHeading {
  readonly title: string;
  readonly level: number;
  readonly page: number;
  readonly y: number | null;
}

async function outlineHeadings(document: PdfDocument): Promise<OutlineHeading[]> {
  const out: OutlineHeading[] = [];
  const visit = async (nodes: readonly OutlineNode[], level: number) => {
    for (const node of nodes) {
      const dest = typeof node.dest === 'string' ? await document.getDestination(node.dest).catch(() => null) : node.dest;
      const target = dest?.[0];
      let page: number | null = null;
      if (typeof target === 'number') page = target + 1;
      else if (target !== null && typeof target === 'object') {
        const index = await document.getPageIndex(target as { num: number; gen: number }).catch(() => null);
        page = index === null ? null : index + 1;
      }
      if (page !== null && node.title.trim() !== '') {
        const mode = (dest?.[1] as { name?: string } | undefined)?.name;
        const y = mode === 'XYZ' ? dest?.[3] : mode === 'FitH' || mode === 'FitBH' ? dest?.[2] : null;
        out.push({ title: node.title.replace(/\s+/g, ' ').trim(), level: Math.min(level, 6), page, y: typeof y === 'number' ? y : null });
      }
      await visit(node.items ?? [], level + 1);
    }
  };
  await visit((await document.getOutline()) ?? [], 1);
  return out;
}

/** Bookmarks placed into the text: on the heading's own line when it can be found, else where the bookmark points. */
function marksFromOutline(lines: readonly Line[], headings: readonly OutlineHeading[]): Mark[] {
  const marks: Mark[] = lines.map((line) => ({ kind: 'line', line }));
  for (const heading of headings) {
    const title = normalize(heading.title);
    const onPage = marks.findIndex((mark) => mark.kind === 'line' && mark.line.page === heading.page && (heading.y === null || mark.line.y <= heading.y + mark.line.size));
    const from = onPage === -1 ? marks.findIndex((mark) => mark.kind === 'line' && mark.line.page > heading.page) : onPage;
    const at = from === -1 ? -1 : marks.findIndex((mark, index) => index >= from && mark.kind === 'line' && mark.line.page === heading.page && normalize(mark.line.text) === title);
    if (at !== -1) {
      marks[at] = { kind: 'heading', level: heading.level, text: heading.title };
    } else {
      marks.splice(from === -1 ? marks.length : from, 0, { kind: 'heading', level: heading.level, text: heading.title });
    }
  }
  return marks;
}

/** Headings by font size: lines clearly larger than the body text; wrapped headings are joined. */
function marksFromFontSizes(lines: readonly Line[]): Mark[] | null {
  const characters = new Map<number, number>();
  for (const line of lines) characters.set(line.size, (characters.get(line.size) ?? 0) + line.text.length);
  const body = [...characters].sort((a, b) => b[1] - a[1])[0]?.[0];
  if (body === undefined) return null;
  const isHeading = (line: Line) => line.size >= body * 1.15 && line.text.length <= 150 && /\p{L}/u.test(line.text);
  const sizes = [...new Set(lines.filter(isHeading).map((line) => line.size))].sort((a, b) => b - a);
  if (sizes.length === 0) return null;
  const marks: Mark[] = [];
  let previous: Line | null = null;
  for (const line of lines) {
    if (!isHeading(line)) {
      marks.push({ kind: 'line', line });
      previous = null;
      continue;
    }
    const last = marks.at(-1);
    if (previous !== null && last?.kind === 'heading' && previous.size === line.size && previous.page === line.page && previous.y - line.y <= 1.6 * line.size) {
      marks[marks.length - 1] = { ...last, text: joinText(last.text, line.text) };
    } else {
      marks.push({ kind: 'heading', level: Math.min(sizes.indexOf(line.size) + 1, 6), text: line.text });
    }
    previous = line;
  }
  return marks;
}

function marksByPage(lines: readonly Line[]): Mark[] {
  const marks: Mark[] = [];
  let page = 0;
  for (const line of lines) {
    if (line.page !== page) marks.push({ kind: 'heading', level: 1, text: `Page ${line.page}` });
    page = line.page;
    marks.push({ kind: 'line', line });
  }
  return marks;
}

function joinText(before: string, after: string): string {
  if (/[a-z]-$/.test(before) && /^[a-z]/.test(after)) return before.slice(0, -1) + after;
  return HAN_END.test(before) || /^\p{Script=Han}/u.test(after) ? before + after : `${before} ${after}`;
}

function sectionsFrom(marks: readonly Mark[]): ManualSection[] {
  const sections: ManualSection[] = [];
  const path: { level: number; text: string }[] = [];
  let blocks: SectionBlock[] = [];
  let block: Line[] = [];
  const endBlock = () => {
    if (block.length === 0) return;
    let text = block[0]!.text;
    for (const line of block.slice(1)) text = /[a-z]-$/.test(text) && /^[a-z]/.test(line.text) ? text.slice(0, -1) + line.text : `${text}\n${line.text}`;
    blocks.push({ text, page: block[0]!.page });
    block = [];
  };
  const endSection = () => {
    endBlock();
    if (blocks.length > 0) sections.push({ headingPath: path.map((heading) => heading.text), blocks });
    blocks = [];
  };
  for (const mark of marks) {
    if (mark.kind === 'heading') {
      endSection();
      while (path.length > 0 && path.at(-1)!.level >= mark.level) path.pop();
      path.push({ level: mark.level, text: mark.text });
      continue;
    }
    const previous = block.at(-1);
    if (previous !== undefined && (previous.page !== mark.line.page || previous.y - mark.line.y > 1.7 * Math.max(previous.size, mark.line.size))) endBlock();
    block.push(mark.line);
  }
  endSection();
  return sections;
}

export async function parsePdfManual(data: Uint8Array, fallbackTitle: string): Promise<ParsedManual> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const document = (await pdfjs.getDocument({ data, isEvalSupported: false, disableFontFace: true, useSystemFonts: false, verbosity: 0 }).promise) as unknown as PdfDocument;
  try {
    const lines: Line[] = [];
    for (let page = 1; page <= document.numPages; page++) lines.push(...(await pageLines(document, page)));
    const outline = await outlineHeadings(document);
    const marks = outline.length > 0 ? marksFromOutline(lines, outline) : (marksFromFontSizes(lines) ?? marksByPage(lines));
    const info = (await document.getMetadata()).info as { Title?: unknown };
    const infoTitle = typeof info.Title === 'string' && info.Title.trim() !== '' ? info.Title.trim() : null;
    const firstHeading = marks.find((mark): mark is Extract<Mark, { kind: 'heading' }> => mark.kind === 'heading' && mark.level === 1 && !/^Page \d+$/.test(mark.text));
    return { title: infoTitle ?? firstHeading?.text ?? fallbackTitle, sections: sectionsFrom(marks) };
  } finally {
    await document.destroy();
  }
}
