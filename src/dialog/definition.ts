import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { FrontlineError } from '../errors.js';

/**
 * Dialog definitions are data (YAML in `dialogs/`), so a service-desk admin can edit them without code. This
 * schema is the contract; `loadDefinition` refuses a definition that references unknown steps or carries a
 * pattern that is not a valid regular expression.
 */
const stepId = z.string().regex(/^[a-z][a-z0-9_]*$/, 'step ids are lower_snake_case');
const field = z.string().regex(/^[a-z][a-zA-Z0-9_.]*$/);
const scalar = z.union([z.string(), z.number(), z.boolean()]);

export const conditionSchema = z
  .object({
    field,
    equals: scalar.optional(),
    in: z.array(z.union([z.string(), z.number()])).optional(),
    exists: z.boolean().optional(),
    /** Numeric comparison, e.g. `{field: kb_search.count, gt: 0}`. */
    gt: z.number().optional(),
  })
  .strict();

const branchSchema = z.object({ when: conditionSchema.optional(), goto: stepId }).strict();

/** Regular expressions (case-insensitive, Unicode) per language; every language is tried on every message. */
const patternsSchema = z.record(z.string().regex(/^[a-z]{2}$/), z.array(z.string().min(1)).min(1));

/** `value` is what gets stored (e.g. an impact level 1–3); without it the id is stored. */
const choiceSchema = z
  .object({
    id: z.string().min(1),
    label: z.string().min(1),
    value: scalar.optional(),
    /** Phrases in the report that mean this option (see `prefill`). */
    extract: patternsSchema.optional(),
  })
  .strict();

/**
 * How an answer may be read from the report itself, so the question is skipped ("pre-filled"). Shared by every
 * answer type: `label` names the answer in the summary and the acknowledgement; `required: false` means a
 * report can be complete enough to file at once without it (the question is still asked in a chat when the
 * report does not answer it).
 */
const prefillFields = {
  /** Message key naming the answer in summaries ("Connecting from"); needed for a pre-fillable question. */
  label: z.string().min(1).optional(),
  required: z.boolean().default(true),
};

export const answerSchema = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('text'),
      store: field,
      minLength: z.number().int().min(0).default(1),
      /** Replies that are no answer here ("hello", "thanks", a bare "yes"): re-asked, and never start a report. */
      reject: patternsSchema.optional(),
      /** Patterns whose named group `answer` (else the whole match) is the answer. */
      extract: patternsSchema.optional(),
      ...prefillFields,
    })
    .strict(),
  z
    .object({
      type: z.literal('choice'),
      store: field,
      choices: z.array(choiceSchema).default([]),
      /** Data path to a list of `{id, title}` offered before the fixed choices (e.g. KB suggestions). */
      choicesFrom: field.optional(),
      ...prefillFields,
    })
    .strict()
    .refine((a) => a.choices.length > 0 || a.choicesFrom, { message: 'a choice needs `choices` or `choicesFrom`' }),
  z
    .object({
      type: z.literal('yes_no'),
      store: field,
      extract: z.object({ yes: patternsSchema.optional(), no: patternsSchema.optional() }).strict().optional(),
      ...prefillFields,
    })
    .strict(),
  z
    .object({
      type: z.literal('number'),
      store: field,
      min: z.number().optional(),
      max: z.number().optional(),
      /** Patterns whose named group `answer` (else the whole match) holds the number. */
      extract: patternsSchema.optional(),
      ...prefillFields,
    })
    .strict(),
  z.object({ type: z.literal('attachment'), store: field, optional: z.boolean().default(false) }).strict(),
]);

/** Side effects the runner carries out; results come back as `action_result` and are stored under `data.<action>`. */
export const actionNames = [
  'file_incident',
  'triage',
  'kb_search',
  'kb_open',
  'kb_feedback',
  'prioritize',
  'lookup_status',
  'cancel_incident',
  'reopen_incident',
  'add_information',
  'record_csat',
  // [major] a report about a declared major incident: checked after triage, linked, and unlinked on "no"
  'outage_check',
  'outage_link',
  'outage_unlink',
] as const;

const stepSchema = z
  .object({
    /** Message key in the locale catalogs, rendered with the session data as parameters. */
    say: z.string().optional(),
    ask: answerSchema.optional(),
    action: z.enum(actionNames).optional(),
    /** Values written into `data` when the step is entered (e.g. `{handoff: true}`). */
    set: z.record(field, scalar).optional(),
    next: z.union([stepId, z.array(branchSchema).min(1)]).optional(),
    /** Return to the step the reporter was at before a global intent interrupted it (or end, if none). */
    resume: z.boolean().default(false),
    final: z.boolean().default(false),
    /**
     * After the step's message the conversation starts a new report: the session's data is cleared (the
     * channel kept) and the conversation is unlinked from its incident, so what follows is not added to it.
     */
    restart: z.boolean().default(false),
    /**
     * Evaluates the definition's `complete` rule, walking the questions from this step on, and stores the
     * outcome as `data.complete` (with the pre-filled answers when it holds) for the step's branches.
     */
    checkComplete: stepId.optional(),
  })
  .strict()
  .refine((s) => s.final || s.resume || s.next !== undefined, { message: 'a step that is not final needs `next` or `resume`' });

