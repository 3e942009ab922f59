// The message catalog: every string a customer or a teammate reads, in each catalog language, as
// ICU messages (plurals, selects, placeholders) formatted by FormatJS's intl-messageformat. The
// English catalog is the reference: every other language has the same keys and placeholders
// (tested), and a locale outside the catalog falls back to English.
import { readFileSync } from "node:fs";
import { IntlMessageFormat } from "intl-messageformat";
import en from "./catalogs/en.json" with { type: "json" };

export const LANGUAGES = ["en", "fr", "de", "es", "pt", "it", "nl"] as const;
export type Language = (typeof LANGUAGES)[number];
export type MessageKey = keyof typeof en;

const catalogs = new Map<Language, Record<MessageKey, string>>(
  LANGUAGES.map((language) => [language, language === "en" ? en : (JSON.parse(readFileSync(new URL(`./catalogs/${language}.json`, import.meta.url), "utf8")) as Record<MessageKey, string>)]),
);
const formats = new Map<string, IntlMessageFormat>();

/** The raw ICU message of a key in a language (the catalog's tests read it). */
export const rawMessage = (language: Language, key: MessageKey): string => catalogs.get(language)?.[key] ?? en[key];

export const isLanguage = (value: string): value is Language => (LANGUAGES as readonly string[]).includes(value);

/** The catalog language of a locale ("fr-CA", "pt_BR" → "fr", "pt"); any other locale is English. */
export function languageOfLocale(locale: string | null | undefined): Language {
  const base = (locale ?? "").toLowerCase().split(/[-_]/)[0] ?? "";
  return isLanguage(base) ? base : "en";
}

export type MessageValues = Record<string, string | number | undefined>;

/**
 * A message in a language. The customer's first name is optional (`name`): the messages read
 * naturally with or without it.
 */
export function translate(language: Language, key: MessageKey, values: MessageValues = {}): string {
  const cacheKey = `${language}\0${key}`;
  let format = formats.get(cacheKey);
  if (!format) formats.set(cacheKey, (format = new IntlMessageFormat(rawMessage(language, key), language)));
  return String(format.format({ ...values, hasName: values.name ? "yes" : "no", name: values.name ?? "" })).trim();
}

/** All of one language's messages, bound. */
export type Translator = ((key: MessageKey, values?: MessageValues) => string) & { language: Language };

export function translator(language: Language): Translator {
  return Object.assign((key: MessageKey, values?: MessageValues) => translate(language, key, values), { language });
}

/** A language's name, written in another (English by default): "French", or "anglais" in French. */
export const languageName = (language: Language, inLanguage: Language = "en"): string => translate(inLanguage, `language_${language}`);

/** The translator for a locale, or for the language already `spoken` (a card's) when that is a catalog language. */
export function translatorForLocale(locale: string | null | undefined, spoken?: string): Translator {
  return translator(spoken && isLanguage(spoken) ? spoken : languageOfLocale(locale));
}

/** The words of the Messenger card itself in a language. */
export function cardWords(t: Translator) {
  return {
    ask: t("ask"),
    talkToHuman: t("talk_to_human"),
    helpfulArticles: t("helpful_articles"),
    thatHelped: t("that_helped"),
    moreHelp: t("more_help"),
    popularNow: t("popular_now"),
    showWhere: t("show_where"),
    placeholders: { question: t("placeholder_question"), followUp: t("placeholder_follow_up"), more: t("placeholder_more"), otherWords: t("placeholder_other_words"), another: t("placeholder_another") },
  };
}
