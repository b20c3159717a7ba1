import type { CitationRegistry } from './citation-registry.js';

/** A citation in a reply that did not point to a chunk retrieved in that turn. */
export interface CitationProblem {
  /** As the model wrote it, e.g. "M9" or "T-PUMP-07". */
  readonly cited: string;
  /** 'repaired': a retrieved section's id, rewritten to its label; 'unverified': nothing retrieved matches, removed. */
  readonly fix: 'repaired' | 'unverified';
  readonly label?: string;
}

const LABEL = /^M\d{1,3}$/;
const SECTION = /^[A-Z]{1,3}-[A-Z]{2,8}-\d{1,4}$/;
/** The longest bracket that can still be a citation list; longer ones are ordinary text. */
const MAX_BRACKET = 64;
export const UNVERIFIED_MARK = '[unverified]';

/**
 * Checks the citations of a streamed reply as it passes: text is forwarded at once except a `[` … `]`
 * that may be a citation, held until it closes (or grows too long to be one). Labels retrieved this turn
 * pass; a retrieved section's id (`[T-PUMP-01]`) becomes its label; anything else is removed, and the
 * bracket reads `[unverified]` when nothing valid is left. Problems are collected for a card.
 */
export class CitationFilter {
  private held = '';
  private output = '';
  readonly problems: CitationProblem[] = [];

  constructor(private readonly registry: CitationRegistry) {}

  /** Text that can be shown now. */
  push(delta: string): string {
    let ready = '';
    for (const char of delta) {
      if (this.held === '') {
        if (char === '[') this.held = char;
        else ready += char;
        continue;
      }
      this.held += char;
      if (char === ']') {
        ready += this.rewrite(this.held);
        this.held = '';
      } else if (char === '[' || char === '\n' || this.held.length > MAX_BRACKET) {
        const restart = char === '[';
        ready += restart ? this.held.slice(0, -1) : this.held;
        this.held = restart ? '[' : '';
      }
    }
    this.output += ready;
    return ready;
  }

  /** The rest, at the end of the reply. */
  flush(): string {
    const rest = this.held;
    this.held = '';
    this.output += rest;
    return rest;
  }

  /** Everything shown, after repairs. */
  get text(): string {
    return this.output;
  }

  /** Labels cited (after repairs) that point to retrieved chunks. */
  citedLabels(): string[] {
    return [...new Set([...this.output.matchAll(/\[([^\]]{1,64})\]/g)].flatMap((match) => splitCitation(match[1]!).filter((part) => LABEL.test(part) && this.registry.get(part))))];
  }

  private rewrite(bracket: string): string {
    const parts = splitCitation(bracket.slice(1, -1));
    if (parts.length === 0 || !parts.every((part) => LABEL.test(part) || SECTION.test(part))) return bracket;
    const kept: string[] = [];
    for (const part of parts) {
      if (LABEL.test(part)) {
        if (this.registry.get(part)) kept.push(part);
        else this.problems.push({ cited: part, fix: 'unverified' });
        continue;
      }
      const cited = this.registry.bySection(part);
      if (cited) {
        kept.push(cited.label);
        this.problems.push({ cited: part, fix: 'repaired', label: cited.label });
      } else {
        this.problems.push({ cited: part, fix: 'unverified' });
      }
    }
    return kept.length > 0 ? `[${[...new Set(kept)].join(', ')}]` : UNVERIFIED_MARK;
  }
}

function splitCitation(inner: string): string[] {
  return inner
    .split(/[,，;；]\s*|\]\s*\[/)
    .map((part) => part.trim())
    .filter((part) => part !== '');
}
