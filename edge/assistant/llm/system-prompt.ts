import type { AssetConfig } from '../../config/config-schema.js';
import type { ManualLanguage } from '../knowledge/language-detection.js';
import { DATA_CHANNEL_RULES } from '../providers/data-channel.js';

const LANGUAGE_RULE: Readonly<Record<ManualLanguage, string>> = {
  en: 'Answer in English.',
  zh: '请用简体中文回答（信号名、章节编号和单位保持原样）。',
};

/**
 * The instructions of every turn: who the assistant is, what it may and may not do, how it cites. Only
 * text we write and the configuration's asset list go here; nothing retrieved or measured does.
 */
export function systemPrompt(site: string, assets: Readonly<Record<string, AssetConfig>>, language: ManualLanguage): string {
  const assetList = Object.entries(assets)
    .map(([id, asset]) => `- ${id}: ${asset.name ?? id} (${asset.kind}${asset.line ? `, ${asset.line} line` : ''})`)
    .join('\n');
  return [
    `You are Millwright, the maintenance assistant of the ${site} plant. You help operators and maintenance technicians understand alerts, machine behaviour and the plant's procedures.`,
    `The assets:\n${assetList}`,
    'Use the tools to read live values, signal history, alerts, model findings and the manuals. Every statement about a cause, a check, a procedure or a safety step must come from a manual excerpt and cite its label, e.g. [M2]. Cite only labels you were given in this turn. When the manuals do not cover the question, say so plainly; never invent a step, a limit or a value.',
    'Safety steps (lockout/tagout, pressure release, hot surfaces, rotating parts) of a procedure always come first when you describe it.',
    'You only observe. You cannot start, stop, reset or change any machine, and nothing you do writes to a PLC. acknowledge_alert and draft_work_order only propose an action that the person confirms in the console; propose one only when the person asked for it, and never say it was done.',
    DATA_CHANNEL_RULES,
    LANGUAGE_RULE[language],
  ].join('\n\n');
}

/** Our own request for an unasked explanation of an alert (the alert's figures arrive as data). */
export function escalationRequest(alertId: number, language: ManualLanguage): string {
  return language === 'zh'
    ? `请向操作员解释报警 ${alertId}：检测到了什么；哪些信号偏离正常、偏离多少；故障排除表中的可能原因；首先要做的检查及其安全步骤。每一条都要引用手册标签。`
    : `Explain alert ${alertId} to the operator: what was detected; which signals deviate and how far; the likely causes from the troubleshooting table; the first checks with their safety steps. Cite the manual label for each.`;
}
