import type { Alert } from '../../alerts/alert.js';
import type { ChatCard } from '../../console/ws-messages.js';
import { alertCard, findingCard, manualCard, noticeCard } from '../assistant-cards.js';
import type { ManualLanguage } from '../knowledge/language-detection.js';
import type { AlertGrounding } from '../manual-grounding.js';
import { deviationLine } from '../offline/deviation-text.js';
import { leadText, safetySteps, troubleshootingRow } from '../offline/manual-extracts.js';
import { phrases } from '../offline/phrases.js';
import type { CitationRegistry } from '../safety/citation-registry.js';
import type { AlertExplanation } from '../tools/alert-explanation.js';

const SAFETY_SHOWN = 5;

/**
 * The explanation of an alert without a language model: what was detected, the deviating signals in
 * figures, then for each matching troubleshooting row its likely causes and first checks, and the safety
 * steps of the procedure they lead to, every line citing its manual section.
 */
export function escalationTemplate(alert: Alert, explanation: AlertExplanation, grounding: AlertGrounding, citations: CitationRegistry, language: ManualLanguage, withModelNotice: boolean): { text: string; cards: ChatCard[] } {
  const p = phrases(language);
  const lines: string[] = [];
  lines.push(`**${p.detected}**: ${explanation.assetName} (${alert.asset}) — ${alert.message} (${alert.priority}, ${new Date(alert.lastActivatedAt).toISOString()})`);
  if (explanation.deviations.length > 0) {
    lines.push('', `**${p.deviating}**:`);
    for (const deviation of explanation.deviations.slice(0, 5)) lines.push(`- ${deviationLine(deviation, language)}`);
  }
  if (grounding.faultCode) {
    const { label } = citations.add(grounding.faultCode);
    lines.push('', `**${p.tripCode} ${explanation.trip?.code ?? ''}** [${label}]: ${leadText(grounding.faultCode, 400).replace(/\n/g, ' ')}`);
  }
  for (const chunk of grounding.troubleshooting) {
    const { label } = citations.add(chunk);
    const row = troubleshootingRow(chunk);
    const heading = chunk.headingPath.at(-1) ?? chunk.sectionId ?? '';
    lines.push('', `**${heading}** [${label}]`);
    if (row) lines.push(`- ${p.causes}: ${row.causes} [${label}]`, `- ${p.checks}: ${row.checks} [${label}]`);
    else lines.push(`- ${leadText(chunk, 400).replace(/\n/g, ' ')} [${label}]`);
  }
  const withSafety = grounding.procedures.find((chunk) => safetySteps(chunk).length > 0);
  if (withSafety) {
    const { label } = citations.add(withSafety);
    lines.push('', `**${p.safety}** — ${withSafety.headingPath.at(-1) ?? withSafety.sectionId} [${label}]:`);
    for (const step of safetySteps(withSafety).slice(0, SAFETY_SHOWN)) lines.push(`- ${step} [${label}]`);
  }
  if (citations.size === 0) lines.push('', p.nothingFound);
  lines.push('', withModelNotice ? `${p.noModel} ${p.followUp}` : p.followUp);
  const cards: ChatCard[] = [alertCard(alert, language), findingCard(explanation, language), ...citations.all().map(manualCard)];
  if (withModelNotice) cards.push(noticeCard(p.noModel, 'no-language-model'));
  return { text: lines.join('\n'), cards };
}
