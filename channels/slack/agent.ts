import type { App } from '@slack/bolt';
import { z } from 'zod';
import type { AttachmentRef, IncidentPatchInput } from '../types.js';
import { ASSIGN_VIEW, assignModal, RESOLVE_VIEW, resolveModal } from './blocks.js';
import { isUniqueViolation } from './errors.js';
import { downloadSlackFiles, formatBytes, type SlackFile, skippedNote } from './files.js';
import type { MessageEvent } from './intake.js';
import { type SlackRuntime, stripMention } from './runtime.js';

const TIERS = ['L1', 'L2', 'L3'] as const;
const PRIORITY = /^P[1-5]$/i;

const cardClickSchema = z.object({
  user: z.object({ id: z.string() }),
  trigger_id: z.string(),
  container: z.object({ channel_id: z.string(), message_ts: z.string() }),
  actions: z.array(z.object({ action_id: z.string(), value: z.string().optional(), selected_option: z.object({ value: z.string() }).optional() })).min(1),
});
const viewSubmissionSchema = z.object({
  user: z.object({ id: z.string() }),
  view: z.object({
    private_metadata: z.string(),
    state: z.object({ values: z.record(z.string(), z.record(z.string(), z.object({ value: z.string().nullish(), selected_user: z.string().nullish() }))) }),
  }),
});

/** Agent-side listeners: the card buttons and the modals they open. */
export function registerAgentActions(app: App, rt: SlackRuntime): void {
  app.action(/^card_/, async ({ body, ack }) => {
    await ack();
    const b = cardClickSchema.parse(body);
    const action = b.actions[0]!;
    const user = b.user.id;
    const channel = b.container.channel_id;
    const threadTs = b.container.message_ts;
    if (!(await allowed(rt, user, channel, threadTs))) return;
    const [number, picked] = (action.selected_option?.value ?? action.value ?? '').split('|');
    if (!number) return;
    if (action.action_id === 'card_resolve') {
      await rt.web.views.open({ trigger_id: b.trigger_id, view: resolveModal(number) as never });
      return;
    }
    if (action.action_id === 'card_assign') {
      await rt.web.views.open({ trigger_id: b.trigger_id, view: assignModal(number) as never });
      return;
    }
    const name = await rt.directory.agentName(user);
    const patch = await buttonPatch(rt, action.action_id, number, name, picked);
    if (patch) await act(rt, { user, channel, threadTs }, () => rt.host.incidents.update(number, patch, `slack:${name}`));
  });

  app.view(RESOLVE_VIEW, async ({ ack, body }) => {
    await ack();
    const b = viewSubmissionSchema.parse(body);
    const { number } = JSON.parse(b.view.private_metadata) as { number: string };
    const note = b.view.state.values.resolution?.note?.value?.trim() ?? '';
    if (!(await rt.directory.isAgent(b.user.id))) return;
    const name = await rt.directory.agentName(b.user.id);
    await act(rt, { user: b.user.id }, () => rt.host.incidents.update(number, { status: 'resolved', resolution: note }, `slack:${name}`));
  });

  app.view(ASSIGN_VIEW, async ({ ack, body }) => {
    await ack();
    const b = viewSubmissionSchema.parse(body);
    const { number } = JSON.parse(b.view.private_metadata) as { number: string };
    const chosen = b.view.state.values.assignee?.user?.selected_user;
    if (!chosen || !(await rt.directory.isAgent(b.user.id))) return;
    const [name, assignee] = await Promise.all([rt.directory.agentName(b.user.id), rt.directory.agentName(chosen)]);
    await act(rt, { user: b.user.id }, () => rt.host.incidents.update(number, { assignee }, `slack:${name}`));
  });
}

async function buttonPatch(rt: SlackRuntime, actionId: string, number: string, name: string, picked?: string): Promise<IncidentPatchInput | undefined> {
  switch (actionId) {
    case 'card_take':
      return { assignee: name };
    case 'card_pending':
      return { status: 'pending' };
    case 'card_priority':
      return picked && PRIORITY.test(picked) ? { priority: picked.toUpperCase() as IncidentPatchInput['priority'] } : undefined;
    case 'card_escalate': {
      const incident = await rt.host.incidents.get(number);
      const next = TIERS[Math.min(TIERS.indexOf((incident?.tier ?? 'L1') as (typeof TIERS)[number]) + 1, TIERS.length - 1)];
      return { tier: next };
    }
    default:
      return undefined;
  }
}

