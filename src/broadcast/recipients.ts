import type { Tx } from '../db/database.js';
import type { ServiceDef } from '../services/catalog.js';
import { type AudienceKind, type Clearance, decide, parseClearance, type Sensitivity } from '../subscriptions/policy.js';
import type { StatusLanguage } from '../status/locales.js';
import { toLanguage } from './messages.js';

/** One person or audience an update goes to, after the confidentiality policy said yes. */
export interface Recipient {
  /** Unique per broadcast: `contact:<id>`, `email:<address>`, `conv:<conversation id>`, `audience:<channel>:<address>`. */
  key: string;
  kind: 'reporter' | 'channel' | 'subscriber';
  channel: string;
  /** Email address, Slack channel, or the conversation's thread key. */
  address: string;
  language: StatusLanguage;
  decision: 'full' | 'redacted';
  /** Post into this existing conversation (reporters, chat subscribers). */
  conversationId?: string;
  /** The person, where there is one (reporters, subscribers with a contact): failover looks for their other channels. */
  contactId?: string;
  /** For the unsubscribe link. */
  subscriptionId?: string;
}

export interface RecipientScope {
  majorIncidentId: string;
  serviceId: string;
  sensitivity: Sensitivity;
  /** `reporters` for the cadence's automatic notice. */
  scope: 'all' | 'reporters';
  service?: ServiceDef;
}

const DEFAULT_AUDIENCE_CLEARANCE: Clearance = 'internal';

/**
 * Everyone an update reaches, in a stable order, each once: reporters first (a reporter who also subscribed
 * hears it once, on their report's conversation), then the service's audience channels and lists, groups, and
 * subscribers. The policy decides per audience; a `none` is left out here and never queued.
 */
export async function listRecipients(tx: Tx, s: RecipientScope): Promise<Recipient[]> {
  const out: Recipient[] = [];
  const seen = new Set<string>();
  const reporterEmails = new Set<string>();
  const add = (r: Omit<Recipient, 'decision'>, audience: { kind: AudienceKind; clearance: Clearance }) => {
    if (seen.has(r.key)) return;
    const decision = decide(s.sensitivity, audience);
    if (decision === 'none') return;
    seen.add(r.key);
    out.push({ ...r, decision });
  };

  // Reporters: the conversation each reported in (the origin, else the newest linked one).
  const incidents = await tx.incident.findMany({
    where: { majorIncidentId: s.majorIncidentId },
    orderBy: { createdAt: 'asc' },
    select: {
      reporterId: true,
      reporter: { select: { email: true, locale: true } },
      originConversation: { select: { id: true, channel: true, threadKey: true, locale: true, kind: true } },
      conversations: { where: { kind: 'reporter' }, orderBy: { createdAt: 'desc' }, take: 1, select: { id: true, channel: true, threadKey: true, locale: true, kind: true } },
    },
  });
  for (const i of incidents) {
    const conversation = i.originConversation?.kind === 'reporter' ? i.originConversation : i.conversations[0];
    if (!conversation) continue;
    if (i.reporter.email) reporterEmails.add(i.reporter.email.toLowerCase());
    add({ key: `contact:${i.reporterId}`, kind: 'reporter', channel: conversation.channel, address: conversation.threadKey, language: toLanguage(conversation.locale ?? i.reporter.locale), conversationId: conversation.id, contactId: i.reporterId }, { kind: 'reporter', clearance: 'public' });
  }
  if (s.scope === 'reporters') return out;

  // The service's audience (services.yaml): broad channels and lists at the audience's clearance.
  const audience = s.service?.audience;
  const audienceClearance = parseClearance(audience?.clearance, DEFAULT_AUDIENCE_CLEARANCE);
  for (const channel of audience?.slack ?? []) {
    const address = channel.replace(/^#/, '');
    add({ key: `audience:slack:${address}`, kind: 'channel', channel: 'slack', address, language: 'en' }, { kind: 'channel', clearance: audienceClearance });
  }
  for (const channel of audience?.teams ?? []) {
    add({ key: `audience:teams:${channel}`, kind: 'channel', channel: 'teams', address: channel, language: 'en' }, { kind: 'channel', clearance: audienceClearance });
  }
  for (const list of audience?.email ?? []) {
    const address = list.toLowerCase();
    if (reporterEmails.has(address)) continue;
    add({ key: `email:${address}`, kind: 'channel', channel: 'email', address, language: 'en' }, { kind: 'channel', clearance: audienceClearance });
  }

  // Groups: named by the service's audience or following the service; their bound channel and their members.
  const groups = await tx.distributionGroup.findMany({
    where: { OR: [{ name: { in: audience?.groups ?? [] } }, { services: { hasSome: [s.serviceId, '*'] } }] },
    orderBy: { name: 'asc' },
    select: { name: true, clearance: true, slackChannel: true, teamsChannel: true, members: { orderBy: { email: 'asc' }, select: { email: true, locale: true } } },
  });
  for (const g of groups) {
    const clearance = parseClearance(g.clearance, DEFAULT_AUDIENCE_CLEARANCE);
    if (g.slackChannel) {
      const address = g.slackChannel.replace(/^#/, '');
      add({ key: `audience:slack:${address}`, kind: 'channel', channel: 'slack', address, language: 'en' }, { kind: 'channel', clearance });
    }
    if (g.teamsChannel) add({ key: `audience:teams:${g.teamsChannel}`, kind: 'channel', channel: 'teams', address: g.teamsChannel, language: 'en' }, { kind: 'channel', clearance });
    for (const m of g.members) {
      const address = m.email.toLowerCase();
      if (reporterEmails.has(address)) continue;
      add({ key: `email:${address}`, kind: 'subscriber', channel: 'email', address, language: toLanguage(m.locale) }, { kind: 'subscriber', clearance });
    }
  }

  // Subscribers (confirmed only): by email, or in the chat conversation they subscribed from.
  const subscriptions = await tx.subscription.findMany({
    where: { status: 'active', serviceId: { in: [s.serviceId, '*'] } },
    orderBy: { createdAt: 'asc' },
    select: { id: true, channel: true, address: true, contactId: true, conversationId: true, clearance: true, locale: true },
  });
  for (const sub of subscriptions) {
    const clearance = parseClearance(sub.clearance, 'public');
    const language = toLanguage(sub.locale);
    if (sub.channel === 'email') {
      if (reporterEmails.has(sub.address)) continue;
      add({ key: `email:${sub.address}`, kind: 'subscriber', channel: 'email', address: sub.address, language, subscriptionId: sub.id, ...(sub.contactId ? { contactId: sub.contactId } : {}) }, { kind: 'subscriber', clearance });
    } else if (sub.conversationId) {
      if (sub.contactId && seen.has(`contact:${sub.contactId}`)) continue;
      add({ key: `conv:${sub.conversationId}`, kind: 'subscriber', channel: sub.channel, address: sub.address, language, conversationId: sub.conversationId, subscriptionId: sub.id, ...(sub.contactId ? { contactId: sub.contactId } : {}) }, { kind: 'subscriber', clearance });
    }
  }
  return out;
}
