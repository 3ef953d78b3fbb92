/**
 * The confidentiality policy for major-incident updates: who may read what. Pure, so every combination is
 * tested (test/subscriptions/policy.test.ts) and the broadcast, the status page and the feeds all ask the same
 * function instead of each deciding on its own.
 *
 * Clearances are ordered public < internal < restricted. A restricted update, or any update of a restricted
 * major incident, needs `restricted`; everything else is public. A linked reporter is a party to their own
 * incident: without clearance they still hear that there is news (a notice without the details), never nothing.
 */
export const CLEARANCES = ['public', 'internal', 'restricted'] as const;
export type Clearance = (typeof CLEARANCES)[number];

/** Who is about to receive an update. */
export type AudienceKind =
  /** a person who reported one of the linked incidents */
  | 'reporter'
  /** a service's audience: a Slack/Teams channel or an email list, seen by many */
  | 'channel'
  /** one subscriber (status page, `subscribe <service>`, or a group member) */
  | 'subscriber'
  /** the public status page and its feeds */
  | 'status_page';

export interface Sensitivity {
  /** The update itself is marked restricted. */
  updateRestricted: boolean;
  /** The major incident is restricted: every update of it is. */
  incidentRestricted: boolean;
}

export interface Audience {
  kind: AudienceKind;
  /** The audience's clearance; the status page is always public whatever is passed. */
  clearance: Clearance;
}

/** `full`: the public text; `redacted`: that there is news, without any detail; `none`: nothing at all. */
export type Decision = 'full' | 'redacted' | 'none';

const rank = (c: Clearance): number => CLEARANCES.indexOf(c);

export function requiredClearance(s: Sensitivity): Clearance {
  return s.updateRestricted || s.incidentRestricted ? 'restricted' : 'public';
}

export function decide(s: Sensitivity, audience: Audience): Decision {
  const clearance: Clearance = audience.kind === 'status_page' ? 'public' : audience.clearance;
  if (rank(clearance) >= rank(requiredClearance(s))) return 'full';
  return audience.kind === 'reporter' ? 'redacted' : 'none';
}

/** Whether a major incident may be shown at all to an audience (the status page, a broad channel). */
export function mayShowIncident(incidentRestricted: boolean, audience: Audience): boolean {
  return decide({ updateRestricted: false, incidentRestricted }, audience) === 'full';
}

export function parseClearance(value: unknown, fallback: Clearance): Clearance {
  return typeof value === 'string' && (CLEARANCES as readonly string[]).includes(value) ? (value as Clearance) : fallback;
}
