import type { App } from '@slack/bolt';
import { z } from 'zod';
import { answeredBlocks, CHOICE_ACTION, homeView } from './blocks.js';
import { slackFileSchema } from './files.js';
import { type SlackRuntime, stripMention, tsToDate } from './runtime.js';

/** The fields of a Slack `message` event we rely on (Events API, `message.*` subscriptions). */
export const messageEventSchema = z.object({
  type: z.literal('message'),
  subtype: z.string().optional(),
  channel: z.string(),
  channel_type: z.string().optional(),
  user: z.string().optional(),
  bot_id: z.string().optional(),
  text: z.string().optional(),
  ts: z.string().optional(),
  thread_ts: z.string().optional(),
  deleted_ts: z.string().optional(),
  /** `file_share` messages: the shared files (downloaded with the bot token, `files:read`). */
  files: z.array(slackFileSchema).optional(),
  message: z.object({ user: z.string().optional(), bot_id: z.string().optional(), text: z.string().optional(), ts: z.string(), thread_ts: z.string().optional(), edited: z.object({ ts: z.string() }).optional() }).optional(),
  previous_message: z.object({ user: z.string().optional(), bot_id: z.string().optional(), text: z.string().optional(), ts: z.string(), thread_ts: z.string().optional() }).optional(),
});
export type MessageEvent = z.infer<typeof messageEventSchema>;

const mentionSchema = z.object({ user: z.string(), text: z.string(), ts: z.string(), channel: z.string(), thread_ts: z.string().optional() });
const commandSchema = z.object({ team_id: z.string(), user_id: z.string(), channel_id: z.string(), text: z.string().default(''), trigger_id: z.string() });
const shortcutSchema = z.object({
  trigger_id: z.string(),
  team: z.object({ id: z.string() }),
  user: z.object({ id: z.string() }),
  channel: z.object({ id: z.string() }),
  message: z.object({ text: z.string().default(''), ts: z.string() }),
});
const choiceClickSchema = z.object({
  team: z.object({ id: z.string() }),
  user: z.object({ id: z.string() }),
  container: z.object({ channel_id: z.string(), message_ts: z.string(), thread_ts: z.string().optional() }),
  message: z.object({ text: z.string().default(''), thread_ts: z.string().optional() }).optional(),
  actions: z.array(z.object({ action_id: z.string(), value: z.string(), text: z.object({ text: z.string() }).optional() })).min(1),
});

/** Reporter-side listeners: @mentions, `/incident`, the "Report as incident" shortcut, quick replies, App Home. */
export function registerIntake(app: App, rt: SlackRuntime): void {
  app.event('app_mention', async ({ event, body }) => {
    const e = mentionSchema.parse(event);
    // In a triage channel a mention is an agent talking in a card's thread: the message listener has it.
    if (rt.isServiceDeskChannel(e.channel)) return;
    const threadTs = e.thread_ts ?? e.ts;
    rt.directory.markIntakeThread(e.channel, threadTs);
    await rt.receive({ team: teamOf(body), channel: e.channel, threadTs, user: e.user, eventId: `msg:${e.channel}:${e.ts}`, text: stripMention(e.text, rt.identity.botUserId), occurredAt: tsToDate(e.ts) });
  });

  app.command('/incident', async ({ command, ack }) => {
    const c = commandSchema.parse(command);
    await ack({ response_type: 'ephemeral', text: 'I have opened a direct message with you to take down the incident.' });
    const dm = await openDm(rt, c.user_id);
    const text = c.text.trim();
    if (!text) {
      const person = await rt.directory.person(c.user_id).catch(() => undefined);
      await rt.host.open({
        channel: 'slack',
        threadKey: `slack:${c.team_id}:${dm}`,
        reference: { team: c.team_id, channel: dm, user: c.user_id },
        user: { externalId: c.user_id, displayName: person?.displayName, email: person?.email, emailVerified: Boolean(person?.email), locale: person?.locale },
      });
      return;
    }
    await rt.receive({ team: c.team_id, channel: dm, user: c.user_id, eventId: `command:${c.trigger_id}`, text });
  });

  app.shortcut('report_as_incident', async ({ shortcut, ack }) => {
    await ack();
    const s = shortcutSchema.parse(shortcut);
    const permalink = await rt.web.chat.getPermalink({ channel: s.channel.id, message_ts: s.message.ts }).then((r) => r.permalink, () => undefined);
    const dm = await openDm(rt, s.user.id);
    const text = `${stripMention(s.message.text, rt.identity.botUserId)}${permalink ? `\n\n(from ${permalink})` : ''}`;
    await rt.receive({ team: s.team.id, channel: dm, user: s.user.id, eventId: `shortcut:${s.channel.id}:${s.message.ts}:${s.user.id}`, text });
  });

  app.action(new RegExp(`^${CHOICE_ACTION}_`), async ({ body, ack }) => {
    await ack();
    const b = choiceClickSchema.parse(body);
    const action = b.actions[0]!;
    const channel = b.container.channel_id;
    const threadTs = channel.startsWith('D') ? undefined : (b.container.thread_ts ?? b.message?.thread_ts);
    // One answer per question message: a double click is the same event.
    const result = await rt.receive({ team: b.team.id, channel, threadTs, user: b.user.id, eventId: `choice:${channel}:${b.container.message_ts}`, choice: action.value });
    if (!result.duplicate) {
      await rt.web.chat
        .update({ channel, ts: b.container.message_ts, text: b.message?.text ?? '', blocks: answeredBlocks(b.message?.text ?? '', action.text?.text ?? action.value) as never })
        .catch((err: unknown) => rt.logger.debug({ err }, 'could not mark the question answered'));
    }
  });

  app.event('app_home_opened', async ({ event }) => {
    if (event.tab !== 'home') return;
    const incidents = await rt.host.incidents.listForReporter('slack', event.user, { openOnly: true, limit: 20 });
    await rt.web.views.publish({ user_id: event.user, view: homeView(incidents) as never });
  });
}

