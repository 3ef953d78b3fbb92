/**
 * Text clean-up shared by the trained model and the keyword rules, so both see the same tokens whatever the
 * channel delivered: raw e-mail (quoted replies, signatures with phone numbers, links), mixed languages, and
 * text that went through a wrong charset somewhere on the way.
 */

/** Longer input is truncated: the first 20k characters of a ticket carry its subject; the rest is noise and cost. */
export const MAX_TEXT_CHARS = 20_000;

// UTF-8 bytes that were decoded as Latin-1/CP-1252 ("Ã¤" for "ä", "Ã©" for "é") — the commonest mail corruption.
const MOJIBAKE = /[ÃÂ][\u0080-\u00BF]/;
const QUOTED_LINE = /^[ \t]*>.*$/gm;
const URL = /\b(?:https?:\/\/|www\.)\S+/gi;
const EMAIL_ADDRESS = /\b[\w.+-]+@[\w-]+\.[\w.-]+\b/g;
const LONG_DIGITS = /\d{5,}/g;
// Replacement character (invalid bytes), control characters and zero-width marks carry no meaning.
// eslint-disable-next-line no-control-regex -- removing control characters is the point
const JUNK = /[\uFFFD\u0000-\u0008\u000B-\u001F\u007F-\u009F\u200B-\u200F\u2028\u2029\uFEFF]/g;
const MARKS = /\p{M}+/gu;
// Letters NFD does not decompose but that users type without the stroke when the keyboard lacks them.
const FOLD: Record<string, string> = { ø: 'o', æ: 'ae', œ: 'oe', ß: 'ss', ł: 'l', đ: 'd', ð: 'd', þ: 'th', ı: 'i' };
const FOLDABLE = /[øæœßłđðþı]/g;
const NON_WORD = /[^\p{L}\p{N}]+/u;

/** Repairs UTF-8-read-as-Latin-1 only when the round trip yields valid UTF-8; otherwise leaves the text alone. */
export function repairMojibake(text: string): string {
  if (!MOJIBAKE.test(text)) return text;
  // Only representable when every character fits in one Latin-1 byte.
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0xff) return text;
  const repaired = Buffer.from(text, 'latin1').toString('utf8');
  return repaired.includes('\uFFFD') ? text : repaired;
}

/** Lowercased, accent-free, single-spaced text with quoted lines, URLs, addresses and long numbers removed. */
export function normalizeText(raw: string): string {
  let text = raw.length > MAX_TEXT_CHARS ? raw.slice(0, MAX_TEXT_CHARS) : raw;
  text = repairMojibake(text).normalize('NFKC');
  text = text.replace(QUOTED_LINE, ' ').replace(URL, ' ').replace(EMAIL_ADDRESS, ' ').replace(LONG_DIGITS, ' ');
  text = text.replace(JUNK, ' ').toLowerCase();
  text = text.normalize('NFD').replace(MARKS, '').replace(FOLDABLE, (c) => FOLD[c] ?? c);
  return text.replace(/\s+/g, ' ').trim();
}

/** Words (letters and digits) of already-normalised text. */
export function tokenize(normalized: string): string[] {
  if (normalized === '') return [];
  return normalized.split(NON_WORD).filter((w) => w !== '');
}
