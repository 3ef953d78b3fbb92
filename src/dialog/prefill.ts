import type { Answer, DialogDefinition, DialogStep } from './definition.js';
import type { Translate } from './messages.js';

/**
 * Reading answers from the report itself ("since this morning", "at home", "error 809"), so the dialog skips
 * questions the reporter already answered. Pure: the patterns are data in the definition (`extract` on a
 * question or on its choice options), every language's patterns are tried on every report.
 *
 * Only confident readings count: a choice (or yes/no) whose patterns match exactly one option, a text or
 * number pattern that matches. Two options matching ("at home … now in the office") is ambiguous: ask.
 */
const SAMPLE = 5_000;
const compiled = new WeakMap<object, RegExp[]>();

function regexes(byLang: Record<string, string[]> | undefined): RegExp[] {
  if (!byLang) return [];
  let list = compiled.get(byLang);
  if (!list) {
    list = Object.values(byLang).flat().map((p) => new RegExp(p, 'iu'));
    compiled.set(byLang, list);
  }
  return list;
}

/** Whether any language's pattern matches (patterns are compiled once per definition). */
export const anyMatch = (byLang: Record<string, string[]> | undefined, text: string) => regexes(byLang).some((re) => re.test(text));

/** The value a question's answer would have, read from `text`, or undefined when the report does not say. */
export function readAnswer(ask: Answer, text: string): unknown {
  const sample = text.slice(0, SAMPLE);
  switch (ask.type) {
    case 'choice': {
      const hits = ask.choices.filter((c) => c.extract && anyMatch(c.extract, sample));
      return hits.length === 1 ? (hits[0]!.value ?? hits[0]!.id) : undefined;
    }
    case 'yes_no': {
      const yes = anyMatch(ask.extract?.yes, sample);
      const no = anyMatch(ask.extract?.no, sample);
      return yes === no ? undefined : yes;
    }
    case 'text': {
      const found = captured(ask.extract, sample);
      return found && found.length >= ask.minLength ? found : undefined;
    }
    case 'number': {
      const n = Number(captured(ask.extract, sample)?.replace(',', '.'));
      if (!Number.isFinite(n) || (ask.min !== undefined && n < ask.min) || (ask.max !== undefined && n > ask.max)) return undefined;
      return n;
    }
    case 'attachment':
      return undefined;
  }
}

/** Named group `answer` of the first matching pattern, else the whole match; trimmed of punctuation. */
function captured(byLang: Record<string, string[]> | undefined, text: string): string | undefined {
  for (const re of regexes(byLang)) {
    const m = re.exec(text);
    if (!m) continue;
    const value = (m.groups?.answer ?? m[0]).trim().replace(/[\s.,;:!?]+$/u, '');
    if (value) return value.length > 200 ? `${value.slice(0, 197)}...` : value;
  }
  return undefined;
}

/** Whether a question can be pre-filled at all (has patterns). */
export function canPrefill(ask: Answer | undefined): ask is Exclude<Answer, { type: 'attachment' }> {
  if (!ask || ask.type === 'attachment') return false;
  if (ask.type === 'choice') return ask.choices.some((c) => c.extract);
  if (ask.type === 'yes_no') return Boolean(ask.extract?.yes || ask.extract?.no);
  return Boolean(ask.extract);
}

/** A question counts for "complete enough" unless the definition says `required: false`. */
export const isRequired = (ask: Answer): boolean => ask.type === 'attachment' || ask.required !== false;

/**
 * "• Connecting from: Home" lines for the answers read from the report, in the reporter's language, so the
 * summary and the acknowledgement show them and the reporter can correct them.
 */
export function describePrefilled(def: DialogDefinition, data: Record<string, unknown>, t: Translate, locale: string): string {
  const names = Array.isArray(data.prefilled) ? data.prefilled.filter((n): n is string => typeof n === 'string') : [];
  const lines: string[] = [];
  for (const store of names) {
    const ask = askFor(def, store);
    if (!ask?.label || !(store in data)) continue;
    lines.push(`• ${t(locale, ask.label)}: ${shown(ask, data[store], t, locale)}`);
  }
  return lines.join('\n');
}

function shown(ask: Exclude<Answer, { type: 'attachment' }>, value: unknown, t: Translate, locale: string): string {
  if (ask.type === 'yes_no') return t(locale, value === true ? 'common.yes' : 'common.no');
  if (ask.type === 'choice') {
    const choice = ask.choices.find((c) => (c.value ?? c.id) === value);
    if (choice) return t(locale, choice.label);
  }
  return String(value);
}

const askCache = new WeakMap<DialogDefinition, Map<string, Exclude<Answer, { type: 'attachment' }>>>();

function askFor(def: DialogDefinition, store: string) {
  let byStore = askCache.get(def);
  if (!byStore) {
    byStore = new Map();
    for (const step of Object.values(def.steps) as DialogStep[]) {
      if (canPrefill(step.ask) && !byStore.has(step.ask.store)) byStore.set(step.ask.store, step.ask);
    }
    askCache.set(def, byStore);
  }
  return byStore.get(store);
}