/**
 * A message in a card's thread. Plain text is a public reply (relayed to the reporter on their channel);
 * text starting with the note prefix is an internal note; `!take`, `!priority P2`, `!pending`,
 * `!resolve <note>`, `!escalate`, `!category <id> [service]`, `!group <name>`, `!confidential [off]` act on the incident;
 * `!link MI-3`, `!unlink`, `!merge MI-2 MI-3` on its major incident.
 */
export async function agentMessage(rt: SlackRuntime, e: MessageEvent): Promise<void> {
  const threadTs = e.thread_ts ?? e.message?.thread_ts ?? e.previous_message?.thread_ts;
  if (!threadTs) return; // top-level chatter in a triage channel is none of our business
  const edited = e.subtype === 'message_changed';
  const deleted = e.subtype === 'message_deleted';
  const user = edited ? e.message?.user : deleted ? e.previous_message?.user : e.user;
  const rawText = edited ? e.message?.text : deleted ? e.previous_message?.text : e.text;
  const ts = edited ? `${e.message?.ts}:${e.message?.edited?.ts ?? e.ts}` : deleted ? `${e.previous_message?.ts}:deleted` : e.ts;
  if (!user || threadTs === (edited ? e.message?.ts : deleted ? e.previous_message?.ts : e.ts)) return;
  if (edited && e.message?.text === e.previous_message?.text) return;
  const card = await rt.directory.cardOfThread(e.channel, threadTs);
  if (!card) return;
  if (!(await allowed(rt, user, e.channel, threadTs))) return;
  const name = await rt.directory.agentName(user);
  let text = stripMention(rawText ?? '', rt.identity.botUserId);
  // Recorded with the action's own transaction: a redelivery, to this or any other instance, does nothing.
  const eventId = `slack:msg:${e.channel}:${ts}`;
  const where = { user, channel: e.channel, threadTs };
  const prefix = rt.settings.notePrefix.toLowerCase();
  const isNote = text.toLowerCase().startsWith(prefix);
  if (deleted) {
    // The reporter may already have read it: say so on the timeline, never silently.
    return act(rt, where, () => rt.host.incidents.comment(card.number, { text: `${name} deleted a message in Slack: "${text}"`, author: name, internal: true, eventId }));
  }
  if (!edited && text.startsWith('!')) return command(rt, card.number, name, text, where, eventId);
  if (isNote) text = text.slice(prefix.length).trim();
  if (edited) text = isNote ? `(edited) ${text}` : `Correction: ${text}`;
  // A redelivered event changes nothing (see eventId): do not download and store its files again either.
  const relay = !edited && !isNote && e.files?.length && !(await rt.host.incidents.handled(eventId));
  const files = relay ? await relayableFiles(rt, card.number, name, e.files!, where) : undefined;
  if (files?.note) text = [text, files.note].filter(Boolean).join('\n');
  if (!text && files?.attachments.length) text = `Shared ${files.attachments.map((a) => `"${a.filename}"`).join(', ')}`;
  if (!text) return;
  await act(rt, where, () =>
    rt.host.incidents.comment(card.number, { text, author: name, internal: isNote, idempotencyKey: `slack:${e.channel}:${ts}`, eventId, ...(files?.attachments.length ? { attachments: files.attachments } : {}) }),
  );
}

/**
 * An agent's files, for the reporter: downloaded with the bot token and stored in the reporter's
 * conversation (where their channel serves them from). Files over the limit stay behind with a note for both.
 */
async function relayableFiles(rt: SlackRuntime, number: string, name: string, shared: SlackFile[], where: { user: string; channel: string; threadTs: string }) {
  const incident = await rt.host.incidents.get(number);
  const origin = incident?.originChannel ? await rt.host.conversations.findByIncidentNumber(incident.originChannel, Number(number.replace(/\D/g, ''))) : undefined;
  if (!origin) return { attachments: [] as AttachmentRef[], note: '' };
  const { files, skipped } = await downloadSlackFiles(rt, shared);
  const attachments: AttachmentRef[] = [];
  for (const f of files) attachments.push(await rt.host.storeAttachment(origin.conversationId, f));
  if (skipped.length) {
    await rt.ephemeral(where.channel, where.user, `Not passed on to the reporter: ${skipped.map((s) => `${s.filename} (${formatBytes(s.size)})`).join(', ')}; the limit is ${formatBytes(rt.settings.maxFileBytes)}.`, where.threadTs);
  }
  const note = skipped.length ? skippedNote(skipped, rt.settings.maxFileBytes).replaceAll('(The file', `(${name} also shared the file`) : '';
  return { attachments, note };
}

