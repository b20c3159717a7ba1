import { stemEnglish } from './english-stemmer.js';

/**
 * Search terms for English and Chinese alike. Text is NFKC-normalised (full-width letters and digits become
 * ASCII) and lower-cased. Runs of Han characters are cut into words by ICU's dictionary-based word
 * segmentation (Intl.Segmenter, which Node's full ICU provides for Chinese); everything else is split on
 * non-word characters, which is what the segmenter would do there, at a fraction of its cost (it also slows
 * down more than linearly on long texts). English words lose stop words and common suffixes; Chinese
 * runs yield their words and every two-character piece between function words, so a query segmented
 * differently from the manual ("过热" as one word or two) still meets it; single letters are dropped.
 * Ids, signal names and standard numbers (P-PUMP-03, vibration_de, 10816-3) are kept whole as well as in parts.
 */

const SEGMENTER = new Intl.Segmenter('zh', { granularity: 'word' });

const COMPOUND = /[a-z0-9]+(?:[-_.][a-z0-9]+)+/g;
/** A run of Han characters, a decimal number, or a word of any other script. */
const WORD_OR_HAN_RUN = /(\p{Script=Han}+)|\d+(?:\.\d+)+|(?:(?!\p{Script=Han})[\p{L}\p{N}_])+/gu;

const ENGLISH_STOP_WORDS = new Set(
  (
    'a an the and or but if then than so of to in on at by for with from into onto over under about as is are was were be been being ' +
    'it its this that these those there here what which who whom whose when where why how do does did doing done have has had ' +
    'i me my we our you your he she they them their can could should would will shall may might must please tell show give ' +
    'also just any some such very'
  ).split(' '),
);

const CHINESE_STOP_WORDS = new Set(
  '的 了 是 在 时 和 与 及 或 等 把 被 对 为 从 到 吗 呢 啊 吧 呀 么 这 那 这个 那个 哪 哪个 哪些 什么 怎么 怎样 如何 为什么 请 请问 我 我们 你 您 要 会 能 可以 应该 应当 一下 一个 有 有没有 吗'.split(' '),
);

/**
 * A Han run's words, and every pair of adjacent characters between function words: a two-character word is
 * one of those pairs, so words are taken whole only when they have one character or more than two.
 */
function hanRunTerms(run: string, out: string[]): void {
  let piece: string[] = [];
  const pairs = () => {
    for (let index = 0; index + 1 < piece.length; index++) out.push(piece[index]! + piece[index + 1]!);
    piece = [];
  };
  for (const { segment } of SEGMENTER.segment(run)) {
    if (CHINESE_STOP_WORDS.has(segment)) {
      pairs();
      continue;
    }
    const chars = [...segment];
    if (chars.length !== 2) out.push(segment);
    piece.push(...chars);
  }
  pairs();
}

/** The terms a text is indexed and searched by. */
export function tokenize(text: string): string[] {
  const normalized = text.normalize('NFKC').toLowerCase();
  const terms: string[] = [];
  for (const compound of normalized.match(COMPOUND) ?? []) {
    if (/[a-z_-]/.test(compound)) terms.push(compound);
  }
  for (const [word, hanRun] of normalized.matchAll(WORD_OR_HAN_RUN)) {
    if (hanRun !== undefined) {
      hanRunTerms(hanRun, terms);
    } else if (!ENGLISH_STOP_WORDS.has(word) && !/^\p{L}$/u.test(word)) {
      terms.push(stemEnglish(word));
    }
  }
  return terms;
}
