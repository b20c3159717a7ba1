import type { ChatCard } from '../../console/ws-messages.js';
import { alertCard, findingCard, manualCard, noticeCard, valuesCard } from '../assistant-cards.js';
import type { ManualLanguage } from '../knowledge/language-detection.js';
import type { ManualChunk } from '../knowledge/manual-chunk.js';
import { retrieveForAlert, retrieveForQuestion } from '../manual-grounding.js';
import { CitationRegistry, type CitedChunk } from '../safety/citation-registry.js';
import { explainAlert } from '../tools/alert-explanation.js';
import type { PlantAccess } from '../tools/plant-access.js';
import { readSignal } from '../tools/signal-status.js';
import { deviationLine, readingLine } from './deviation-text.js';
import { leadText, safetySteps, troubleshootingRow } from './manual-extracts.js';
import { phrases } from './phrases.js';
import type { QuestionAnalysis } from './question-analysis.js';

export interface GroundedAnswer {
  readonly text: string;
  readonly cards: ChatCard[];
}

const SECTIONS = 3;
const EXTRACT_CHARS = 420;
const SAFETY_SHOWN = 4;

/**
 * The answer without a language model: the alert's context, the asset's live values and model finding,
 * and the manual sections that match, each with its citation label and card. Nothing is generated: every
 * sentence is a template around figures or text quoted from the manuals.
 */
export async function offlineAnswer(question: string, analysis: QuestionAnalysis, plant: PlantAccess, now: number): Promise<GroundedAnswer> {
  const { language } = analysis;
  const p = phrases(language);
  const lines: string[] = [p.noModel, ''];
  const cards: ChatCard[] = [noticeCard(p.noModel, 'no-language-model')];
  const citations = new CitationRegistry();
  const chunks: ManualChunk[] = [];

  const found = analysis.alertId !== null ? plant.alerts.get(analysis.alertId) : undefined;
  const asset = analysis.asset ?? found?.alert.asset ?? null;
  if (found) {
    const explanation = explainAlert(found.alert, plant.assets[found.alert.asset], plant.bus);
    lines.push(`**${p.alert} ${found.alert.id}** (${found.alert.asset}, ${found.alert.priority}, ${found.alert.state}): ${found.alert.message}`);
    for (const deviation of explanation.deviations.slice(0, 4)) lines.push(`- ${deviationLine(deviation, language)}`);
    lines.push('');
    cards.push(alertCard(found.alert, language), findingCard(explanation, language));
    const grounding = await retrieveForAlert(plant.manuals, explanation, language);
    chunks.push(...[grounding.faultCode, ...grounding.troubleshooting, grounding.procedures[0] ?? null].filter((chunk): chunk is ManualChunk => chunk !== null));
  } else if (asset !== null) {
    const open = plant.alerts.list({ assets: [asset], limit: 5 });
    if (open.length > 0) {
      lines.push(`**${p.openAlerts}** (${asset}):`);
      for (const alert of open) lines.push(`- #${alert.id} ${alert.priority}, ${alert.state}: ${alert.message}`);
      lines.push('');
    }
  }

  if (asset !== null && plant.assets[asset]) {
    lines.push(...(await liveSection(asset, analysis, plant, now, language, cards)), '');
  }

  const machineKind = asset !== null ? (plant.assets[asset]?.kind ?? null) : null;
  // an alert's own sections come first; the question's matches fill up to SECTIONS
  const fromAlert = chunks.length;
  if (fromAlert < SECTIONS) {
    for (const chunk of await retrieveForQuestion(plant.manuals, question, analysis, machineKind, SECTIONS)) {
      if (!chunks.some((known) => known.id === chunk.id)) chunks.push(chunk);
    }
  }
  const shown = chunks.slice(0, Math.max(SECTIONS, fromAlert)).map((chunk) => citations.add(chunk));
  if (shown.length === 0) lines.push(p.nothingFound);
  else {
    lines.push(`**${p.manualsSay}**`);
    for (const cited of shown) lines.push('', ...sectionLines(cited, language));
  }
  cards.push(...shown.map(manualCard));
  return { text: lines.join('\n').trim(), cards };
}

async function liveSection(asset: string, analysis: QuestionAnalysis, plant: PlantAccess, now: number, language: ManualLanguage, cards: ChatCard[]): Promise<string[]> {
  const p = phrases(language);
  const config = plant.assets[asset]!;
  const readings = Object.entries(config.signals).map(([signal, signalConfig]) => readSignal(plant.bus, asset, signal, signalConfig, now));
  cards.push(valuesCard(asset, config.name ?? asset, readings, language));
  const mentioned = readings.filter((reading) => analysis.signals.includes(reading.signal));
  const abnormal = readings.filter((reading) => !analysis.signals.includes(reading.signal) && reading.status !== 'normal' && reading.status !== 'no-data' && reading.normal !== null);
  const lines = [`**${p.liveNow}** — ${config.name ?? asset} (${asset}):`];
  for (const reading of [...mentioned, ...abnormal]) lines.push(`- ${readingLine(reading, language)}`);
  if (mentioned.length + abnormal.length === 0) lines.push(`- ${readings.every((reading) => reading.status === 'no-data') ? p.noData : p.allNormal}`);
  const assessment = await plant.detection?.assess(asset);
  if (assessment) {
    const severity = assessment.finding ? ` (${assessment.finding.severity.toFixed(1)} × threshold)` : '';
    lines.push(`- ${p.model} ${assessment.model}: ${assessment.anomalous ? p.modelAnomalous : p.modelNormal}${severity}`);
  }
  return lines;
}

/** A cited section as a few lines: for a troubleshooting row its causes and checks, for a procedure its safety steps. */
function sectionLines({ label, chunk }: CitedChunk, language: ManualLanguage): string[] {
  const p = phrases(language);
  const heading = `[${label}] ${chunk.headingPath.at(-1) ?? chunk.manual}${chunk.page !== null ? `, p. ${chunk.page}` : ''}`;
  const row = troubleshootingRow(chunk);
  if (row) return [heading, `- ${p.causes}: ${row.causes} [${label}]`, `- ${p.checks}: ${row.checks} [${label}]`];
  const safety = chunk.sectionId?.startsWith('P-') ? safetySteps(chunk).slice(0, SAFETY_SHOWN) : [];
  if (safety.length > 0) return [heading, `- ${p.safety}:`, ...safety.map((step) => `  - ${step} [${label}]`)];
  return [heading, `> ${leadText(chunk, EXTRACT_CHARS).replace(/\n/g, '\n> ')} [${label}]`];
}
