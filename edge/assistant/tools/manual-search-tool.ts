import { Type } from 'typebox';
import { defineTool } from './assistant-tool.js';

const DEFAULT_HITS = 4;

export const searchManualsTool = defineTool({
  name: 'search_manuals',
  description:
    "Searches the plant's manuals (troubleshooting rows T-…, fault codes F-…, procedures P-… with their safety steps, descriptions S-…). Each excerpt has a label such as M3: cite it as [M3] for every statement taken from it.",
  parameters: Type.Object(
    {
      query: Type.String({ minLength: 2, maxLength: 500, description: 'what to look for, in words, signal names or section ids (e.g. "P-PUMP-03" or "suction pressure low cavitation")' }),
      machineKind: Type.Optional(Type.String({ description: 'only manuals of this machine kind, e.g. "centrifugal-pump"' })),
      limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 8, description: 'default 4' })),
    },
    { additionalProperties: false },
  ),
  effect: 'none',
  target: () => 'manuals',
  async run(args, { plant, citations, language }) {
    const hits = await plant.manuals.search(args.query, { limit: args.limit ?? DEFAULT_HITS, preferLanguage: language, ...(args.machineKind ? { machineKind: args.machineKind } : {}) });
    if (hits.length === 0) return { excerpts: [], note: 'the manuals say nothing that matches; say so rather than guessing' };
    return {
      excerpts: hits.map((hit) => {
        const cited = citations.add(hit.chunk);
        return { label: cited.label, section: hit.chunk.sectionId, source: hit.chunk.citation, text: hit.chunk.text };
      }),
    };
  },
});
