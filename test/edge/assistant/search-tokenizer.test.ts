import { describe, expect, it } from 'vitest';
import { stemEnglish } from '../../../edge/assistant/knowledge/english-stemmer.js';
import { detectLanguage } from '../../../edge/assistant/knowledge/language-detection.js';
import { tokenize } from '../../../edge/assistant/knowledge/search-tokenizer.js';

describe('tokenize: English', () => {
  it('lower-cases, drops stop words and single letters, and stems', () => {
    expect(tokenize('What should I check when the Bearings are running hot?')).toEqual(['check', 'bear', 'run', 'hot']);
  });

  it('keeps ids and signal names whole as well as in parts', () => {
    const terms = tokenize('See P-PUMP-03 and vibration_de, per ISO 10816-3; 6.2 mm/s');
    expect(terms).toEqual(expect.arrayContaining(['p-pump-03', 'vibration_de', 'pump', '03', 'iso', '10816-3', '6.2', 'mm']));
    expect(terms).not.toContain('p');
  });

  it('reads full-width letters and digits as ASCII', () => {
    expect(tokenize('ＰＵＭＰ－０１')).toEqual(tokenize('pump-01'));
  });
});

describe('tokenize: Chinese', () => {
  it('segments words with ICU and adds every two-character piece between function words', () => {
    const terms = tokenize('驱动端轴承温度过高时应该检查什么？');
    expect(terms).toEqual(expect.arrayContaining(['驱动', '轴承', '温度', '过高', '检查']));
    expect(terms).not.toContain('应该');
    expect(terms).not.toContain('什么');
    expect(terms).not.toContain('时应');
  });

  it('lets a query meet a text that ICU segments differently', () => {
    const manual = new Set(tokenize('电机绕组温度过热时跳闸'));
    const shared = tokenize('电机过热').filter((term) => manual.has(term));
    expect(shared).toEqual(expect.arrayContaining(['电机', '过热']));
  });

  it('handles Chinese mixed with ids and signal names', () => {
    expect(tokenize('泵 P-PUMP-03 的 vibration_de 超过 4.5 mm/s')).toEqual(expect.arrayContaining(['泵', 'p-pump-03', 'vibration_de', '超过', '4.5']));
  });
});

describe('stemEnglish', () => {
  it.each([
    ['bearings', 'bearing'],
    ['leaking', 'leaked'],
    ['seized', 'seize'],
    ['replacement', 'replace'],
    ['inspection', 'inspect'],
    ['lubrication', 'lubricate'],
    ['stopped', 'stop'],
    ['running', 'run'],
    ['batteries', 'battery'],
  ])('%s and %s meet', (a, b) => {
    expect(stemEnglish(a)).toBe(stemEnglish(b));
  });

  it('leaves short words, ids and words ending in -ss, -us, -is alone', () => {
    expect(['gas', 'press', 'status', 'axis', 'e12'].map(stemEnglish)).toEqual(['gas', 'press', 'status', 'axis', 'e12']);
  });
});

describe('detectLanguage', () => {
  it('calls Chinese text with ids and units Chinese, and English text quoting a Chinese term English', () => {
    expect(detectLanguage('`vibration_de` 从 1.4–1.8 mm/s 稳步上升，驱动端轴承温度随后升高 (T-PUMP-01)')).toBe('zh');
    expect(detectLanguage('The plant calls the cooling loop 冷却回路 in its drawings; check the strainer first.')).toBe('en');
    expect(detectLanguage('Check the strainer.')).toBe('en');
  });
});
