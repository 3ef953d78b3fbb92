import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { IntlMessageFormat } from 'intl-messageformat';
import { z } from 'zod';
import { FrontlineError } from '../errors.js';

/**
 * Prompts live in `dialogs/locales/<lang>.json` as ICU MessageFormat strings, editable by non-developers.
 * Adding a language means adding a file. Missing keys fall back to English, then to the key itself.
 */
export type Catalogs = ReadonlyMap<string, Readonly<Record<string, string>>>;
export type Translate = (locale: string, key: string, params?: Record<string, unknown>) => string;

export const FALLBACK_LOCALE = 'en';
const catalogSchema = z.record(z.string(), z.string());

export async function loadCatalogs(dir: string): Promise<Catalogs> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
  const map = new Map<string, Record<string, string>>();
  for (const file of files) {
    const parsed = catalogSchema.safeParse(JSON.parse(await readFile(path.join(dir, file), 'utf8')));
    if (!parsed.success) {
      throw new FrontlineError('DIALOG_DEFINITION_INVALID', `${file}: every value must be a message string`);
    }
    map.set(path.basename(file, '.json'), parsed.data);
  }
  if (!map.has(FALLBACK_LOCALE)) throw new FrontlineError('DIALOG_DEFINITION_INVALID', `${dir}: en.json is required`);
  return map;
}

/** Normalises `sv-SE`, `pt_BR`, `ES` to a catalog language, or the fallback. */
export function resolveLocale(catalogs: Catalogs, locale: string | undefined | null): string {
  const lang = (locale ?? '').toLowerCase().split(/[-_]/)[0] ?? '';
  return catalogs.has(lang) ? lang : FALLBACK_LOCALE;
}

export function createTranslator(catalogs: Catalogs): Translate {
  const cache = new Map<string, IntlMessageFormat>();
  return (locale, key, params = {}) => {
    const lang = resolveLocale(catalogs, locale);
    const source = catalogs.get(lang)?.[key] ?? catalogs.get(FALLBACK_LOCALE)?.[key];
    if (source === undefined) return key;
    const cacheKey = `${lang}\u0000${key}`;
    let fmt = cache.get(cacheKey);
    if (!fmt) {
      fmt = new IntlMessageFormat(source, lang);
      cache.set(cacheKey, fmt);
    }
    const values = stringify(params);
    // A value the data does not have reads as empty (or 0 for plurals), so optional parts of a message
    // (e.g. a service that was not recognised) select their `other` branch instead of breaking the message.
    for (const [name, plural] of argumentsOf(fmt.getAst())) if (!(name in values)) values[name] = plural ? 0 : '';
    try {
      return String(fmt.format(values));
    } catch {
      return source; // a malformed value must not break a conversation
    }
  };
}

type AstNode = { type: number; value?: unknown; options?: Record<string, { value: AstNode[] }>; children?: AstNode[] };

/** Argument names of a parsed message (nested in select/plural options and tags); true for plural arguments. */
function argumentsOf(ast: readonly unknown[], out = new Map<string, boolean>()): Map<string, boolean> {
  for (const node of ast as AstNode[]) {
    // 1 argument, 2 number, 3 date, 4 time, 5 select, 6 plural (intl-messageformat-parser TYPE)
    if (node.type >= 1 && node.type <= 6 && typeof node.value === 'string') out.set(node.value, out.get(node.value) || node.type === 6 || node.type === 2);
    for (const option of Object.values(node.options ?? {})) argumentsOf(option.value, out);
    if (node.children) argumentsOf(node.children, out);
  }
  return out;
}

function stringify(params: Record<string, unknown>): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(params)) {
    if (typeof v === 'number' || typeof v === 'string') out[k] = v;
    else if (v !== undefined && v !== null && typeof v !== 'object') out[k] = String(v);
    else if (v === null) out[k] = '';
  }
  return out;
}
