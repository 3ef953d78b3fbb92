import type { ChannelAdapter } from '../../channels/types.js';
import type { Tx } from '../db/database.js';
import { FrontlineError } from '../errors.js';
import { resolveContact } from '../intake/identity.js';
import { enqueueMessage } from '../outbox/enqueue.js';
import type { ServiceCatalog } from '../services/catalog.js';
import { broadcastWords, toLanguage } from '../broadcast/messages.js';
import { type Clearance, parseClearance } from './policy.js';
import { signLink } from './tokens.js';

/** Confirm links live a week; unsubscribe links for ever. */
const CONFIRM_TTL_SECONDS = 7 * 86_400;

export interface SubscriptionDeps {
  catalog: ServiceCatalog;
  channels: ReadonlyMap<string, ChannelAdapter>;
  secret: string;
  baseUrl: string;
}

/** A service id, or `*` for all: by id or by any of its names (what a person types after "subscribe"). */
export function resolveServiceId(catalog: ServiceCatalog, text: string): string | undefined {
  const t = text.trim().toLowerCase();
  if (t === '*' || t === 'all') return '*';
  const exact = catalog.services.find((s) => s.id === t || Object.values(s.name).some((n) => n.toLowerCase() === t) || s.aliases.some((a) => a.toLowerCase() === t));
  return exact?.id ?? catalog.matchText?.(text)?.service.id;
}

/**
 * Email subscription with double opt-in: a pending row and a confirmation mail with a signed link, queued in the
 * same transaction through the outbox (the email channel writes first). Asking again for a pending or active
 * subscription sends nothing more; after an unsubscribe it starts over with a new confirmation.
 */
export async function subscribeEmail(tx: Tx, deps: SubscriptionDeps, input: { email: string; serviceId: string; locale?: string; clearance?: Clearance }): Promise<{ id: string; status: string; confirmationQueued: boolean }> {
  const email = input.email.trim().toLowerCase();
  if (input.serviceId !== '*' && !deps.catalog.find(input.serviceId)) throw new FrontlineError('BAD_REQUEST', `unknown service ${input.serviceId}; known: ${deps.catalog.services.map((s) => s.id).join(', ')}`);
  const existing = await tx.subscription.findUnique({ where: { serviceId_channel_address: { serviceId: input.serviceId, channel: 'email', address: email } } });
  if (existing && existing.status !== 'unsubscribed') return { id: existing.id, status: existing.status, confirmationQueued: false };
  const contactId = await resolveContact(tx, 'email', { externalId: email, email });
  const sub = existing
    ? await tx.subscription.update({ where: { id: existing.id }, data: { status: 'pending', unsubscribedAt: null, locale: input.locale ?? existing.locale } })
    : await tx.subscription.create({ data: { serviceId: input.serviceId, channel: 'email', address: email, contactId, status: 'pending', clearance: input.clearance ?? 'public', locale: input.locale ?? null } });
  const adapter = deps.channels.get('email');
  if (!adapter?.startConversation) throw new FrontlineError('CONFLICT', 'email subscriptions need the email channel (SMTP settings)');
  const language = toLanguage(sub.locale);
  const serviceName = input.serviceId === '*' ? 'IT services' : (deps.catalog.find(input.serviceId)?.name[language] ?? input.serviceId);
  const { threadKey, reference } = adapter.startConversation(email, { incidentNumber: '', title: serviceName });
  const conversation = await tx.conversation.create({ data: { channel: 'email', threadKey, reference, contactId, kind: 'broadcast', locale: sub.locale, matchKey: `subscription:${sub.id}` }, select: { id: true, channel: true } });
  const link = `${deps.baseUrl}/status/confirm?token=${signLink(deps.secret, sub.id, 'confirm', CONFIRM_TTL_SECONDS)}`;
  await enqueueMessage(tx, conversation, { text: `${broadcastWords(language).confirm(serviceName)}\n\n${link}`, author: { kind: 'system' } }, `sub-confirm:${sub.id}:${sub.createdAt.getTime()}:${existing ? Date.now() : 0}`);
  return { id: sub.id, status: 'pending', confirmationQueued: true };
}

export async function confirmSubscription(tx: Tx, id: string): Promise<boolean> {
  const r = await tx.subscription.updateMany({ where: { id, status: { in: ['pending', 'active'] } }, data: { status: 'active', confirmedAt: new Date() } });
  return r.count > 0;
}

export async function unsubscribe(tx: Tx, id: string): Promise<boolean> {
  const r = await tx.subscription.updateMany({ where: { id }, data: { status: 'unsubscribed', unsubscribedAt: new Date() } });
  return r.count > 0;
}

/** `subscribe <service>` in a chat: the conversation is the address, active at once (the channel vouches). */
export async function subscribeConversation(tx: Tx, input: { conversationId: string; channel: string; threadKey: string; contactId: string; serviceId: string; locale?: string | null }): Promise<void> {
  await tx.subscription.upsert({
    where: { serviceId_channel_address: { serviceId: input.serviceId, channel: input.channel, address: input.threadKey } },
    create: { serviceId: input.serviceId, channel: input.channel, address: input.threadKey, contactId: input.contactId, conversationId: input.conversationId, status: 'active', confirmedAt: new Date(), locale: input.locale ?? null },
    update: { status: 'active', unsubscribedAt: null, confirmedAt: new Date(), conversationId: input.conversationId },
  });
}

export async function unsubscribeConversation(tx: Tx, channel: string, threadKey: string, serviceId?: string): Promise<number> {
  const r = await tx.subscription.updateMany({ where: { channel, address: threadKey, status: 'active', ...(serviceId ? { serviceId } : {}) }, data: { status: 'unsubscribed', unsubscribedAt: new Date() } });
  return r.count;
}

export interface GroupInput {
  clearance?: string;
  services?: string[];
  slackChannel?: string | null;
  teamsChannel?: string | null;
}

export async function upsertGroup(tx: Tx, name: string, input: GroupInput) {
  const data = {
    ...(input.clearance !== undefined ? { clearance: parseClearance(input.clearance, 'internal') } : {}),
    ...(input.services !== undefined ? { services: input.services } : {}),
    ...(input.slackChannel !== undefined ? { slackChannel: input.slackChannel } : {}),
    ...(input.teamsChannel !== undefined ? { teamsChannel: input.teamsChannel } : {}),
  };
  return tx.distributionGroup.upsert({ where: { name }, create: { name, ...data }, update: data });
}

/** A group sync: the list given replaces the members (CSV or JSON), in one statement per kind. */
export async function replaceMembers(tx: Tx, groupId: string, members: { email: string; displayName?: string | null; locale?: string | null }[]): Promise<{ added: number; removed: number; total: number }> {
  const unique = [...new Map(members.map((m) => [m.email.trim().toLowerCase(), { ...m, email: m.email.trim().toLowerCase() }])).values()];
  const removed = await tx.groupMember.deleteMany({ where: { groupId, email: { notIn: unique.map((m) => m.email) } } });
  const before = await tx.groupMember.count({ where: { groupId } });
  await tx.groupMember.createMany({ data: unique.map((m) => ({ groupId, email: m.email, displayName: m.displayName ?? null, locale: m.locale ?? null })), skipDuplicates: true });
  const total = await tx.groupMember.count({ where: { groupId } });
  return { added: total - before, removed: removed.count, total };
}
