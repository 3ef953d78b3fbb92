/** RFC 4180 CSV; cells that a spreadsheet would run as a formula (=, +, -, @) get a leading apostrophe. */
export function toCsv(rows: Record<string, unknown>[], columns = rows[0] ? Object.keys(rows[0]) : []): string {
  const cell = (v: unknown) => {
    let s = v === null || v === undefined ? '' : v instanceof Date ? v.toISOString() : String(v);
    if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
    return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  return [columns.join(','), ...rows.map((r) => columns.map((c) => cell(r[c])).join(','))].join('\r\n') + '\r\n';
}
