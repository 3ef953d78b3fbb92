import type { DialogDefinition, Intent } from './definition.js';

/**
 * Global intents ("status of INC-000123", "cancel", "på svenska") matched with the definition's multilingual
 * patterns. Only short messages are considered: a long description that happens to contain "help" or
 * "cancel" is an answer, not a command.
 */
export const MAX_INTENT_TEXT = 160;

export interface IntentMatch {
  intent: Intent;
  /** Named groups of the matching pattern, e.g. `number` from `(?<number>INC-?\d+)`. */
  captures: Record<string, string>;
}

const compiled = new WeakMap<DialogDefinition, { intents: [Intent, RegExp[]][]; languages: [string, RegExp[]][] }>();

function patternsOf(def: DialogDefinition) {
  let c = compiled.get(def);
  if (!c) {
    const build = (byLang: Record<string, string[]>) => Object.values(byLang).flat().map((p) => new RegExp(p, 'iu'));
    c = {
      intents: def.intents.map((i) => [i, build(i.patterns)]),
      languages: Object.entries(def.languages).map(([lang, p]) => [lang, p.map((x) => new RegExp(x, 'iu'))]),
    };
    compiled.set(def, c);
  }
  return c;
}

export function matchIntent(def: DialogDefinition, text: string, status: 'active' | 'done'): IntentMatch | undefined {
  if (!text || text.length > MAX_INTENT_TEXT) return undefined;
  for (const [intent, regexes] of patternsOf(def).intents) {
    if (intent.during !== 'any' && intent.during !== status) continue;
    for (const re of regexes) {
      const m = re.exec(text);
      if (m) {
        const captures: Record<string, string> = {};
        for (const [k, v] of Object.entries(m.groups ?? {})) if (v !== undefined) captures[k] = v;
        return { intent, captures };
      }
    }
  }
  return undefined;
}

/** "speak Swedish", "på svenska", "en español" → the language asked for. */
export function matchLanguageSwitch(def: DialogDefinition, text: string): string | undefined {
  if (!text || text.length > MAX_INTENT_TEXT) return undefined;
  return patternsOf(def).languages.find(([, regexes]) => regexes.some((re) => re.test(text)))?.[0];
}
