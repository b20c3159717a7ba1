/**
 * A light suffix stripper for search terms (not a linguistic stemmer): plurals, -ing, -ed, -ment, -ion, a final
 * -e and a doubled final consonant, so "bearings", "leaking", "leaked", "seized" and "seize" meet their base
 * form, and "replacement" meets "replace", "inspection" meets "inspect", "lubrication" meets "lubricate".
 * It only has to be consistent: documents and queries go through the same function.
 */
export function stemEnglish(word: string): string {
  if (word.length <= 3 || !/^[a-z]+$/.test(word)) return word;
  let stem = word;
  if (stem.endsWith('ies') && stem.length > 4) stem = `${stem.slice(0, -3)}y`;
  else if (stem.endsWith('sses')) stem = stem.slice(0, -2);
  else if (stem.endsWith('s') && !/(ss|us|is)$/.test(stem)) stem = stem.slice(0, -1);

  for (const suffix of ['ing', 'ed']) {
    const base = stem.slice(0, -suffix.length);
    if (stem.endsWith(suffix) && base.length >= 3 && /[aeiouy]/.test(base)) {
      stem = base;
      break;
    }
  }
  for (const suffix of ['ment', 'ion']) {
    const base = stem.slice(0, -suffix.length);
    if (stem.endsWith(suffix) && base.length >= 4 && /[aeiouy]/.test(base)) {
      stem = base;
      break;
    }
  }
  if (stem.endsWith('e') && stem.length > 4) stem = stem.slice(0, -1);
  if (/([bdfgmnprt])\1$/.test(stem)) stem = stem.slice(0, -1);
  return stem;
}
