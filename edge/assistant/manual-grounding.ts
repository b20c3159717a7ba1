import type { KnowledgeBase } from './knowledge/knowledge-base.js';
import type { ManualLanguage } from './knowledge/language-detection.js';
import type { ManualChunk } from './knowledge/manual-chunk.js';
import { referencedSections } from './offline/manual-extracts.js';
import type { QuestionAnalysis } from './offline/question-analysis.js';
import type { AlertExplanation } from './tools/alert-explanation.js';

/** The first part of a section, in the wanted language when the manuals have it. */
export function sectionChunk(manuals: KnowledgeBase, sectionId: string, language: ManualLanguage, machineKind?: string): ManualChunk | undefined {
  const candidates = manuals.allChunks().filter((chunk) => chunk.sectionId === sectionId && (machineKind === undefined || chunk.machineKind === machineKind));
  const ordered = candidates.sort((a, b) => Number(b.language === language) - Number(a.language === language) || a.part - b.part);
  return ordered[0];
}

function faultCodeChunk(manuals: KnowledgeBase, code: number, language: ManualLanguage, machineKind: string | null): ManualChunk | undefined {
  const pattern = new RegExp(`^F-[A-Z]+-0*${code}$`);
  const candidates = manuals.allChunks().filter((chunk) => chunk.sectionId !== null && pattern.test(chunk.sectionId) && (machineKind === null || chunk.machineKind === machineKind));
  return candidates.sort((a, b) => Number(b.language === language) - Number(a.language === language) || a.part - b.part)[0];
}

/**
 * The manual chunks that answer a question: sections it names by id, the fault code it names, then the
 * best keyword matches (in the asset's manual when it names an asset, in its language first).
 */
export async function retrieveForQuestion(manuals: KnowledgeBase, question: string, analysis: QuestionAnalysis, machineKind: string | null, limit: number): Promise<ManualChunk[]> {
  const found: ManualChunk[] = [];
  const add = (chunk: ManualChunk | undefined) => {
    if (chunk && !found.some((known) => known.id === chunk.id)) found.push(chunk);
  };
  for (const id of analysis.sectionIds) add(sectionChunk(manuals, id, analysis.language));
  if (analysis.faultCode !== null) add(faultCodeChunk(manuals, analysis.faultCode, analysis.language, machineKind));
  const options = { limit, preferLanguage: analysis.language };
  let hits = machineKind !== null ? await manuals.search(question, { ...options, machineKind }) : [];
  if (hits.length === 0) hits = await manuals.search(question, options);
  for (const hit of hits) add(hit.chunk);
  return found.slice(0, Math.max(limit, analysis.sectionIds.length));
}

export interface AlertGrounding {
  /** The fault code's section, for a trip. */
  readonly faultCode: ManualChunk | null;
  /** Troubleshooting rows (T-…) that match what deviates, best first. */
  readonly troubleshooting: readonly ManualChunk[];
  /** Procedures (P-…) those rows point to, in order of mention. */
  readonly procedures: readonly ManualChunk[];
}

const ROWS = 2;
const PROCEDURES = 2;

/** The words a troubleshooting row uses for a signal going up or down. */
const DIRECTION_WORDS: Readonly<Record<ManualLanguage, Record<'high' | 'low' | 'in-range', string>>> = {
  en: { high: 'rising high climbing', low: 'falling low dropping', 'in-range': '' },
  zh: { high: '上升 升高 过高', low: '下降 降低 过低', 'in-range': '' },
};

/** The manual sections that explain an alert: its fault code, the troubleshooting rows its deviations match, their procedures. */
export async function retrieveForAlert(manuals: KnowledgeBase, explanation: AlertExplanation, language: ManualLanguage): Promise<AlertGrounding> {
  const machineKind = explanation.machineKind;
  const faultCode = explanation.trip ? (faultCodeChunk(manuals, explanation.trip.code, language, machineKind) ?? null) : null;
  const rows: ManualChunk[] = [];
  const addRow = (chunk: ManualChunk | undefined) => {
    if (chunk && chunk.sectionId?.startsWith('T-') && !rows.some((known) => known.sectionId === chunk.sectionId)) rows.push(chunk);
  };
  if (faultCode) for (const id of referencedSections(faultCode.text).filter((id) => id.startsWith('T-'))) addRow(sectionChunk(manuals, id, language, machineKind));
  const deviating = explanation.deviations.filter((deviation) => deviation.direction !== 'in-range' || deviation.share !== undefined).slice(0, 3);
  const query = [
    ...deviating.map((deviation) => `${deviation.signal} ${DIRECTION_WORDS[language][deviation.direction]}`),
    explanation.limit ? `${explanation.limit.signal} ${explanation.limit.value > explanation.limit.limit ? DIRECTION_WORDS[language].high : DIRECTION_WORDS[language].low}` : '',
  ].join(' ');
  if (query.trim() !== '') {
    const hits = await manuals.search(query, { limit: 12, machineKind, language });
    const top = deviating[0]?.signal ?? explanation.limit?.signal;
    // a row whose symptom starts from the leading signal describes this fault better than one that only mentions it
    const ranked = hits.map((hit, rank) => ({ hit, rank, leads: top !== undefined && symptomLeadsWith(hit.chunk, top) }));
    ranked.sort((a, b) => Number(b.leads) - Number(a.leads) || a.rank - b.rank);
    for (const { hit } of ranked) if (rows.length < ROWS) addRow(hit.chunk);
  }
  const procedureIds = rows.flatMap((row) => referencedSections(row.text.split('\n').find((line) => line.startsWith(`| ${row.sectionId} |`)) ?? row.text)).filter((id) => id.startsWith('P-'));
  const procedures = [...new Set(procedureIds)]
    .slice(0, PROCEDURES)
    .flatMap((id) => sectionChunk(manuals, id, language, machineKind) ?? []);
  return { faultCode, troubleshooting: rows.slice(0, ROWS), procedures };
}

function symptomLeadsWith(chunk: ManualChunk, signal: string): boolean {
  const row = chunk.text.split('\n').find((line) => line.startsWith(`| ${chunk.sectionId} |`));
  const symptom = row?.split('|')[2] ?? '';
  return symptom.trimStart().startsWith(`\`${signal}\``);
}
