import { z } from 'zod';
import type { ConversationReference } from '../types.js';

/**
 * Where a Slack conversation lives. Reporter conversations: a DM (`channel` D…) or a thread under an
 * @mention (`thread_ts`). Service-desk conversations: a triage card (`card: true`) whose later messages are
 * posted into the card's own thread.
 */
export const slackReferenceSchema = z.object({
  team: z.string(),
  channel: z.string(),
  thread_ts: z.string().optional(),
  /** Slack user the conversation belongs to (reporter conversations). */
  user: z.string().optional(),
  /** A triage card conversation: the first message is the card, the rest go into its thread. */
  card: z.boolean().optional(),
  incidentId: z.string().optional(),
});
export type SlackReference = z.infer<typeof slackReferenceSchema>;

/** Validates a stored reference (it comes back from the database as JSON). */
export const parseSlackReference = (reference: ConversationReference): SlackReference => slackReferenceSchema.parse(reference);

/** The JSON form the core stores (no undefined members). */
export function toConversationReference(reference: SlackReference): ConversationReference {
  return Object.fromEntries(Object.entries(reference).filter(([, v]) => v !== undefined)) as ConversationReference;
}

const SEGMENT = /^[A-Za-z0-9._-]+$/;

/** `slack:<team>:<channel>[:<thread_ts>]`, or `slack:<team>:<channel>:card:<incidentId>` for a triage card. */
export function encodeSlackThreadKey(reference: Pick<SlackReference, 'team' | 'channel' | 'thread_ts' | 'card' | 'incidentId'>): string {
  for (const part of [reference.team, reference.channel]) {
    if (!part || !SEGMENT.test(part)) throw new Error(`bad Slack thread key segment: ${String(part)}`);
  }
  if (reference.card) {
    if (!reference.incidentId) throw new Error('a card thread key needs the incident id');
    return `slack:${reference.team}:${reference.channel}:card:${reference.incidentId}`;
  }
  return `slack:${reference.team}:${reference.channel}${reference.thread_ts ? `:${reference.thread_ts}` : ''}`;
}

export function decodeSlackThreadKey(threadKey: string): Pick<SlackReference, 'team' | 'channel' | 'thread_ts' | 'card' | 'incidentId'> {
  const parts = threadKey.split(':');
  const [prefix, team, channel] = parts;
  const ok = prefix === 'slack' && team && channel && parts.every((p, i) => i === 0 || SEGMENT.test(p));
  if (ok && parts.length === 3) return { team, channel };
  if (ok && parts.length === 4 && /^\d+\.\d+$/.test(parts[3]!)) return { team, channel, thread_ts: parts[3]! };
  if (ok && parts.length === 5 && parts[3] === 'card' && parts[4]) return { team, channel, card: true, incidentId: parts[4] };
  throw new Error(`not a Slack thread key: ${threadKey}`);
}
