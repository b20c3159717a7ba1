import type { ActionProposal } from '../console/assistant-port.js';
import type { ChatCard } from '../console/ws-messages.js';
import type { ManualLanguage } from './knowledge/language-detection.js';
import { phrases } from './offline/phrases.js';
import type { CitationProblem } from './safety/citation-check.js';
import type { CitedChunk } from './safety/citation-registry.js';
import type { AlertExplanation } from './tools/alert-explanation.js';
import type { SignalReading } from './tools/signal-status.js';

/**
 * The cards an answer carries (ChatCard `kind`s; README.md lists their `data`):
 * manual, values, finding, alert, action, citation-check, notice.
 */

/** A manual section the answer cites, with its text so the person can read the source. */
export function manualCard({ label, chunk }: CitedChunk): ChatCard {
  const heading = chunk.headingPath.at(-1) ?? chunk.manual;
  return {
    kind: 'manual',
    title: `[${label}] ${heading}`,
    data: { label, chunkId: chunk.id, sectionId: chunk.sectionId, file: chunk.file, manual: chunk.manual, citation: chunk.citation, page: chunk.page, language: chunk.language, text: chunk.text },
  };
}

export function valuesCard(asset: string, assetName: string, readings: readonly SignalReading[], language: ManualLanguage): ChatCard {
  return { kind: 'values', title: `${assetName} (${asset}) — ${phrases(language).liveValuesTitle}`, data: { asset, signals: readings } };
}

export function findingCard(explanation: AlertExplanation, language: ManualLanguage): ChatCard {
  return { kind: 'finding', title: `${phrases(language).alert} ${explanation.alertId} — ${explanation.asset}: ${phrases(language).findingTitle}`, data: explanation };
}

export function alertCard(alert: { id: number; asset: string; priority: string; state: string; message: string }, language: ManualLanguage): ChatCard {
  return { kind: 'alert', title: `${phrases(language).alert} ${alert.id} (${alert.asset}, ${alert.priority})`, data: alert };
}

/** An action the person must confirm or decline (ConsoleAssistant.decide). */
export function actionCard(proposal: ActionProposal): ChatCard {
  return { kind: 'action', title: proposal.summary, data: proposal };
}

export function citationCard(problems: readonly CitationProblem[], language: ManualLanguage): ChatCard {
  return { kind: 'citation-check', title: phrases(language).citationsUnverified, data: { problems } };
}

export function noticeCard(title: string, code: string): ChatCard {
  return { kind: 'notice', title, data: { code } };
}
