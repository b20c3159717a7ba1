export type ManualLanguage = 'en' | 'zh';

const HAN = /\p{Script=Han}/gu;
const LATIN_LETTER = /[A-Za-z]/g;

/**
 * Chinese when Han characters carry at least as much of the text as Latin letters, a Han character
 * counting as three letters (about one word each): a Chinese paragraph full of signal names and ids stays
 * Chinese, an English one quoting a Chinese term stays English.
 */
export function detectLanguage(text: string): ManualLanguage {
  const han = text.match(HAN)?.length ?? 0;
  if (han === 0) return 'en';
  const latin = text.match(LATIN_LETTER)?.length ?? 0;
  return han * 3 >= latin ? 'zh' : 'en';
}
