/**
 * One sanitiser for text arriving at any boundary (HTTP bodies and queries, channel events, agent actions, CLI
 * imports). PostgreSQL cannot store U+0000 in `text` or `jsonb` (error 22021 / 22P05): left in, it turned a
 * message into a 500 that every retry repeated. The other C0 controls (except tab, line feed, carriage return)
 * and DEL are stored fine but are never meant as content — they only break terminals, logs and Slack
 * rendering — so they go too. Lone UTF-16 surrogates cannot be encoded as UTF-8 and become U+FFFD.
 */

// eslint-disable-next-line no-control-regex
const UNSTORABLE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
// eslint-disable-next-line no-control-regex
const UNSTORABLE_TEST = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ud800-\udfff]/;

/** The text without characters that cannot (or should not) be stored; the same string when it has none. */
export function storableText(text: string): string {
  if (!UNSTORABLE_TEST.test(text)) return text;
  return text.replace(UNSTORABLE, (c) => (c.length === 1 && c >= '\ud800' && c <= '\udfff' ? '\ufffd' : ''));
}

/**
 * The value with every string in it (object keys included) made storable. Returns the very same value when
 * nothing needed changing, so the common case costs a scan and no copy. Dates, Buffers and other class
 * instances are left alone: only plain data is walked.
 */
export function storable<T>(value: T): T {
  return clean(value, 0) as T;
}

const MAX_DEPTH = 64; // JSON bodies are bounded by the body limit; this only guards against cycles in code.

function clean(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return storableText(value);
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return value;
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    value.forEach((item, i) => {
      const next = clean(item, depth + 1);
      if (next !== item) (out ??= value.slice())[i] = next;
    });
    return out ?? value;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return value;
  let out: Record<string, unknown> | undefined;
  for (const [key, item] of Object.entries(value)) {
    const cleanKey = storableText(key);
    const next = clean(item, depth + 1);
    if (next !== item || cleanKey !== key) {
      out ??= { ...(value as Record<string, unknown>) };
      if (cleanKey !== key) delete out[key];
      out[cleanKey] = next;
    }
  }
  return out ?? value;
}
