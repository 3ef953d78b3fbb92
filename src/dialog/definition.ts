import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { FrontlineError } from '../errors.js';

/**
 * Dialog definitions are data (YAML in `dialogs/`), so a service-desk admin can edit them without code. This
 * schema is the contract; `loadDefinition` refuses a definition that references unknown steps.
 */
const stepId = z.string().regex(/^[a-z][a-z0-9_]*$/, 'step ids are lower_snake_case');
const field = z.string().regex(/^[a-z][a-zA-Z0-9_.]*$/);

export const conditionSchema = z
  .object({
    field,
    equals: z.union([z.string(), z.number(), z.boolean()]).optional(),
    in: z.array(z.union([z.string(), z.number()])).optional(),
    exists: z.boolean().optional(),
  })
  .strict();

const branchSchema = z.object({ when: conditionSchema.optional(), goto: stepId }).strict();

const choiceSchema = z.object({ id: z.string().min(1), label: z.string().min(1) }).strict();

export const answerSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text'), store: field, minLength: z.number().int().min(0).default(1) }).strict(),
  z.object({ type: z.literal('choice'), store: field, choices: z.array(choiceSchema).min(1) }).strict(),
  z.object({ type: z.literal('yes_no'), store: field }).strict(),
  z
    .object({ type: z.literal('number'), store: field, min: z.number().optional(), max: z.number().optional() })
    .strict(),
  z.object({ type: z.literal('attachment'), store: field, optional: z.boolean().default(false) }).strict(),
]);

export const actionNames = ['file_incident'] as const;

const stepSchema = z
  .object({
    /** Message key in the locale catalogs, rendered with the session data as parameters. */
    say: z.string().optional(),
    ask: answerSchema.optional(),
    /** Side effect run outside the engine; its result is fed back and stored under `data.<action>`. */
    action: z.enum(actionNames).optional(),
    next: z.union([stepId, z.array(branchSchema).min(1)]).optional(),
    final: z.boolean().default(false),
  })
  .strict()
  .refine((s) => s.final || s.next !== undefined, { message: 'a step that is not final needs `next`' });

export const definitionSchema = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9-]*$/),
    version: z.number().int().min(1),
    start: stepId,
    steps: z.record(stepId, stepSchema),
    /** How many invalid answers in a row before the engine stops re-asking and moves on politely. */
    maxRetries: z.number().int().min(1).default(3),
  })
  .strict();

export type DialogDefinition = z.infer<typeof definitionSchema>;
export type DialogStep = z.infer<typeof stepSchema>;
export type Answer = z.infer<typeof answerSchema>;
export type Condition = z.infer<typeof conditionSchema>;
export type ActionName = (typeof actionNames)[number];

/** Validates a definition and its step references; errors name the file and the offending path. */
export function validateDefinition(input: unknown, source = 'definition'): DialogDefinition {
  const parsed = definitionSchema.safeParse(input);
  if (!parsed.success) {
    const why = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new FrontlineError('DIALOG_DEFINITION_INVALID', `${source}: ${why}`);
  }
  const def = parsed.data;
  const known = new Set(Object.keys(def.steps));
  const refs = [def.start];
  for (const step of Object.values(def.steps)) {
    if (typeof step.next === 'string') refs.push(step.next);
    else if (step.next) refs.push(...step.next.map((b) => b.goto));
  }
  const missing = refs.filter((r) => !known.has(r));
  if (missing.length) {
    throw new FrontlineError('DIALOG_DEFINITION_INVALID', `${source}: unknown step(s) ${[...new Set(missing)].join(', ')}`);
  }
  return def;
}

export async function loadDefinition(file: string): Promise<DialogDefinition> {
  const text = await readFile(file, 'utf8');
  return validateDefinition(parseYaml(text), file);
}
