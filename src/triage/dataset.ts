/**
 * Reads labelled tickets from CSV (quoted, multi-line fields, BOM, CRLF) or JSON Lines. Every value comes back
 * as a string: labels such as `4` or `P1` are names, never numbers.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { FrontlineError } from '../errors.js';
import { storableText } from '../security/sanitize.js';

export type Row = Record<string, string>;

export interface Dataset {
  columns: string[];
  rows: Row[];
}

export function readDataset(file: string): Dataset {
  // Decoding as UTF-8 turns broken bytes into U+FFFD instead of failing; the normaliser drops those.
  const content = storableText(readFileSync(file, 'utf8'));
  return /\.jsonl$|\.ndjson$/i.test(file) ? parseJsonLines(content, file) : parseCsv(content, file);
}

export function parseCsv(content: string, source = 'input'): Dataset {
  let records: Record<string, unknown>[];
  try {
    records = parse(content, {
      columns: (header: string[]) => header.map((h) => h.trim()),
      bom: true,
      skip_empty_lines: true,
      relax_column_count: true,
    }) as Record<string, unknown>[];
  } catch (err) {
    throw new FrontlineError('BAD_REQUEST', `${source}: not valid CSV: ${(err as Error).message}`);
  }
  const header = content.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
  const columns = records[0] ? Object.keys(records[0]) : header.split(',').map((h) => h.trim()).filter(Boolean);
  return { columns, rows: records.map(stringifyValues) };
}

export function parseJsonLines(content: string, source = 'input'): Dataset {
  const rows: Row[] = [];
  const columns = new Set<string>();
  content
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .forEach((line, i) => {
      if (line.trim() === '') return;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (err) {
        throw new FrontlineError('BAD_REQUEST', `${source}:${i + 1}: not valid JSON: ${(err as Error).message}`);
      }
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        throw new FrontlineError('BAD_REQUEST', `${source}:${i + 1}: each line must be a JSON object`);
      }
      const row = stringifyValues(value as Record<string, unknown>);
      for (const key of Object.keys(row)) columns.add(key);
      rows.push(row);
    });
  return { columns: [...columns], rows };
}

function stringifyValues(record: Record<string, unknown>): Row {
  const row: Row = {};
  for (const [key, value] of Object.entries(record)) {
    row[key] = value === null || value === undefined ? '' : typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
  return row;
}

/** Fails with the available columns listed, the most useful message when a column name is mistyped. */
export function requireColumns(dataset: Dataset, wanted: string[], source = 'input'): void {
  const missing = wanted.filter((c) => !dataset.columns.includes(c));
  if (missing.length > 0 && dataset.rows.length > 0) {
    throw new FrontlineError(
      'BAD_REQUEST',
      `${source}: missing column(s) ${missing.join(', ')}; available: ${dataset.columns.join(', ')}`,
    );
  }
}

/** The text the model sees: the chosen columns joined by newlines (title and body stay separate words). */
export function rowText(row: Row, textColumns: string[]): string {
  return textColumns
    .map((c) => row[c] ?? '')
    .filter((v) => v !== '')
    .join('\n');
}