const intentSchema = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9_]*$/),
    patterns: patternsSchema,
    goto: stepId,
    /** Whether the intent interrupts an active dialog, applies after it ended, or both. */
    during: z.enum(['active', 'done', 'any']).default('any'),
  })
  .strict();

export const definitionSchema = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9-]*$/),
    version: z.number().int().min(1),
    start: stepId,
    steps: z.record(stepId, stepSchema),
    /** How many invalid answers in a row before the engine stops re-asking and moves on politely. */
    maxRetries: z.number().int().min(1).default(3),
    /** Global intents, checked in order before the current step's answer. */
    intents: z.array(intentSchema).default([]),
    /** "speak Swedish", "på svenska": language → patterns that switch the conversation to it. */
    languages: patternsSchema.default({}),
    /** Steps of older versions → steps of this one, so pinned sessions can move forward without restarting. */
    migrate: z.record(z.string(), stepId).optional(),
    /** Step entered when an incident event (e.g. `resolved`) reaches the reporter's conversation. */
    events: z.record(z.string(), stepId).default({}),
    /** Inactivity handling; the engine is told about it by `timeout` events (see runner/jobs). */
    idle: z
      .object({ remindAfterMinutes: z.number().positive(), closeAfterMinutes: z.number().positive() })
      .strict()
      .optional(),
    /**
     * When a report says enough to be filed without asking anything (used by `checkComplete` steps): every
     * condition holds, the description is long enough, and every required question from the checked step up
     * to `until` can be pre-filled from the report.
     */
    complete: z
      .object({
        minDescriptionLength: z.number().int().min(0).default(0),
        when: z.array(conditionSchema).default([]),
        /** The walk over the questions stops at this step (e.g. where impact and urgency begin). */
        until: stepId,
      })
      .strict()
      .optional(),
    /** Where pre-filled answers are read from. */
    prefillFrom: field.default('description'),
  })
  .strict();

export type DialogDefinition = z.infer<typeof definitionSchema>;
export type DialogStep = z.infer<typeof stepSchema>;
export type Answer = z.infer<typeof answerSchema>;
export type Condition = z.infer<typeof conditionSchema>;
export type ActionName = (typeof actionNames)[number];
export type Intent = z.infer<typeof intentSchema>;

/** Validates a definition and its step references; errors name the file and the offending path. */
export function validateDefinition(input: unknown, source = 'definition'): DialogDefinition {
  const parsed = definitionSchema.safeParse(input);
  if (!parsed.success) {
    const why = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new FrontlineError('DIALOG_DEFINITION_INVALID', `${source}: ${why}`);
  }
  const def = parsed.data;
  const known = new Set(Object.keys(def.steps));
  const refs = [def.start, ...def.intents.map((i) => i.goto), ...Object.values(def.events), ...Object.values(def.migrate ?? {})];
  if (def.complete) refs.push(def.complete.until);
  const patterns = [...def.intents.flatMap((i) => Object.values(i.patterns)), ...Object.values(def.languages)].flat();
  for (const [name, step] of Object.entries(def.steps)) {
    if (typeof step.next === 'string') refs.push(step.next);
    else if (step.next) refs.push(...step.next.map((b) => b.goto));
    if (step.checkComplete) {
      refs.push(step.checkComplete);
      if (!def.complete) throw new FrontlineError('DIALOG_DEFINITION_INVALID', `${source}: step ${name} checks \`complete\` but the definition has no \`complete\` rule`);
    }
    const extracted = extractPatterns(step.ask);
    if (extracted.length && !(step.ask && 'label' in step.ask && step.ask.label)) {
      throw new FrontlineError('DIALOG_DEFINITION_INVALID', `${source}: step ${name} reads its answer from the report, so its \`ask\` needs a \`label\` for the summary`);
    }
    patterns.push(...extracted);
  }
  const missing = refs.filter((r) => !known.has(r));
  if (missing.length) {
    throw new FrontlineError('DIALOG_DEFINITION_INVALID', `${source}: unknown step(s) ${[...new Set(missing)].join(', ')}`);
  }
  for (const p of patterns) {
    try {
      new RegExp(p, 'iu');
    } catch (err) {
      throw new FrontlineError('DIALOG_DEFINITION_INVALID', `${source}: pattern ${JSON.stringify(p)} is not a valid regular expression: ${(err as Error).message}`);
    }
  }
  return def;
}

/** Every pre-fill pattern of a question, for validation. */
function extractPatterns(ask: Answer | undefined): string[] {
  if (!ask) return [];
  const groups: (Record<string, string[]> | undefined)[] =
    ask.type === 'choice' ? ask.choices.map((c) => c.extract) : ask.type === 'yes_no' ? [ask.extract?.yes, ask.extract?.no] : ask.type === 'attachment' ? [] : [ask.extract];
  return groups.flatMap((g) => Object.values(g ?? {}).flat());
}

export async function loadDefinition(file: string): Promise<DialogDefinition> {
  const text = await readFile(file, 'utf8');
  return validateDefinition(parseYaml(text), file);
}
