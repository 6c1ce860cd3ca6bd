/**
 * A first guess at a client's timezone before their browser can tell (JavaScript off, or not run
 * yet): the country in their Accept-Language header, and the zone most people there use. It is a
 * hint to show first in a list, never a choice made for them: "en-US" is many browsers' default
 * far from the US, and a country can span several zones.
 */
import { COUNTRIES_WITH_SEVERAL_TIMES, mostUsedZone } from "./zone-countries";

export type ZoneGuess = {
  zone: string;
  /** ISO 3166 code of the country the guess comes from ("DE"). */
  country: string;
  /** Every zone of that country keeps this zone's time: only the country can be wrong. */
  certain: boolean;
};

/** Browsers send well under this; the rest of a longer header is not read. */
const MAX_HEADER_LENGTH = 512;
const MAX_LANGUAGES = 20;

/** Codes people send that ISO 3166 spells otherwise. */
const COUNTRY_ALIASES: Readonly<Record<string, string>> = { UK: "GB" };

/** The zone of the most preferred language with a known country ("de-CH" -> "Europe/Zurich"). */
export function guessZoneFromAcceptLanguage(header: string | null | undefined): string | null {
  return guessFromAcceptLanguage(header)?.zone ?? null;
}

/**
 * The guess with where it comes from: languages by weight (equal weights in the header's order),
 * the first whose tag names a country we know. Null for no header, no country, or nonsense.
 */
export function guessFromAcceptLanguage(header: string | null | undefined): ZoneGuess | null {
  if (typeof header !== "string") return null;
  for (const tag of languagesByPreference(header.slice(0, MAX_HEADER_LENGTH))) {
    const country = countryOfTag(tag);
    const zone = country === null ? null : mostUsedZone(country);
    if (country !== null && zone !== null)
      return { zone, country, certain: !COUNTRIES_WITH_SEVERAL_TIMES.has(country) };
  }
  return null;
}

/** Language tags, highest weight first; "q=0" (not wanted) and malformed entries are dropped. */
function languagesByPreference(header: string): string[] {
  return header
    .split(",")
    .slice(0, MAX_LANGUAGES)
    .map(weighted)
    .filter((language) => language !== null)
    .sort((a, b) => b.weight - a.weight) // stable: equal weights keep the header's order
    .map((language) => language.tag);
}

const LANGUAGE_TAG = /^[a-z]{1,8}(-[a-z0-9]{1,8})*$/i;
/** RFC 9110's qvalue: 0 to 1 with at most three decimals. */
const QVALUE = /^q=(0(\.\d{0,3})?|1(\.0{0,3})?)$/i;

function weighted(entry: string): { tag: string; weight: number } | null {
  const [tag = "", ...parameters] = entry.split(";").map((part) => part.trim());
  if (!LANGUAGE_TAG.test(tag)) return null;
  const q = parameters.find((parameter) => /^q=/i.test(parameter));
  if (q !== undefined && !QVALUE.test(q)) return null;
  const weight = q === undefined ? 1 : Number(q.slice(2));
  return weight > 0 ? { tag, weight } : null;
}

/**
 * The country a BCP 47 tag names: its first two-letter subtag after the language ("de-CH",
 * "zh-Hant-TW", "sr-Latn-RS"). A three-digit region spans countries ("es-419", Latin America),
 * so it names none; single letters start extensions ("-u-", "-x-"), which come after any region.
 */
function countryOfTag(tag: string): string | null {
  const [language, ...subtags] = tag.split("-");
  if (language!.length === 1) return null; // "x-…" and "i-…" are private or grandfathered
  for (const subtag of subtags) {
    if (subtag.length === 1) return null;
    if (/^[a-z]{2}$/i.test(subtag)) {
      const code = subtag.toUpperCase();
      return Object.hasOwn(COUNTRY_ALIASES, code) ? COUNTRY_ALIASES[code]! : code;
    }
  }
  return null;
}
