import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { loadDefinition } from './definition.js';
import type { Dialog } from './engine.js';
import { createLanguageDetector } from './language.js';
import { createTranslator, loadCatalogs, type Translate } from './messages.js';
import { versionKey } from './runner.js';

/** Configuration that lives beside the dialogs but is not a dialog. */
const NOT_DIALOGS = new Set(['taxonomy.yaml', 'sla.yaml', 'services.yaml']);

export const DIALOGS_DIR = path.resolve(import.meta.dirname, '../../dialogs');

/**
 * Loads every dialog definition (`dialogs/*.yaml`, plus `dialogs/archive/*.yaml` for older versions that
 * sessions may still be pinned to) and the locale catalogs.
 */
export async function loadDialogs(dir = DIALOGS_DIR): Promise<{ dialogs: Map<string, Dialog>; t: Translate; locales: string[] }> {
  const catalogs = await loadCatalogs(path.join(dir, 'locales'));
  const t = createTranslator(catalogs);
  const detectLanguage = createLanguageDetector([...catalogs.keys()]);
  const dialogs = new Map<string, Dialog>();
  for (const sub of ['', 'archive']) {
    const folder = path.join(dir, sub);
    const files = await readdir(folder).catch(() => [] as string[]);
    for (const file of files.filter((f) => /^[a-z][\w-]*\.ya?ml$/.test(f) && !NOT_DIALOGS.has(f)).sort()) {
      const definition = await loadDefinition(path.join(folder, file));
      dialogs.set(versionKey(definition.id, definition.version), { definition, t, detectLanguage });
    }
  }
  const locales = [...catalogs.keys()].sort((a, b) => (a === 'en' ? -1 : b === 'en' ? 1 : a.localeCompare(b)));
  return { dialogs, t, locales };
}