async function command(rt: SlackRuntime, number: string, name: string, text: string, where: { user: string; channel: string; threadTs: string }, eventId: string): Promise<void> {
  const [verb = '', ...rest] = text.slice(1).trim().split(/\s+/);
  const arg = rest.join(' ').trim();
  const actor = `slack:${name}`;
  const update = (patch: IncidentPatchInput) => act(rt, where, () => rt.host.incidents.update(number, patch, actor, { eventId }));
  switch (verb.toLowerCase()) {
    case 'take':
      return update({ assignee: name });
    case 'pending':
      return update({ status: 'pending' });
    case 'priority':
      if (PRIORITY.test(arg)) return update({ priority: arg.toUpperCase() as IncidentPatchInput['priority'] });
      break;
    case 'resolve':
      if (arg) return update({ status: 'resolved', resolution: arg });
      break;
    // Corrections of how the report was filed (validated by the core against the taxonomy).
    case 'category': {
      const [category, service] = rest;
      if (category) return update({ category, ...(service ? { service } : {}) });
      break;
    }
    case 'group':
      if (arg) return update({ assignmentGroup: arg });
      break;
    case 'confidential':
      return update({ confidential: !/^(off|no|false)$/i.test(arg) });
    case 'escalate': {
      const patch = await buttonPatch(rt, 'card_escalate', number, name);
      if (patch) return update(patch);
      break;
    }
    // [major] major-incident membership: `!link MI-3`, `!unlink`, `!merge MI-2 MI-3` (children of MI-2 move to MI-3)
    case 'link':
      if (/^MI-?\d+$/i.test(arg) && rt.host.majorIncidents) return act(rt, where, () => rt.host.majorIncidents!.link(arg, number, actor));
      break;
    case 'unlink':
      if (rt.host.majorIncidents) return act(rt, where, () => rt.host.majorIncidents!.unlink(number, actor));
      break;
    case 'merge': {
      const [from, into] = rest;
      if (from && into && rt.host.majorIncidents) return act(rt, where, () => rt.host.majorIncidents!.merge(from, into, actor));
      break;
    }
  }
  await rt.ephemeral(where.channel, where.user, 'Commands: `!take`, `!priority P1`–`P5`, `!pending`, `!resolve <note>`, `!escalate`, `!category <category> [service]`, `!group <assignment group>`, `!confidential [off]`, `!link MI-3`, `!unlink`, `!merge MI-2 MI-3`. Anything else is a reply to the reporter; start with `' + rt.settings.notePrefix + '` for an internal note.', where.threadTs);
}

async function allowed(rt: SlackRuntime, user: string, channel: string, threadTs?: string): Promise<boolean> {
  const ok = await rt.directory.isAgent(user).catch((err: unknown) => {
    rt.logger.warn({ err, user }, 'agent check failed; refusing');
    return false;
  });
  if (!ok) await rt.ephemeral(channel, user, 'Sorry, only service desk agents can act on incidents here.', threadTs);
  return ok;
}

/** Runs an agent action marked as coming from this thread; failures become an ephemeral note to the agent. */
async function act(rt: SlackRuntime, where: { user: string; channel?: string; threadTs?: string }, fn: () => Promise<unknown>): Promise<void> {
  try {
    await rt.origin.run({ channel: where.channel ?? '', threadTs: where.threadTs ?? '' }, fn);
  } catch (err) {
    if (isUniqueViolation(err)) return; // a redelivered reply: already relayed
    const message = err instanceof Error ? err.message : String(err);
    rt.logger.warn({ err }, 'agent action failed');
    const dm = where.channel ?? where.user;
    await rt.ephemeral(dm, where.user, `That did not work: ${message}`, where.threadTs);
  }
}
