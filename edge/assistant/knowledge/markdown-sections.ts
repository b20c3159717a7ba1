import { parse as parseYaml } from 'yaml';
import type { ManualSection, ParsedManual, SectionBlock } from './manual-chunk.js';

const ATX_HEADING = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;

/** Heading text without inline Markdown: `code`, **bold**, _emphasis_, [links](url). */
export function plainHeading(text: string): string {
  return text
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/(\*\*|__|\*|_|`)(.+?)\1/g, '$2')
    .replace(/\s+/g, ' ')
    .trim();
}

function frontMatter(text: string): { body: string; fields: Record<string, unknown> } {
  const match = /^---\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)/.exec(text);
  if (match === null) return { body: text, fields: {} };
  try {
    const fields: unknown = parseYaml(match[1] ?? '');
    return { body: text.slice(match[0].length), fields: fields !== null && typeof fields === 'object' ? (fields as Record<string, unknown>) : {} };
  } catch {
    return { body: text, fields: {} };
  }
}

/**
 * Sections of a Markdown manual, one per ATX heading (`#` to `######`), with the path of headings above it;
 * text before the first heading is a section of its own. Headings inside fenced code do not count. Blocks are
 * what blank lines separate (a fenced block stays whole). Optional YAML front matter may give `title` and
 * `machineKind` (or `kind`).
 */
export function parseMarkdownManual(text: string, fallbackTitle: string): ParsedManual {
  const { body, fields } = frontMatter(text.replace(/^\uFEFF/, ''));
  const sections: ManualSection[] = [];
  const headings: { level: number; text: string }[] = [];
  let blocks: SectionBlock[] = [];
  let block: string[] = [];
  let fence: string | null = null;
  let firstH1: string | null = null;

  const endBlock = () => {
    if (block.length > 0) blocks.push({ text: block.join('\n') });
    block = [];
  };
  const endSection = () => {
    endBlock();
    if (blocks.length > 0) sections.push({ headingPath: headings.map((heading) => heading.text), blocks });
    blocks = [];
  };

  for (const line of body.split(/\r?\n/)) {
    const fenceMatch = FENCE.exec(line);
    if (fence !== null) {
      block.push(line);
      if (fenceMatch !== null && fenceMatch[1]![0] === fence[0] && fenceMatch[1]!.length >= fence.length && line.trim() === fenceMatch[1]) fence = null;
      continue;
    }
    if (fenceMatch !== null) {
      fence = fenceMatch[1]!;
      block.push(line);
      continue;
    }
    const heading = ATX_HEADING.exec(line);
    if (heading !== null) {
      endSection();
      const level = heading[1]!.length;
      const title = plainHeading(heading[2] ?? '');
      while (headings.length > 0 && headings.at(-1)!.level >= level) headings.pop();
      headings.push({ level, text: title });
      if (level === 1 && firstH1 === null && title !== '') firstH1 = title;
      continue;
    }
    if (line.trim() === '') endBlock();
    else block.push(line);
  }
  endSection();

  const title = typeof fields['title'] === 'string' ? fields['title'] : (firstH1 ?? fallbackTitle);
  const kind = fields['machineKind'] ?? fields['kind'];
  return { title, sections, ...(typeof kind === 'string' ? { machineKind: kind } : {}) };
}