/** Reporter messages: DMs, and replies in a thread that started with an @mention of the app. */
export async function intakeMessage(rt: SlackRuntime, team: string, e: MessageEvent): Promise<void> {
  if (e.subtype === 'message_changed' || e.subtype === 'message_deleted') return intakeEditOrDelete(rt, team, e);
  if (!e.user || !e.ts) return;
  const isDm = e.channel_type === 'im' || e.channel.startsWith('D');
  const threadTs = isDm ? undefined : (e.thread_ts ?? e.ts);
  await rt.receive({ team, channel: e.channel, threadTs, user: e.user, eventId: `msg:${e.channel}:${e.ts}`, text: stripMention(e.text ?? '', rt.identity.botUserId), occurredAt: tsToDate(e.ts), ...(e.files?.length ? { files: e.files } : {}) });
}

/**
 * Edits and deletions by a reporter. Slack cannot un-send what the service desk already has, so an edit is
 * re-sent as a correction and a deletion is noted (the text stays on the incident's timeline).
 */
async function intakeEditOrDelete(rt: SlackRuntime, team: string, e: MessageEvent): Promise<void> {
  const isDm = e.channel_type === 'im' || e.channel.startsWith('D');
  if (e.subtype === 'message_changed' && e.message?.user && !e.message.bot_id) {
    if (e.message.text === e.previous_message?.text) return; // unfurls and reactions also "change" a message
    const threadTs = isDm ? undefined : (e.message.thread_ts ?? e.message.ts);
    const text = `Correction: ${stripMention(e.message.text ?? '', rt.identity.botUserId)}`;
    await rt.receive({ team, channel: e.channel, threadTs, user: e.message.user, eventId: `edit:${e.channel}:${e.message.ts}:${e.message.edited?.ts ?? e.ts}`, text });
  }
  if (e.subtype === 'message_deleted' && e.previous_message?.user && !e.previous_message.bot_id) {
    const threadTs = isDm ? undefined : (e.previous_message.thread_ts ?? e.previous_message.ts);
    const text = `(I deleted my message: "${stripMention(e.previous_message.text ?? '', rt.identity.botUserId)}")`;
    await rt.receive({ team, channel: e.channel, threadTs, user: e.previous_message.user, eventId: `delete:${e.channel}:${e.previous_message.ts}`, text });
  }
}

async function openDm(rt: SlackRuntime, user: string): Promise<string> {
  const res = await rt.web.conversations.open({ users: user });
  const id = res.channel?.id;
  if (!id) throw new Error('conversations.open returned no channel');
  return id;
}

export const teamOf = (body: unknown): string => {
  const b = body as { team_id?: string; team?: { id?: string } };
  return b.team_id || b.team?.id || 'T0';
};
