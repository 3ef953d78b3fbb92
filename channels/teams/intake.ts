import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { AttachmentRef, InboundMessage } from '../types.js';
import { answeredActivity, readSubmit } from './cards.js';
import { download, inboundFiles, refusal } from './files.js';
import { channelThreadId, encodeTeamsThreadKey, parseTeamsReference, type TeamsReference, toConversationReference } from './reference.js';
import type { TeamsRuntime } from './runtime.js';

/** The fields of a Bot Framework activity we rely on (Teams sends many more). */
const account = z.object({ id: z.string(), name: z.string().nullish(), aadObjectId: z.string().nullish() });
export const activitySchema = z.object({
  type: z.string(),
  id: z.string().optional(),
  name: z.string().optional(),
  action: z.string().optional(),
  timestamp: z.string().optional(),
  serviceUrl: z.string(),
  channelId: z.string().optional(),
  from: account,
  recipient: account,
  conversation: z.object({ id: z.string(), conversationType: z.string().nullish(), isGroup: z.boolean().nullish(), tenantId: z.string().nullish() }),
  text: z.string().nullish(),
  value: z.unknown().optional(),
  replyToId: z.string().nullish(),
  locale: z.string().nullish(),
  entities: z.array(z.object({ type: z.string(), text: z.string().optional(), mentioned: account.partial().optional(), locale: z.string().optional() }).passthrough()).nullish(),
  attachments: z.array(z.object({ contentType: z.string().optional(), contentUrl: z.string().nullish(), content: z.unknown().optional(), name: z.string().nullish() })).nullish(),
  membersAdded: z.array(account.partial()).nullish(),
  membersRemoved: z.array(account.partial()).nullish(),
  channelData: z.object({ tenant: z.object({ id: z.string() }).nullish(), team: z.object({ id: z.string() }).nullish(), channel: z.object({ id: z.string() }).nullish(), eventType: z.string().nullish() }).passthrough().nullish(),
});
export type TeamsActivity = z.infer<typeof activitySchema>;

export function kindOf(a: TeamsActivity): TeamsReference['kind'] {
  const t = a.conversation.conversationType;
  if (t === 'channel' || a.channelData?.channel || a.channelData?.team) return 'channel';
  if (t === 'groupChat' || a.conversation.isGroup) return 'groupChat';
  return 'personal';
}

const tenantOf = (a: TeamsActivity) => a.conversation.tenantId ?? a.channelData?.tenant?.id ?? undefined;

/** The reference to post back: a channel post's reply chain, or the chat itself. */
export function referenceOf(a: TeamsActivity): TeamsReference {
  const kind = kindOf(a);
  const conversationId = kind === 'channel' ? channelThreadId(a.conversation.id, a.replyToId ?? a.id ?? '') : a.conversation.id;
  const tenantId = tenantOf(a);
  return { serviceUrl: a.serviceUrl, conversationId, kind, ...(tenantId ? { tenantId } : {}), botId: a.recipient.id, user: a.from.id };
}

export function mentionsBot(a: TeamsActivity): boolean {
  return (a.entities ?? []).some((e) => e.type === 'mention' && e.mentioned?.id === a.recipient.id);
}

/** Removes `<at>Bot</at>` mentions of the bot (other people's mentions keep their name) and tidies whitespace. */
export function stripMentions(a: TeamsActivity): string {
  let text = a.text ?? '';
  for (const e of a.entities ?? []) {
    if (e.type !== 'mention' || !e.text) continue;
    text = text.split(e.text).join(e.mentioned?.id === a.recipient.id ? ' ' : (e.mentioned?.name ?? ''));
  }
  return text.replace(/<\/?at>/g, '').replace(/[ \t]+/g, ' ').replace(/ *\n */g, '\n').trim();
}

/** Display names and emails from roster lookups, kept for an hour so a conversation costs one lookup. */
const profiles = new Map<string, { at: number; email?: string; name?: string }>();
const PROFILE_TTL_MS = 60 * 60 * 1000;

async function userOf(rt: TeamsRuntime, a: TeamsActivity, ref: TeamsReference): Promise<InboundMessage['user']> {
  const key = `${ref.serviceUrl}|${a.from.id}`;
  let p = profiles.get(key);
  if (!p || Date.now() - p.at > PROFILE_TTL_MS) {
    const m = await rt.connector.member(ref, a.from.id);
    p = { at: Date.now(), ...(m ?? {}) };
    profiles.set(key, p);
    if (profiles.size > 10_000) profiles.delete(profiles.keys().next().value!);
  }
  const locale = localeOf(a);
  const displayName = a.from.name ?? p.name;
  return {
    externalId: a.from.aadObjectId || a.from.id,
    ...(displayName ? { displayName } : {}),
    ...(p.email ? { email: p.email.toLowerCase(), emailVerified: true } : {}),
    ...(locale ? { locale } : {}),
  };
}

