import { z } from 'zod';
import { FrontlineError } from '../errors.js';

/**
 * Persisted dialog state (DialogSession.state), validated on every load. The schema is versioned: v1 rows
 * (before global intents) are upgraded explicitly in `parseDialogState`; a new shape adds `v: 3` likewise.
 */
const jsonValue: z.ZodType<unknown> = z.lazy(() =>
  z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(jsonValue), z.record(z.string(), jsonValue)]),
);

const common = {
  /** Current step id; meaningful while `status` is `active`. */
  step: z.string(),
  status: z.enum(['active', 'done']),
  locale: z.string(),
  /** Answers and action results, by the `store` names the definition gives. */
  data: z.record(z.string(), jsonValue),
  /** Invalid answers in a row at the current step. */
  retries: z.number().int().min(0),
  /** Set while an action (e.g. filing an incident) is running outside the engine. */
  pendingAction: z.string().optional(),
};

export const dialogStateV1 = z.object({ v: z.literal(1), ...common });

export const dialogStateV2 = z.object({
  v: z.literal(2),
  ...common,
  /** Where to return after a global intent (status, help…) interrupted an active step. */
  resume: z.string().optional(),
  /** What `status` was when the intent interrupted: an ended dialog ends again afterwards. */
  resumeStatus: z.enum(['active', 'done']).optional(),
  /** A reminder was sent since the reporter last wrote; the next timeout closes the conversation gently. */
  reminded: z.boolean().optional(),
  /** The language was chosen (detected or asked for) and should not be detected again. */
  localeFixed: z.boolean().optional(),
});

export type DialogState = z.infer<typeof dialogStateV2>;

export function parseDialogState(raw: unknown): DialogState {
  const v2 = dialogStateV2.safeParse(raw);
  if (v2.success) return v2.data;
  const v1 = dialogStateV1.safeParse(raw);
  if (v1.success) return { ...v1.data, v: 2 };
  throw new FrontlineError('DIALOG_STATE_INVALID', `stored dialog state is not valid: ${v2.error.message}`);
}

export function initialState(step: string, locale: string): DialogState {
  return { v: 2, step, status: 'active', locale, data: {}, retries: 0 };
}
