import type { ManualChunk } from '../knowledge/manual-chunk.js';

/** One row of a troubleshooting table (`| id | symptom | probable causes | checks | remedies |`). */
export interface TroubleshootingRow {
  readonly symptom: string;
  readonly causes: string;
  readonly checks: string;
  readonly remedies: string;
}

const SECTION_REFERENCE = /\b[STFP]-[A-Z]{2,8}-\d{2,4}\b/g;
const SAFETY_LEAD = /^(?:safety(?: first)?|[a-z ,]*safety first|安全优先|[^\n：]{0,8}安全优先|安全)\s*[:：][ \t]*(.*)$/im;
const SAFETY_WORDS = /lock ?out|tagout|isolat|pressure release|release pressure|hot surface|rotating|gloves|上锁|挂牌|隔离|泄压|高温|旋转|手套/i;

/** The row of a T- section's table, when the chunk holds it. */
export function troubleshootingRow(chunk: ManualChunk): TroubleshootingRow | null {
  if (chunk.sectionId === null) return null;
  const line = chunk.text.split('\n').find((candidate) => candidate.startsWith(`| ${chunk.sectionId} |`));
  if (!line) return null;
  const cells = line.split('|').slice(1, -1).map((cell) => cell.trim());
  if (cells.length < 5) return null;
  return { symptom: cells[1]!, causes: cells[2]!, checks: cells[3]!, remedies: cells[4]! };
}

/**
 * The safety steps of a procedure: the bullet list under "Safety first:" (安全优先：), or the sentences of a
 * "Safety: …" paragraph; without either, the bullets that name a lockout, pressure, heat or rotating parts.
 */
export function safetySteps(chunk: ManualChunk): string[] {
  const lead = SAFETY_LEAD.exec(chunk.text);
  if (lead) {
    const after = chunk.text.slice(lead.index + lead[0].length).replace(/^\n/, '');
    if (lead[1]!.trim() === '') return bullets(after);
    const lines = after.split('\n');
    const blank = lines.findIndex((line) => line.trim() === '');
    const paragraph = [lead[1]!, ...(blank === -1 ? lines : lines.slice(0, blank))].join(' ');
    return paragraph
      .split(/;\s+|；|。|(?<=\.)\s+/)
      .map((sentence) => sentence.trim())
      .filter((sentence) => sentence.length > 1);
  }
  return chunk.text
    .split(/\n(?=\s*-\s)/)
    .flatMap((block) => bullets(block))
    .filter((step) => SAFETY_WORDS.test(step));
}

/** A Markdown bullet list from the start of `text`, continuation lines joined. */
function bullets(text: string): string[] {
  const steps: string[] = [];
  for (const line of text.split('\n')) {
    if (/^\s*-\s+/.test(line)) steps.push(line.replace(/^\s*-\s+/, '').trim());
    else if (/^\s{2,}\S/.test(line) && steps.length > 0) steps[steps.length - 1] += ` ${line.trim()}`;
    else break;
  }
  return steps;
}

/** Section ids a text refers to, in order of first mention. */
export function referencedSections(text: string): string[] {
  return [...new Set(text.match(SECTION_REFERENCE) ?? [])];
}

/** The chunk's text without its table header lines, cut to about `chars` at a sentence or line end. */
export function leadText(chunk: ManualChunk, chars: number): string {
  const text = chunk.text
    .split('\n')
    .filter((line) => !/^\|?\s*-{3}/.test(line) && !/^\|\s*(id|code|编号|代码)\s*\|/i.test(line))
    .join('\n')
    .replace(/\n{2,}/g, '\n')
    .trim();
  if (text.length <= chars) return text;
  const cut = text.slice(0, chars);
  const end = Math.max(cut.lastIndexOf('. '), cut.lastIndexOf('。'), cut.lastIndexOf('\n'));
  return `${end > chars / 2 ? cut.slice(0, end + 1) : cut}…`;
}
