import type { TeamsActivity } from './intake.js';
import type { TeamsRuntime } from './runtime.js';

/** Who a person in a triage channel is to Frontline: may they act on cards, and the name reporters see. */
export interface TeamsAgent {
  allowed: boolean;
  name: string;
  /** AAD object id, else the Teams account id. */
  key: string;
}

const emails = new Map<string, { at: number; email: string | undefined }>();
const EMAIL_TTL_MS = 60 * 60 * 1000;

/**
 * The agent override table (channel `teams`, by AAD object id or email) decides first, active or not; then
 * TEAMS_AGENT_USERS; with neither, membership of the triage channel is the permission (as in Slack). Names:
 * the override's display name, TEAMS_AGENT_NAMES, then the Teams display name.
 */
export async function teamsAgent(rt: TeamsRuntime, a: TeamsActivity): Promise<TeamsAgent> {
  const aad = a.from.aadObjectId?.toLowerCase() || undefined;
  const email = await emailOf(rt, a);
  const keys = [aad, email, a.from.id].filter((k): k is string => Boolean(k));
  const row = await rt.host.agents.find('teams', keys);
  const { agentUsers, agentNames } = rt.settings;
  const allowed = row ? row.active : !agentUsers.length || keys.some((k) => agentUsers.includes(k.toLowerCase()));
  const configured = keys.map((k) => agentNames.get(k.toLowerCase())).find(Boolean);
  const name = row?.displayName || configured || a.from.name || email || a.from.id;
  return { allowed, name, key: aad ?? a.from.id };
}

/** The person's email or UPN from the channel's roster, cached for an hour (one lookup per agent, not per click). */
async function emailOf(rt: TeamsRuntime, a: TeamsActivity): Promise<string | undefined> {
  const cacheKey = `${a.serviceUrl}|${a.from.id}`;
  const cached = emails.get(cacheKey);
  if (cached && Date.now() - cached.at < EMAIL_TTL_MS) return cached.email;
  const channel = a.conversation.id.split(';')[0]!;
  const member = await rt.connector.member({ serviceUrl: a.serviceUrl, conversationId: channel, kind: 'channel' }, a.from.id);
  const email = member?.email?.toLowerCase();
  if (member) emails.set(cacheKey, { at: Date.now(), email }); // a failed lookup is tried again next time
  if (emails.size > 10_000) emails.delete(emails.keys().next().value!);
  return email;
}
