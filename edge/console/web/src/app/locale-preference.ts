import { isLocale, preferredLocale, type Locale } from '../i18n/translator.js';

const KEY = 'millwright.locale';

/** The language chosen in this browser, else the browser's own preference. */
export function loadLocale(): Locale {
  try {
    const stored = localStorage.getItem(KEY);
    if (isLocale(stored)) return stored;
  } catch {
    // storage refused (private mode): fall back to the browser's languages
  }
  return preferredLocale(navigator.languages);
}

export function saveLocale(locale: Locale): void {
  try {
    localStorage.setItem(KEY, locale);
  } catch {
    // not remembered; the page still switches
  }
}
