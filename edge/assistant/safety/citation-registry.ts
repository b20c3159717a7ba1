import type { ManualChunk } from '../knowledge/manual-chunk.js';

export interface CitedChunk {
  /** M1, M2, … in the order the chunks were retrieved this turn. */
  readonly label: string;
  readonly chunk: ManualChunk;
}

/**
 * The manual chunks retrieved in one turn, each with its citation label. A reply may cite only these
 * labels (or the section ids of these chunks); the same chunk retrieved twice keeps its first label.
 */
export class CitationRegistry {
  private readonly byId = new Map<string, CitedChunk>();
  private readonly byLabel = new Map<string, CitedChunk>();

  add(chunk: ManualChunk): CitedChunk {
    const known = this.byId.get(chunk.id);
    if (known) return known;
    const cited = { label: `M${this.byId.size + 1}`, chunk };
    this.byId.set(chunk.id, cited);
    this.byLabel.set(cited.label, cited);
    return cited;
  }

  get(label: string): CitedChunk | undefined {
    return this.byLabel.get(label);
  }

  /** The retrieved chunk with this section id (T-PUMP-01), the first retrieved when several. */
  bySection(sectionId: string): CitedChunk | undefined {
    for (const cited of this.byId.values()) if (cited.chunk.sectionId === sectionId) return cited;
    return undefined;
  }

  all(): CitedChunk[] {
    return [...this.byId.values()];
  }

  get size(): number {
    return this.byId.size;
  }
}
