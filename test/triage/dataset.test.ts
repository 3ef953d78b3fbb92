import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCsv, readDataset, requireColumns, rowText } from '../../src/triage/dataset.js';

const fixtures = path.resolve(import.meta.dirname, '../fixtures/triage');

describe('readDataset', () => {
  it('reads CSV with BOM, CRLF, quoted commas, doubled quotes and multi-line fields', () => {
    const { columns, rows } = readDataset(path.join(fixtures, 'quoted.csv'));
    expect(columns).toEqual(['id', 'title', 'body', 'category']);
    expect(rows).toHaveLength(3);
    expect(rows[0]).toEqual({ id: '1', title: 'VPN, again', body: 'Line one\r\nLine two with "quotes"', category: 'network' });
    expect(rows[1]!.category).toBe('');
    expect(rows[2]!.title).toBe('Multi\nline title');
    expect(rows[2]!.body).toBe('Olá, não consigo imprimir');
  });

  it('reads JSON Lines, skipping blank lines and turning every value into a string', () => {
    const { columns, rows } = readDataset(path.join(fixtures, 'mixed.jsonl'));
    expect(columns).toEqual(['id', 'body', 'category', 'extra']);
    expect(rows[0]).toEqual({ id: '1', body: 'VPN down', category: '4' });
    expect(rows[1]!.extra).toBe('{"a":1}');
  });

  it('names the available columns when one is missing', () => {
    const dataset = parseCsv('title,body\nx,y\n');
    expect(() => requireColumns(dataset, ['title', 'text'])).toThrow(/missing column\(s\) text; available: title, body/);
  });

  it('rejects malformed CSV with a clear error', () => {
    expect(() => parseCsv('a,b\n"unterminated,1\n')).toThrow(/not valid CSV/);
  });

  it('joins the chosen text columns, skipping empty ones', () => {
    expect(rowText({ title: '', body: 'hello', extra: 'x' }, ['title', 'body'])).toBe('hello');
    expect(rowText({ title: 'T', body: 'B' }, ['title', 'body'])).toBe('T\nB');
  });
});
