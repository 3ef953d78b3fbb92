import { z } from 'zod';
import type { ConversationReference } from '../types.js';

/**
 * What the Teams channel stores to post into a conversation later (the Bot Framework ConversationReference,
 * reduced to what the connector needs). `conversationId` of a channel thread carries `;messageid=<root>`, so
 * posting to it replies in that post's reply chain.
 */
export const teamsReferenceSchema = z.object({
  serviceUrl: z.string(),
  conversationId: z.string().min(1),
  kind: z.enum(['personal', 'channel', 'groupChat']).default('personal'),
  tenantId: z.string().optional(),
  /** The bot's account in the conversation (`28:<app id>`). */
  botId: z.string().optional(),
  /** The reporter's Teams account (`29:…`). */
  user: z.string().optional(),
  /** A triage card's conversation in a triage channel: the card is a channel post, its lines its replies. */
  card: z.boolean().optional(),
  incidentId: z.string().optional(),
});
export type TeamsReference = z.infer<typeof teamsReferenceSchema>;

export const parseTeamsReference = (r: ConversationReference): TeamsReference => teamsReferenceSchema.parse(r);

export function toConversationReference(r: TeamsReference): ConversationReference {
  return Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)) as ConversationReference;
}

/** `teams:<conversation id>`: the conversation id alone identifies a chat or a channel post's reply chain. */
export function encodeTeamsThreadKey(r: Pick<TeamsReference, 'conversationId' | 'card' | 'incidentId'>): string {
  return r.card ? `teams:${r.conversationId};card=${r.incidentId ?? ''}` : `teams:${r.conversationId}`;
}

export function decodeTeamsThreadKey(key: string): Pick<TeamsReference, 'conversationId' | 'card' | 'incidentId'> {
  if (!key.startsWith('teams:') || key.length <= 'teams:'.length) throw new Error(`not a Teams thread key: ${key}`);
  const rest = key.slice('teams:'.length);
  const card = /^(.+);card=(.+)$/.exec(rest);
  return card ? { conversationId: card[1]!, card: true, incidentId: card[2]! } : { conversationId: rest };
}

/** The reply chain of a channel post: Teams' conversation id for it is `<channel id>;messageid=<root post id>`. */
export function channelThreadId(conversationId: string, rootId: string): string {
  return conversationId.includes(';messageid=') ? conversationId : `${conversationId};messageid=${rootId}`;
}
