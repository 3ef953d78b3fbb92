import type { HeaderLines } from 'mailparser';

/**
 * Raw header access. mailparser's structured `headers` map reshapes some fields (objects for List-*, arrays for
 * repeated keys); the loop and bounce checks want the literal, unfolded values of every occurrence.
 */
export class RawHeaders {
  private readonly byKey = new Map<string, string[]>();

  constructor(lines: HeaderLines) {
    for (const { key, line } of lines) {
      const colon = line.indexOf(':');
      const value = (colon >= 0 ? line.slice(colon + 1) : '').replace(/\r?\n[ \t]+/g, ' ').trim();
      const k = key.toLowerCase();
      const list = this.byKey.get(k);
      if (list) list.push(value);
      else this.byKey.set(k, [value]);
    }
  }

  /** First value of a header, or undefined. */
  get(key: string): string | undefined {
    return this.byKey.get(key.toLowerCase())?.[0];
  }

  all(key: string): string[] {
    return this.byKey.get(key.toLowerCase()) ?? [];
  }

  has(key: string): boolean {
    return this.byKey.has(key.toLowerCase());
  }
}

/** Header block of a raw message or MIME part as a plain text (everything before the first empty line). */
export function headerBlock(raw: string): string {
  const end = raw.search(/\r?\n\r?\n/);
  return end >= 0 ? raw.slice(0, end) : raw;
}

/** Reads one header from a raw header block (unfolded); used on embedded messages and report parts. */
export function readHeader(block: string, name: string): string | undefined {
  const unfolded = block.replace(/\r?\n[ \t]+/g, ' ');
  const re = new RegExp(`^${name}[ \\t]*:[ \\t]*(.*)$`, 'im');
  return re.exec(unfolded)?.[1]?.trim();
}

/** All `<id>` tokens in a Message-ID / References / In-Reply-To value, in order, deduplicated. */
export function messageIdsIn(value: string | string[] | undefined): string[] {
  if (!value) return [];
  const text = Array.isArray(value) ? value.join(' ') : value;
  const ids: string[] = text.match(/<[^<>\s]+>/g) ?? [];
  if (ids.length === 0) {
    // Some senders omit the brackets; accept bare id@host tokens.
    for (const token of text.split(/[\s,]+/)) if (/^[^@\s]+@[^@\s]+$/.test(token)) ids.push(`<${token}>`);
  }
  return [...new Set(ids)];
}
