import DataLoader from 'dataloader';
import { findSubjectToken, normaliseSubject } from './subject.js';

/**
 * Which existing conversation an inbound mail belongs to. Pure: the caller supplies the lookups (backed by the
 * database in production) and gets back a decision with the signal that produced it.
 *
 * Order of trust: explicit headers (References / In-Reply-To) → our subject token → same sender with the same
 * normalised subject within a time window. The last one requires the same sender so that replies from different
 * people to one broadcast never merge into one conversation.
 */

export interface ThreadCandidate {
  conversationId: string;
  /** Sender address (lower-cased) the conversation was started by / belongs to. */
  sender?: string;
}

export interface ThreadLookup {
  /** Conversations containing any of these Message-IDs (ours sent or theirs received), in any order. */
  findByMessageIds(ids: string[]): Promise<ThreadCandidate[]>;
  /** Conversation of the incident with this number, if any. */
  findBySubjectToken(incidentNumber: number): Promise<ThreadCandidate | undefined>;
  /** Conversations of `sender` whose normalised subject is `normalisedSubject` and had activity since `since`. */
  findRecent(sender: string, normalisedSubject: string, since: Date): Promise<ThreadCandidate[]>;
}

export interface ThreadableMail {
  from: string;
  subject: string;
  messageId?: string;
  inReplyTo?: string;
  references: string[];
  date?: Date;
}

export type ThreadMatch =
  | { kind: 'headers'; conversationId: string; matchedId: string }
  | { kind: 'subject-token'; conversationId: string; incidentNumber: number }
  | { kind: 'subject'; conversationId: string }
  | { kind: 'new'; threadRoot: string };

export interface ThreadingOptions {
  /** How far back a same-sender, same-subject mail joins an earlier conversation. Default 7 days. */
  subjectWindowMs?: number;
  /** "Now", for tests and replays; defaults to the mail's date, else the current time. */
  now?: Date;
  /**
   * Whether the subject token of a mail from `sender` may join that incident's conversation. Defaults to always;
   * the adapter can restrict tokens to known participants so a guessed token cannot inject into a foreign incident.
   */
  tokenAllowed?(candidate: ThreadCandidate, sender: string): boolean;
}

const DAY = 24 * 60 * 60 * 1000;
/** Normalised subjects too generic to thread on ("hi", "help", empty). */
const GENERIC_SUBJECT = /^(|\(no subject\)|hi|hello|hej|hola|olá|hallo|bonjour|help|question|fråga|problem|issue|test)$/i;

/** Ids a reply points at, most specific first: In-Reply-To, then References newest to oldest. */
export function referencedIds(mail: ThreadableMail): string[] {
  const ids = [mail.inReplyTo, ...[...mail.references].reverse()].filter((id): id is string => Boolean(id));
  return [...new Set(ids)].filter((id) => id !== mail.messageId);
}

/** Thread root for a new conversation: the oldest referenced id, else the mail's own Message-ID. */
export function threadRootOf(mail: ThreadableMail): string {
  return mail.references[0] ?? mail.inReplyTo ?? mail.messageId ?? `<no-id-${mail.from}-${mail.date?.getTime() ?? 0}>`;
}

export async function resolveThread(
  mail: ThreadableMail,
  lookup: ThreadLookup,
  options: ThreadingOptions = {},
): Promise<ThreadMatch> {
  const sender = mail.from.toLowerCase();
  const ids = referencedIds(mail);
  if (ids.length > 0) {
    const found = await lookup.findByMessageIds(ids);
    if (found.length > 0) {
      // Several conversations may share ids after a merge; the most specific reference decides.
      const [first] = found;
      if (first) return { kind: 'headers', conversationId: first.conversationId, matchedId: ids[0] ?? '' };
    }
  }

  const incidentNumber = findSubjectToken(mail.subject);
  if (incidentNumber !== undefined) {
    const candidate = await lookup.findBySubjectToken(incidentNumber);
    const allowed = options.tokenAllowed ?? (() => true);
    if (candidate && allowed(candidate, sender))
      return { kind: 'subject-token', conversationId: candidate.conversationId, incidentNumber };
  }

  const subject = normaliseSubject(mail.subject);
  if (sender && !GENERIC_SUBJECT.test(subject)) {
    const now = options.now ?? mail.date ?? new Date();
    const since = new Date(now.getTime() - (options.subjectWindowMs ?? 7 * DAY));
    const recent = await lookup.findRecent(sender, subject, since);
    // Defensive: a lookup that ignores the sender must still never merge different people.
    const same = recent.find((c) => c.sender === undefined || c.sender.toLowerCase() === sender);
    if (same) return { kind: 'subject', conversationId: same.conversationId };
  }

  return { kind: 'new', threadRoot: threadRootOf(mail) };
}

/** The lookups of {@link ThreadLookup} for many mails at once: one call (one query) per kind and step. */
export interface BatchThreadLookup {
  findByMessageIds(idLists: string[][]): Promise<ThreadCandidate[][]>;
  findBySubjectTokens(incidentNumbers: number[]): Promise<(ThreadCandidate | undefined)[]>;
  findRecent(queries: RecentQuery[]): Promise<ThreadCandidate[][]>;
}

/**
 * `resolveThread` for many mails, the decisions unchanged: every mail runs it against loaders that group the
 * lookups issued in the same tick (DataLoader, as the core's statements), so a round of mails costs one query per
 * step that any mail reaches (headers, then token, then subject), not one per mail. The mails must be independent
 * of each other (none would find another's conversation).
 */
export async function resolveThreads(mails: ThreadableMail[], lookup: BatchThreadLookup, options: ThreadingOptions = {}): Promise<ThreadMatch[]> {
  const byIds = new DataLoader((lists: readonly string[][]) => lookup.findByMessageIds([...lists]), { cache: false });
  const byToken = new DataLoader((numbers: readonly number[]) => lookup.findBySubjectTokens([...numbers]), { cache: false });
  const recent = new DataLoader((queries: readonly RecentQuery[]) => lookup.findRecent([...queries]), { cache: false });
  const batched: ThreadLookup = {
    findByMessageIds: (ids) => byIds.load(ids),
    findBySubjectToken: (n) => byToken.load(n),
    findRecent: (sender, normalisedSubject, since) => recent.load({ sender, normalisedSubject, since }),
  };
  return Promise.all(mails.map((mail) => resolveThread(mail, batched, options)));
}

type RecentQuery = { sender: string; normalisedSubject: string; since: Date };
