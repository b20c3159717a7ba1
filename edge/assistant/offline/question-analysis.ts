import type { AssetConfig } from '../../config/config-schema.js';
import { detectLanguage, type ManualLanguage } from '../knowledge/language-detection.js';

/** What a question names: its language, an alert, an asset, signals, a fault code, section ids. */
export interface QuestionAnalysis {
  readonly language: ManualLanguage;
  readonly alertId: number | null;
  /** The asset named (by id, name or machine kind when only one asset is of that kind); null when none or unclear. */
  readonly asset: string | null;
  /** Signals of that asset the question mentions. */
  readonly signals: readonly string[];
  readonly faultCode: number | null;
  readonly sectionIds: readonly string[];
}

/** Words for machine kinds, in English and Chinese (a kind not listed is known by its id's words). */
const KIND_WORDS: Readonly<Record<string, readonly string[]>> = {
  'centrifugal-pump': ['pump', '泵'],
  'air-compressor': ['compressor', '压缩机', '空压机'],
  'cnc-spindle': ['spindle', '主轴', 'machining centre', 'machining center', '加工中心'],
  'conveyor-motor': ['conveyor', '输送机', '输送带', '皮带'],
  'energy-meter': ['energy meter', 'power meter', 'meter', '电能表', '电表', '能源表'],
};

/** Words for the parts of signal ids (`bearing_temp_de` → bearing, temp, de). */
const SIGNAL_PART_WORDS: Readonly<Record<string, readonly string[]>> = {
  vibration: ['vibration', 'vibrat', 'vib', '振动'],
  temp: ['temp', 'temperature', 'hot', 'heat', 'overheat', '温度', '温', '过热', '发热', '热'],
  current: ['current', 'amps', 'amp', 'ampere', '电流'],
  voltage: ['voltage', 'volt', '电压'],
  pressure: ['pressure', 'bar', '压力', '压'],
  flow: ['flow', '流量'],
  speed: ['speed', 'rpm', '转速'],
  load: ['load', '负载', '负荷'],
  power: ['power', 'kw', '功率'],
  energy: ['energy', 'kwh', '电量', '能耗'],
  frequency: ['frequency', 'hz', '频率'],
  factor: ['factor', 'pf', '功率因数'],
  bearing: ['bearing', '轴承'],
  motor: ['motor', 'winding', 'stator', '电机', '绕组', '马达'],
  suction: ['suction', 'inlet', '入口', '吸入', '进口'],
  discharge: ['discharge', 'outlet', '出口', '排气', '排出'],
  fluid: ['fluid', 'water', '水温', '水'],
  oil: ['oil', '油'],
  coolant: ['coolant', '冷却液'],
  de: ['drive end', 'drive-end', ' de ', 'de bearing', '驱动端'],
  nde: ['non-drive end', 'non-drive-end', 'nde', '非驱动端'],
  duty: ['duty', '负载率', '占空'],
  cycle: ['cycle', '率'],
  loaded: ['loaded', '加载'],
  state: ['state', 'status', '状态'],
  fault: ['fault', 'trip', '故障', '跳闸'],
  code: ['code', '代码'],
};

const ALERT_ID = /(?:alert|alarm|报警|告警)\s*(?:no\.?|number|id|#|编号|号)?\s*#?\s*([1-9]\d{0,8})|#([1-9]\d{0,8})\b/i;
const FAULT_CODE = /(?:fault|trip|error|code|故障代码|故障码|代码|跳闸)\s*(?:code)?\s*[:：#]?\s*(\d{3})\b/i;
const SECTION_ID = /\b[STFP]-[A-Z]{2,8}-\d{2,4}\b/gi;

export function analyseQuestion(question: string, assets: Readonly<Record<string, AssetConfig>>, context: { alertId?: number | null } = {}): QuestionAnalysis {
  const language = detectLanguage(question);
  const text = ` ${question.toLowerCase().replace(/[_]/g, ' ')} `;
  const raw = question.toLowerCase();
  const alertMatch = ALERT_ID.exec(question);
  const alertId = alertMatch ? Number(alertMatch[1] ?? alertMatch[2]) : (context.alertId ?? null);
  const faultMatch = FAULT_CODE.exec(question);
  const sectionIds = [...new Set((question.match(SECTION_ID) ?? []).map((id) => id.toUpperCase()))];
  const asset = findAsset(raw, text, assets);
  return {
    language,
    alertId,
    asset,
    signals: asset ? findSignals(raw, text, assets[asset]!) : [],
    faultCode: faultMatch ? Number(faultMatch[1]) : null,
    sectionIds,
  };
}

function findAsset(raw: string, text: string, assets: Readonly<Record<string, AssetConfig>>): string | null {
  const ids = Object.keys(assets);
  const byId = ids.filter((id) => raw.includes(id.toLowerCase()) || text.includes(` ${id.toLowerCase().replace(/[-_]/g, ' ')} `) || raw.includes(id.toLowerCase().replace(/[-_]/g, '')));
  if (byId.length === 1) return byId[0]!;
  if (byId.length > 1) return byId.sort((a, b) => b.length - a.length)[0]!;
  const byName = ids.filter((id) => {
    const name = assets[id]!.name?.toLowerCase();
    return name !== undefined && (raw.includes(name) || raw.includes(name.replace(/\s*\d+$/, '')));
  });
  const kinds = [...new Set(ids.map((id) => assets[id]!.kind))];
  const named = kinds.filter((kind) => (KIND_WORDS[kind] ?? kind.split('-')).some((word) => text.includes(word.length <= 3 && /^[a-z]+$/.test(word) ? ` ${word} ` : word)));
  // a name and a machine kind that point at different machines ("the spindle's compressed air") leave it open
  if (byName.length === 1) return named.length === 0 || named.includes(assets[byName[0]!]!.kind) ? byName[0]! : null;
  if (named.length !== 1) return null;
  const ofKind = ids.filter((id) => assets[id]!.kind === named[0]);
  return ofKind.length === 1 ? ofKind[0]! : null;
}

function findSignals(raw: string, text: string, asset: AssetConfig): string[] {
  const stripped = text.replace(/non-drive[ -]end|nde|非驱动端/g, ' §nde§ ');
  const found: string[] = [];
  for (const signal of Object.keys(asset.signals)) {
    if (raw.includes(signal.toLowerCase())) {
      found.push(signal);
      continue;
    }
    const parts = signal.toLowerCase().split('_');
    const matches = (part: string) =>
      part === 'nde' ? stripped.includes('§nde§') : (SIGNAL_PART_WORDS[part] ?? [part]).some((word) => (part === 'de' ? stripped : text).includes(word));
    if (parts.every(matches)) found.push(signal);
  }
  return found;
}
