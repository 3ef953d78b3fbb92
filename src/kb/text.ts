/** Text normalisation shared by both rankers, so that PostgreSQL and the in-process engine see the same words. */

export const KB_LANGUAGES = ['en', 'sv', 'es', 'pt'] as const;
export type KbLanguage = (typeof KB_LANGUAGES)[number];

export const KB_CATEGORIES = ['network', 'account_access', 'email_calendar', 'hardware', 'software', 'security'] as const;
export type KbCategory = (typeof KB_CATEGORIES)[number];

/** PostgreSQL text search configuration (Snowball stemmer + stop words) per KB language. */
export const PG_TS_CONFIG: Record<KbLanguage, string> = {
  en: 'english',
  sv: 'swedish',
  es: 'spanish',
  pt: 'portuguese',
};

/**
 * Users often type without diacritics ("contrasena", "losenord", "senha nao"), so both sides of the match are
 * folded. An explicit table rather than Unicode decomposition because PostgreSQL must apply the identical mapping
 * with the built-in `translate()` (the `unaccent` extension is not available on every server nor in PGlite).
 * Upper-case letters map straight to lower-case ones because `lower()` under the C locale leaves them alone.
 */
export const FOLD_FROM = 'áàâãäåéèêëíìîïóòôõöúùûüçñýÁÀÂÃÄÅÉÈÊËÍÌÎÏÓÒÔÕÖÚÙÛÜÇÑÝøØæÆ';
export const FOLD_TO = 'aaaaaaeeeeiiiiooooouuuucnyaaaaaaeeeeiiiiooooouuuucnyooaa';

const foldMap = new Map<string, string>([...FOLD_FROM].map((ch, i) => [ch, FOLD_TO[i] ?? ch]));

export function fold(text: string): string {
  let out = '';
  for (const ch of text.normalize('NFC')) out += foldMap.get(ch) ?? ch;
  return out.toLowerCase();
}

/** Word tokens of folded text; hyphenated words also yield their joined form ("wi-fi" → "wi-fi", "wifi"). */
export function tokenize(text: string): string[] {
  const tokens: string[] = [];
  for (const m of fold(text).matchAll(/[\p{L}\p{N}]+(?:[-'][\p{L}\p{N}]+)*/gu)) {
    const word = m[0];
    if (word.includes('-') || word.includes("'")) {
      tokens.push(word.replace(/[-']/g, ''));
      tokens.push(...word.split(/[-']/).filter((w) => w.length > 1));
    } else {
      tokens.push(word);
    }
  }
  return tokens;
}

/**
 * Swedish Snowball leaves the definite suffixes "-et"/"-en" of many nouns ("lösenordet", "kontot") untouched, so
 * the article about "lösenord" would not match. Returns extra forms without those suffixes; callers add them as
 * query alternatives (PostgreSQL) or apply them after stemming on both sides (in-process engine).
 */
export function swedishDefiniteVariants(word: string): string[] {
  const out: string[] = [];
  for (const suffix of ['arna', 'erna', 'orna', 'et', 'en', 'na', 't', 'n']) {
    if (word.endsWith(suffix) && word.length - suffix.length >= 4) out.push(word.slice(0, -suffix.length));
  }
  return out;
}

export function isKbLanguage(value: unknown): value is KbLanguage {
  return typeof value === 'string' && (KB_LANGUAGES as readonly string[]).includes(value);
}