const localeOf = (a: TeamsActivity) => a.locale ?? (a.entities ?? []).find((e) => e.type === 'clientInfo')?.locale ?? undefined;

/**
 * A message activity: a personal chat, a group chat, a channel post that @mentions the bot, or a card click
 * (`value` from an Action.Submit). Resolves once the intake has recorded it, so a failure lets Teams retry.
 */
export async function intakeMessage(rt: TeamsRuntime, a: TeamsActivity): Promise<void> {
  const submit = readSubmit(a.value);
  const ref = referenceOf(a);
  // Channels deliver only posts that @mention the bot; group chats likewise unless it is a click on our card.
  if (ref.kind !== 'personal' && !submit && !mentionsBot(a)) return;
  if (!a.id) return;
  rt.connector.typing(ref);
  const text = submit ? undefined : stripMentions(a);
  const eventId = submit ? `choice:${ref.conversationId}:${a.replyToId ?? a.id}` : a.id; // one answer per question card
  const result = await receive(rt, a, ref, { eventId, ...(text !== undefined ? { text } : {}), ...(submit ? { choice: submit.choice, ...(submit.fields ? { fields: submit.fields } : {}) } : {}) });
  if (submit && a.replyToId && !result.duplicate) {
    await rt.connector.update(ref, a.replyToId, answeredActivity(submit.question, submit.label) as never).catch((err: unknown) => rt.logger.debug({ err }, 'Teams: could not mark the question answered'));
  }
}

/** Hands an event to the intake with the person as Teams vouches for them; files are stored first. */
export async function receive(rt: TeamsRuntime, a: TeamsActivity, ref: TeamsReference, input: { eventId: string; text?: string; choice?: string; fields?: Record<string, string> }) {
  const conversation = { channel: 'teams', threadKey: encodeTeamsThreadKey(ref), reference: toConversationReference(ref), user: await userOf(rt, a, ref) };
  let text = input.text;
  let attachments: AttachmentRef[] | undefined;
  const files = inboundFiles(a.attachments ?? undefined);
  // A redelivered activity already has its files: do not download and store them twice.
  const redelivered = files.length ? await rt.host.conversations.findByMessageExternalIds('teams', [input.eventId]) : undefined;
  if (files.length && !redelivered) {
    const { conversationId } = await rt.host.open(conversation);
    attachments = [];
    const skipped: { name: string; reason: 'too_large' | 'failed' }[] = [];
    for (const f of files) {
      const got = await download(rt, f);
      if (got.ok) attachments.push(await rt.host.storeAttachment(conversationId, got));
      else skipped.push(got);
    }
    if (skipped.length) {
      const note = refusal(skipped, rt.settings.maxAttachmentBytes);
      await rt.connector.send(ref, { type: 'message', text: note }).catch((err: unknown) => rt.logger.warn({ err }, 'Teams: could not send the file refusal'));
      if (!text && !attachments.length) text = `(${note})`;
    }
  }
  const locale = localeOf(a);
  return rt.host.receive({
    ...conversation,
    eventId: input.eventId,
    ...(text ? { text } : {}),
    ...(attachments?.length ? { attachments } : {}),
    ...(input.choice !== undefined ? { choice: input.choice } : {}),
    ...(input.fields ? { fields: input.fields } : {}),
    ...(locale ? { locale } : {}),
    ...(a.timestamp ? { occurredAt: new Date(a.timestamp) } : {}),
  });
}

/**
 * A reporter edited (`messageUpdate`, eventType `editMessage`) or deleted (`messageDelete`, `softDeleteMessage`)
 * a message the bot received. Teams cannot un-send what the service desk already has, so an edit is passed on
 * as a correction and a deletion is noted; the original stays on the incident's timeline. Only messages we
 * recorded count (an edit never opens a conversation); each edit text and each deletion has one effect.
 */
export async function intakeEdit(rt: TeamsRuntime, a: TeamsActivity): Promise<void> {
  const kind = a.channelData?.eventType;
  const deleted = a.type === 'messageDelete';
  if (!a.id || (deleted ? kind && kind !== 'softDeleteMessage' : kind && kind !== 'editMessage')) return; // e.g. undeleteMessage
  const original = await rt.host.conversations.findByMessageExternalIds('teams', [a.id]);
  if (!original) return;
  const ref = { ...parseTeamsReference(original.reference), user: a.from.id };
  const text = deleted ? '(I deleted my earlier message.)' : stripMentions(a);
  if (!text) return;
  const eventId = deleted ? `delete:${a.id}` : `edit:${a.id}:${createHash('sha256').update(text).digest('base64url').slice(0, 16)}`;
  await receive(rt, { ...a, attachments: [] }, ref, { eventId, text: deleted ? text : `Correction: ${text}` });
}

