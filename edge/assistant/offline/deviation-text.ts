import type { ManualLanguage } from '../knowledge/language-detection.js';
import type { SignalDeviation } from '../tools/alert-explanation.js';
import type { SignalReading } from '../tools/signal-status.js';
import { phrases } from './phrases.js';

const STATUS_WORDS: Readonly<Record<ManualLanguage, Record<string, string>>> = {
  en: {
    'above-high-high': 'above its high-high limit',
    'above-high': 'above its high limit',
    'below-low-low': 'below its low-low limit',
    'below-low': 'below its low limit',
    'outside-normal': 'outside its normal band',
    normal: 'normal',
    'no-data': 'no data',
    'bad-quality': 'bad quality',
  },
  zh: {
    'above-high-high': '高于高高限',
    'above-high': '高于高限',
    'below-low-low': '低于低低限',
    'below-low': '低于低限',
    'outside-normal': '超出正常范围',
    normal: '正常',
    'no-data': '无数据',
    'bad-quality': '数据质量差',
  },
};

function quantity(value: number | null, unit: string, language: ManualLanguage): string {
  if (value === null) return phrases(language).noData;
  return unit === '' ? String(value) : `${value} ${unit}`;
}

function band(normal: readonly [number, number] | null, unit: string, language: ManualLanguage): string {
  return normal === null ? '' : `${phrases(language).normalBand} ${normal[0]}–${normal[1]}${unit === '' ? '' : ` ${unit}`}`;
}

/** "vibration_de 5.2 mm/s — 61 % of the anomaly score, 4.1 σ above its fitted normal 1.6 mm/s; above its high limit (normal 0.5–2.8 mm/s)". */
export function deviationLine(deviation: SignalDeviation, language: ManualLanguage): string {
  const p = phrases(language);
  const parts: string[] = [];
  if (deviation.share !== undefined) parts.push(`${Math.round(deviation.share * 100)} % ${p.share}`);
  if (deviation.sigma !== undefined && deviation.fittedMean !== undefined && Math.abs(deviation.sigma) >= 0.5) {
    parts.push(`${Math.abs(deviation.sigma)} ${deviation.sigma > 0 ? p.sigmaAbove : p.sigmaBelow} ${quantity(deviation.fittedMean, deviation.unit, language)}`);
  }
  const status = deviation.status !== 'normal' ? STATUS_WORDS[language][deviation.status] : '';
  const normal = band(deviation.normal, deviation.unit, language);
  const tail = [status, normal].filter((text) => text !== '').join(language === 'zh' ? '，' : '; ');
  return `${deviation.signal} ${quantity(deviation.value, deviation.unit, language)}${parts.length > 0 ? ` — ${parts.join(language === 'zh' ? '，' : ', ')}` : ''}${tail ? ` (${tail})` : ''}`;
}

/** "vibration_de 5.2 mm/s (above its high limit; normal 0.5–2.8 mm/s)". */
export function readingLine(reading: SignalReading, language: ManualLanguage): string {
  const status = STATUS_WORDS[language][reading.status] ?? reading.status;
  const normal = band(reading.normal, reading.unit, language);
  return `${reading.signal} ${quantity(reading.value, reading.unit, language)} (${[status, normal].filter((text) => text !== '').join(language === 'zh' ? '，' : '; ')})`;
}
