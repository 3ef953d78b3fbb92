import type { z } from 'zod';

/**
 * Reads a channel's variables from the environment (an empty value counts as unset) and validates them with its
 * schema; a mismatch throws one readable error naming every bad variable, e.g. "invalid Slack settings: …".
 */
export function parseChannelSettings<S extends z.ZodType>(
  schema: S,
  keys: readonly string[],
  env: Record<string, string | undefined>,
  label: string,
): z.infer<S> {
  const picked = Object.fromEntries(keys.map((k) => [k, env[k] === '' ? undefined : env[k]]));
  const result = schema.safeParse(picked);
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${i.path.join('.') || label.toLowerCase()}: ${i.message}`).join('; ');
    throw new Error(`invalid ${label} settings: ${issues}`);
  }
  return result.data;
}
