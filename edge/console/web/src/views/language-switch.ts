import { h } from '../dom.js';
import type { Locale, Translator } from '../i18n/translator.js';

/** One button naming the other language in that language ("中文" / "English"), so anyone can find it. */
export function languageSwitch(t: Translator, choose: (locale: Locale) => void): HTMLButtonElement {
  const other: Locale = t.locale === 'en' ? 'zh-CN' : 'en';
  return h(
    'button',
    { type: 'button', class: 'button language-switch', lang: other, 'data-testid': 'language-switch', 'aria-label': t.t('language.switch'), onclick: () => choose(other) },
    t.t('language.other'),
  );
}
