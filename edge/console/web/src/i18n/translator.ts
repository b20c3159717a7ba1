import { EN_MESSAGES } from './messages-en.js';
import { ZH_MESSAGES } from './messages-zh.js';

/** A message: text with `{name}` placeholders, or plural forms chosen by the `count` parameter. */
export type Message = string | { readonly one: string; readonly other: string };
export type MessageKey = keyof typeof EN_MESSAGES;
export type Messages = { readonly [K in MessageKey]: Message };

export const LOCALES = ['en', 'zh-CN'] as const;
export type Locale = (typeof LOCALES)[number];

const DICTIONARIES: Record<Locale, Messages> = { en: EN_MESSAGES, 'zh-CN': ZH_MESSAGES };

export type MessageParams = Readonly<Record<string, string | number>>;

/** Every text of the page goes through here: one dictionary per locale, checked complete by the compiler. */
export class Translator {
  private readonly messages: Messages;
  private readonly plurals: Intl.PluralRules;

  constructor(readonly locale: Locale) {
    this.messages = DICTIONARIES[locale];
    this.plurals = new Intl.PluralRules(locale);
  }

  t(key: MessageKey, params: MessageParams = {}): string {
    const message = this.messages[key];
    const text = typeof message === 'string' ? message : this.plurals.select(Number(params.count ?? 0)) === 'one' ? message.one : message.other;
    return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
  }

  /** For keys built from data (a unit, a state word): the text when the dictionary has one. */
  optional(key: string, params: MessageParams = {}): string | undefined {
    return Object.hasOwn(this.messages, key) ? this.t(key as MessageKey, params) : undefined;
  }
}

/** The locale for a browser that chose none: Chinese when its languages start with zh, else English. */
export function preferredLocale(languages: readonly string[]): Locale {
  for (const language of languages) {
    if (language.toLowerCase().startsWith('zh')) return 'zh-CN';
    if (language.toLowerCase().startsWith('en')) return 'en';
  }
  return 'en';
}

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}
