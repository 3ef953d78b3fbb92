/**
 * ITIL priority from impact × urgency (1 = high … 3 = low). The default is the usual 3×3 matrix
 * (priority = impact + urgency − 1); operators may supply their own.
 */
export type Priority = 'P1' | 'P2' | 'P3' | 'P4' | 'P5';
export type Level = 1 | 2 | 3;
export type PriorityMatrix = Readonly<Record<`${Level}${Level}`, Priority>>;

export const DEFAULT_MATRIX: PriorityMatrix = {
  '11': 'P1', '12': 'P2', '13': 'P3',
  '21': 'P2', '22': 'P3', '23': 'P4',
  '31': 'P3', '32': 'P4', '33': 'P5',
};

export const PRIORITIES: readonly Priority[] = ['P1', 'P2', 'P3', 'P4', 'P5'];

export function priorityOf(impact: number, urgency: number, matrix: PriorityMatrix = DEFAULT_MATRIX): Priority {
  const i = clampLevel(impact);
  const u = clampLevel(urgency);
  return matrix[`${i}${u}`];
}

export function clampLevel(n: number): Level {
  return (Number.isFinite(n) ? Math.min(3, Math.max(1, Math.round(n))) : 3) as Level;
}

export const isPriority = (v: unknown): v is Priority => typeof v === 'string' && PRIORITIES.includes(v as Priority);
