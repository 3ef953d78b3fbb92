/** Incidents are numbered INC-000001, INC-000002… (six digits, growing beyond when needed). */
export const formatIncidentNumber = (n: number): string => `INC-${String(n).padStart(6, '0')}`;

export function parseIncidentNumber(text: string): number | undefined {
  const m = /\bINC-?(\d{1,9})\b/i.exec(text);
  return m ? Number(m[1]) : undefined;
}
