import type { ManualLanguage } from './language-detection.js';

/** A paragraph, list, table or line of a section, with the PDF page it is on. */
export interface SectionBlock {
  readonly text: string;
  readonly page?: number;
}

/** A section of a manual: its headings from the top down, and its own text (not its subsections'). */
export interface ManualSection {
  readonly headingPath: readonly string[];
  readonly blocks: readonly SectionBlock[];
}

/** What a parser makes of one file. */
export interface ParsedManual {
  readonly title: string;
  readonly sections: readonly ManualSection[];
  /** From Markdown front matter (`machineKind:` or `kind:`); else the file name is used. */
  readonly machineKind?: string;
}

/** One searchable, citable piece of a manual. */
export interface ManualChunk {
  /** Stable while the file, the heading path and the part stay: `en/centrifugal-pump.md#<heading path>#p1`. */
  readonly id: string;
  /** Path relative to the manuals folder, with "/". */
  readonly file: string;
  /** The manual's title (its first heading, or its file name). */
  readonly manual: string;
  readonly machineKind: string | null;
  readonly headingPath: readonly string[];
  /** The id in the section's heading, e.g. "T-PUMP-01", when it has one. */
  readonly sectionId: string | null;
  /** 1-based part of a section split for length, of `parts`. */
  readonly part: number;
  readonly parts: number;
  /** PDF pages the chunk spans; null for text formats. */
  readonly page: number | null;
  readonly pageEnd: number | null;
  readonly language: ManualLanguage;
  readonly text: string;
  /** How a person finds it: "Centrifugal pump manual, § Drive-end bearing inspection (P-PUMP-03), p. 12". */
  readonly citation: string;
}

export interface ManualHit {
  readonly chunk: ManualChunk;
  readonly score: number;
}
