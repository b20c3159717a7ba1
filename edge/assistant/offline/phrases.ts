import type { ManualLanguage } from '../knowledge/language-detection.js';

/** The fixed wording of the offline answers and escalations, in both languages of the manuals. */
const ENGLISH = {
  noModel: 'No language model is attached to this box: this answer is put together from the manuals and the live data, without generated text.',
  nothingFound: 'The manuals have no section that matches this question. Try other words, a signal name (e.g. vibration_de) or a section id (e.g. P-PUMP-03).',
  manualsSay: 'What the manuals say',
  liveNow: 'Live values now',
  outOfNormal: 'outside its normal band',
  allNormal: 'all signals inside their normal bands',
  noData: 'no data',
  alert: 'Alert',
  openAlerts: 'Open alerts',
  model: 'Anomaly model',
  modelNormal: 'behaviour normal',
  modelAnomalous: 'behaviour abnormal',
  detected: 'What was detected',
  deviating: 'Signals that deviate',
  causes: 'Likely causes',
  checks: 'First checks',
  remedies: 'Remedies',
  safety: 'Safety first',
  share: 'of the anomaly score',
  sigmaAbove: 'σ above its fitted normal',
  sigmaBelow: 'σ below its fitted normal',
  normalBand: 'normal',
  tripCode: 'PLC trip code',
  symptom: 'Symptom',
  followUp: 'Ask a follow-up question in this thread.',
  citationsUnverified: 'Some citations in this answer do not point to a manual section retrieved for it; treat the statements they support as unverified.',
  liveValuesTitle: 'live values',
  findingTitle: 'what the model found',
};

export type Phrases = Readonly<Record<keyof typeof ENGLISH, string>>;

const CHINESE: Phrases = {
  noModel: '本设备未接入语言模型：以下回答直接取自手册和实时数据，不含生成的文字。',
  nothingFound: '手册中没有与此问题匹配的章节。请换一种说法，或使用信号名（如 vibration_de）或章节编号（如 P-PUMP-03）。',
  manualsSay: '手册中的相关内容',
  liveNow: '当前实时数值',
  outOfNormal: '超出正常范围',
  allNormal: '所有信号均在正常范围内',
  noData: '无数据',
  alert: '报警',
  openAlerts: '未关闭的报警',
  model: '异常检测模型',
  modelNormal: '运行正常',
  modelAnomalous: '运行异常',
  detected: '检测到的情况',
  deviating: '偏离正常的信号',
  causes: '可能原因',
  checks: '首先检查',
  remedies: '处理措施',
  safety: '安全优先',
  share: '占异常分数',
  sigmaAbove: 'σ，高于拟合正常值',
  sigmaBelow: 'σ，低于拟合正常值',
  normalBand: '正常',
  tripCode: 'PLC 跳闸代码',
  symptom: '症状',
  followUp: '可在此对话中继续提问。',
  citationsUnverified: '此回答中有引用未指向本次检索到的手册章节；其所支持的内容应视为未经核实。',
  liveValuesTitle: '实时数值',
  findingTitle: '模型发现',
};

export function phrases(language: ManualLanguage): Phrases {
  return language === 'zh' ? CHINESE : ENGLISH;
}
