import { z } from 'zod';
import { FrontlineError } from '../errors.js';

/**
 * Persisted dialog state (DialogSession.state), validated on every load. The schema is versioned: when it
 * changes, add `v: 2`, keep v1's schema, and upgrade old rows explicitly in `parseDialogState`.
 */
const jsonValue: z.ZodType<unknown> = z.lazy(() =>
  z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(jsonValue), z.record(z.string(), jsonValue)]),
);

export const dialogStateV1 = z.object({
  v: z.literal(1),
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
});

export type DialogState = z.infer<typeof dialogStateV1>;

export function parseDialogState(raw: unknown): DialogState {
  const parsed = dialogStateV1.safeParse(raw);
  if (!parsed.success) {
    throw new FrontlineError('DIALOG_STATE_INVALID', `stored dialog state is not valid: ${parsed.error.message}`);
  }
  return parsed.data;
}

export function initialState(step: string, locale: string): DialogState {
  return { v: 1, step, status: 'active', locale, data: {}, retries: 0 };
}