/**
 * The bot was added (welcome, keep the reference, reachable again) or removed (reference dead) — from
 * `installationUpdate` or a `conversationUpdate` naming the bot among the members added or removed.
 */
export async function intakeMembership(rt: TeamsRuntime, a: TeamsActivity): Promise<void> {
  const botId = a.recipient.id;
  const added = a.type === 'installationUpdate' ? a.action?.startsWith('add') : (a.membersAdded ?? []).some((m) => m.id === botId);
  const removed = a.type === 'installationUpdate' ? a.action?.startsWith('remove') : (a.membersRemoved ?? []).some((m) => m.id === botId);
  const kind = kindOf(a);
  const tenantId = tenantOf(a);
  // The welcome goes to the chat or the channel itself (its root conversation), not to a reply chain.
  const ref: TeamsReference = { serviceUrl: a.serviceUrl, conversationId: a.conversation.id.split(';')[0]!, kind, ...(tenantId ? { tenantId } : {}), botId };
  if (removed) {
    await rt.connector.markDead(ref.conversationId, a.type === 'installationUpdate' ? 'app uninstalled' : 'bot removed from the conversation');
    return;
  }
  if (!added) return;
  await rt.connector.markAlive(ref.conversationId);
  await rt.host.state.set(`ref:${ref.conversationId}`, toConversationReference(ref));
  if (kind === 'personal') {
    // The dialog's own greeting, queued like any reply (idempotent: a redelivery opens nothing new).
    await rt.host.open({ channel: 'teams', threadKey: encodeTeamsThreadKey(ref), reference: toConversationReference({ ...ref, user: a.from.id }), user: await userOf(rt, a, ref) });
    return;
  }
  const welcomedKey = `welcomed:${ref.conversationId}`;
  if (await rt.host.state.get(welcomedKey)) return;
  await rt.host.state.set(welcomedKey, true);
  const text = `Hi, I'm ${rt.settings.appName}. Mention me (@${rt.settings.appName}) with a problem to report an IT incident; I'll follow up in the replies to your post.`;
  await rt.connector.send(ref, { type: 'message', text }).catch((err: unknown) => rt.logger.warn({ err }, 'Teams: welcome message failed'));
}

const submitActionSchema = z.object({
  commandId: z.string().optional(),
  /** The action's form (manifest parameter `note`), when the person filled it in. */
  data: z.object({ note: z.string().optional() }).passthrough().nullish(),
  messagePayload: z.object({
    id: z.string(),
    body: z.object({ content: z.string().default(''), contentType: z.string().optional() }).optional(),
    linkToMessage: z.string().nullish(),
  }),
});

/**
 * The message action "Report as incident": the chosen message's text and link open a report in a 1:1 chat
 * with the person who chose it. Returns the invoke response body.
 */
export async function intakeMessageAction(rt: TeamsRuntime, a: TeamsActivity): Promise<unknown> {
  const parsed = submitActionSchema.safeParse(a.value);
  if (!parsed.success) return { task: { type: 'message', value: 'Choose "Report as incident" on a message.' } };
  const m = parsed.data.messagePayload;
  const body = m.body?.contentType === 'html' ? htmlToText(m.body.content) : (m.body?.content ?? '');
  const note = parsed.data.data?.note?.trim();
  const text = `${note ? `${note}\n\n` : ''}${body.trim()}${m.linkToMessage ? `\n\n(from ${m.linkToMessage})` : ''}`;
  const tenantId = tenantOf(a);
  const conversationId = await rt.connector.openPersonal(a.serviceUrl, { botId: a.recipient.id, userId: a.from.id, ...(tenantId ? { tenantId } : {}) });
  const ref: TeamsReference = { serviceUrl: a.serviceUrl, conversationId, kind: 'personal', ...(tenantId ? { tenantId } : {}), botId: a.recipient.id, user: a.from.id };
  await receive(rt, { ...a, attachments: [] }, ref, { eventId: `action:${m.id}:${a.from.aadObjectId || a.from.id}`, text });
  return { task: { type: 'message', value: 'I have opened a chat with you to take down the incident.' } };
}

/** Teams message bodies are HTML: keep the words and line breaks. */
export function htmlToText(html: string): string {
  return html
    .replace(/<br\s*\/?>/gi, '\n').replace(/<\/(p|div|li)>/gi, '\n').replace(/<[^>]+>/g, '')
    .replace(/&nbsp;/g, ' ').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&')
    .replace(/[ \t]+/g, ' ').replace(/\n{3,}/g, '\n\n').trim();
}
