import { describe, expect, it } from 'vitest';
import { type AudienceKind, CLEARANCES, type Clearance, decide, mayShowIncident, parseClearance, requiredClearance } from '../../src/subscriptions/policy.js';

const KINDS: AudienceKind[] = ['reporter', 'channel', 'subscriber', 'status_page'];
const BOOLS = [false, true];

describe('confidentiality policy', () => {
  // Every combination, each with the answer derived from the rule written out independently.
  const cases = BOOLS.flatMap((updateRestricted) =>
    BOOLS.flatMap((incidentRestricted) => KINDS.flatMap((kind) => CLEARANCES.map((clearance) => ({ updateRestricted, incidentRestricted, kind, clearance })))),
  );
  it.each(cases)('update restricted=$updateRestricted, incident restricted=$incidentRestricted → $kind with $clearance', ({ updateRestricted, incidentRestricted, kind, clearance }) => {
    const secret = updateRestricted || incidentRestricted;
    const cleared = kind !== 'status_page' && clearance === 'restricted';
    const expected = !secret || cleared ? 'full' : kind === 'reporter' ? 'redacted' : 'none';
    expect(decide({ updateRestricted, incidentRestricted }, { kind, clearance })).toBe(expected);
  });

  it('has 48 combinations and never gives a restricted text to a public or internal audience', () => {
    expect(cases).toHaveLength(48);
    for (const c of cases) {
      const d = decide(c, c);
      if ((c.updateRestricted || c.incidentRestricted) && c.clearance !== 'restricted') expect(d).not.toBe('full');
    }
  });

  it('the status page is public whatever clearance is passed', () => {
    for (const clearance of CLEARANCES) {
      expect(decide({ updateRestricted: true, incidentRestricted: false }, { kind: 'status_page', clearance })).toBe('none');
      expect(mayShowIncident(true, { kind: 'status_page', clearance })).toBe(false);
      expect(mayShowIncident(false, { kind: 'status_page', clearance })).toBe(true);
    }
  });

  it('restricted incidents show only to restricted audiences', () => {
    const shown = (clearance: Clearance) => mayShowIncident(true, { kind: 'channel', clearance });
    expect(CLEARANCES.filter(shown)).toEqual(['restricted']);
  });

  it('required clearance and parsing', () => {
    expect(requiredClearance({ updateRestricted: false, incidentRestricted: false })).toBe('public');
    expect(requiredClearance({ updateRestricted: true, incidentRestricted: false })).toBe('restricted');
    expect(requiredClearance({ updateRestricted: false, incidentRestricted: true })).toBe('restricted');
    expect(parseClearance('internal', 'public')).toBe('internal');
    expect(parseClearance('secret', 'public')).toBe('public');
    expect(parseClearance(undefined, 'internal')).toBe('internal');
  });
});
