/**
 * Text typed where buttons were offered. It is never thrown away: when it clearly names one option ("only me",
 * "the second one" aside, e.g. "from home" for "Home") it answers the question; otherwise the engine keeps it
 * as context for the incident description and asks again.
 */
import type { Choice } from '../../channels/types.js';
import { normalizeText, tokenize } from '../triage/normalize.js';

/** Short words that name no option ("the", "och", "de", "um"…): at most three letters never count alone. */
const significant = (word: string) => word.length >= 4;

/** The id of the one option the text names, or undefined when none or several fit. */
export function choiceNamedBy(text: string, choices: Choice[]): string | undefined {
  const said = normalizeText(text);
  if (!said) return undefined;
  const labels = choices.map((c) => ({ id: c.id, label: normalizeText(c.label) }));
  const exact = labels.filter((c) => c.label === said || c.id.toLowerCase() === said);
  if (exact.length === 1) return exact[0]!.id;
  // The whole label inside the text ("it's only me actually" ⊃ "only me").
  const whole = labels.filter((c) => c.label.length >= 3 && ` ${said} `.includes(` ${c.label} `));
  if (whole.length === 1) return whole[0]!.id;
  if (whole.length > 1) return undefined;
  // Otherwise a significant word shared with exactly one label, and none with any other.
  const words = new Set(tokenize(said).filter(significant));
  const sharing = labels.filter((c) => tokenize(c.label).some((w) => significant(w) && words.has(w)));
  return sharing.length === 1 ? sharing[0]!.id : undefined;
}

/** Worth keeping as context: has letters and is more than a bare "ok"/"?" (no-reports are handled elsewhere). */
export const worthKeeping = (text: string): boolean => /\p{L}{2,}/u.test(text) && text.trim().length >= 3;
