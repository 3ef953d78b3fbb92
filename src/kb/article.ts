import { parse as parseYaml, YAMLParseError } from 'yaml';
import { z } from 'zod';
import { FrontlineError } from '../errors.js';
import { KB_CATEGORIES, KB_LANGUAGES } from './text.js';

/** What is stored in `kb_article` (Prisma `KbArticle`), minus timestamps. */
export interface KbArticleInput {
  id: string;
  title: string;
  body: string;
  language: string;
  category: string | null;
  tags: string[];
}

const idSchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[a-z0-9][a-z0-9._-]*$/, 'use lower-case letters, digits, ".", "_" and "-"');

/** YAML front matter of a Markdown article (`kb/<lang>/<id>.md`). */
export const frontMatterSchema = z.strictObject({
  id: idSchema,
  title: z.string().trim().min(1),
  language: z.enum(KB_LANGUAGES),
  category: z.enum(KB_CATEGORIES),
  tags: z.array(z.string().trim().min(1)).default([]),
  symptoms: z.array(z.string().trim().min(1)).default([]),
  steps: z.array(z.string().trim().min(1)).default([]),
});
export type KbFrontMatter = z.infer<typeof frontMatterSchema>;

/** One line of a JSONL import file. Language defaults to English, like the database column. */
export const jsonlArticleSchema = z.object({
  id: idSchema,
  title: z.string().trim().min(1),
  body: z.string(),
  language: z.enum(KB_LANGUAGES).default('en'),
  category: z.enum(KB_CATEGORIES).nullish(),
  tags: z.array(z.string().trim().min(1)).default([]),
});

/** Section headings used when folding symptoms/steps into the stored Markdown body, per language. */
const HEADINGS: Record<KbFrontMatter['language'], { symptoms: string; steps: string }> = {
  en: { symptoms: 'Symptoms', steps: 'Steps' },
  sv: { symptoms: 'Symptom', steps: 'Gör så här' },
  es: { symptoms: 'Síntomas', steps: 'Pasos' },
  pt: { symptoms: 'Sintomas', steps: 'Passos' },
};

const FRONT_MATTER = /^\uFEFF?---\r?\n([\s\S]*?)\r?\n---[ \t]*(?:\r?\n|$)([\s\S]*)$/;

/**
 * Parses one Markdown article with YAML front matter. Every error names `file` so an author can find it among
 * hundreds of articles.
 */
export function parseArticle(file: string, text: string): KbArticleInput {
  const match = FRONT_MATTER.exec(text);
  if (!match) throw invalid(file, `${file}: missing YAML front matter (--- ... ---)`);
  let raw: unknown;
  try {
    raw = parseYaml(match[1] ?? '');
  } catch (err) {
    const detail = err instanceof YAMLParseError ? err.message : String(err);
    throw invalid(file, `${file}: invalid YAML front matter: ${detail}`);
  }
  const parsed = frontMatterSchema.safeParse(raw);
  if (!parsed.success) {
    throw invalid(file, `${file}: invalid front matter: ${formatIssues(parsed.error)}`);
  }
  const fm = parsed.data;
  return {
    id: fm.id,
    title: fm.title,
    language: fm.language,
    category: fm.category,
    tags: fm.tags,
    body: renderBody(fm, (match[2] ?? '').trim()),
  };
}

/** The stored body: the free-text Markdown followed by the symptoms and numbered steps from the front matter. */
export function renderBody(fm: KbFrontMatter, markdown: string): string {
  const parts: string[] = [];
  if (markdown) parts.push(markdown);
  const h = HEADINGS[fm.language];
  if (fm.symptoms.length) parts.push(`## ${h.symptoms}\n\n${fm.symptoms.map((s) => `- ${s}`).join('\n')}`);
  if (fm.steps.length) parts.push(`## ${h.steps}\n\n${fm.steps.map((s, i) => `${i + 1}. ${s}`).join('\n')}`);
  return parts.join('\n\n') + '\n';
}

/** Parses one JSONL line; `where` (file:line) prefixes every error. */
export function parseJsonlArticle(where: string, line: string): KbArticleInput {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch (err) {
    throw invalid(where, `${where}: not valid JSON: ${(err as Error).message}`);
  }
  const parsed = jsonlArticleSchema.safeParse(raw);
  if (!parsed.success) {
    throw invalid(where, `${where}: invalid article: ${formatIssues(parsed.error)}`);
  }
  const a = parsed.data;
  return { id: a.id, title: a.title, body: a.body, language: a.language, category: a.category ?? null, tags: a.tags };
}

function formatIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`).join('; ');
}

/** Coded as BAD_REQUEST (the catalogue has no KB code yet); `details.source` names the offending file/line. */
function invalid(source: string, message: string): FrontlineError {
  return new FrontlineError('BAD_REQUEST', message, { source });
}
