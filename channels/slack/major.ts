/**
 * [major] Major incident candidates in the triage channel: a message with a Declare button, queued through the
 * outbox in the transaction that raised the candidate; the button declares it (agents only) and the channel
 * hears who did.
 */
import type { App } from '@slack/bolt';
import { z } from 'zod';
import type { MajorIncidentChangeEvent, OutboxWriter } from '../host.js';
import { toMrkdwn } from './blocks.js';
import type { SlackRuntime } from './runtime.js';
import { toConversationReference } from './thread-key.js';

export const DECLARE_ACTION = 'mi_declare';

const clickSchema = z.object({
  user: z.object({ id: z.string() }),
  actions: z.array(z.object({ action_id: z.string(), value: z.string() })).min(1),
});

/** Candidates go to the default triage channel; a restricted one only to the restricted channel. */
function channelFor(rt: SlackRuntime, change: MajorIncidentChangeEvent): string | undefined {
  return change.restricted ? rt.settings.restrictedChannel : rt.settings.triageChannels.get('default') ?? rt.settings.triageChannels.values().next().value;
}

export function majorCardListener(rt: SlackRuntime) {
  return async (change: MajorIncidentChangeEvent, outbox: OutboxWriter): Promise<void> => {
    if (change.kind !== 'candidate' && change.kind !== 'declared') return;
    const channel = channelFor(rt, change);
    if (!channel) return;
    // One service-desk conversation per major incident in that channel: the candidate, then its declaration.
    const target = { channel: 'slack', threadKey: `slack:${rt.identity.teamId}:${channel}:major:${change.id}`, reference: toConversationReference({ team: rt.identity.teamId, channel }) };
    if (change.kind === 'candidate') {
      const text = `:rotating_light: Major incident candidate ${change.number}: ${change.title}\n${change.incidentCount} report(s) on ${change.service}${change.reason ? ` (${change.reason})` : ''}.`;
      await outbox.post(target, { text, author: { kind: 'bot' }, declareMajorIncident: change.number }, { idempotencyKey: `slack-major:${change.id}` });
      return;
    }
    const who = change.actor.startsWith('slack:') ? change.actor.slice('slack:'.length) : change.actor;
    await outbox.post(target, { text: `${change.number} declared a major incident by ${who}: ${change.incidentCount} report(s) linked.`, author: { kind: 'bot' } }, { idempotencyKey: `slack-major-declared:${change.id}` });
  };
}

/** Blocks of a candidate message: its text and the Declare button (value = the MI number). */
export function declareBlocks(text: string, number: string): unknown[] {
  return [
    { type: 'section', text: { type: 'mrkdwn', text: toMrkdwn(text).slice(0, 3000) } },
    { type: 'actions', block_id: `major:${number}`, elements: [{ type: 'button', action_id: DECLARE_ACTION, style: 'danger', value: number, text: { type: 'plain_text', text: `Declare ${number}` } }] },
  ];
}

export function registerMajorActions(app: App, rt: SlackRuntime): void {
  app.action(DECLARE_ACTION, async ({ body, ack }) => {
    await ack();
    const b = clickSchema.parse(body);
    if (!(await rt.directory.isAgent(b.user.id))) return; // only agents declare; others' clicks change nothing
    const name = await rt.directory.agentName(b.user.id);
    await rt.host.majorIncidents?.declare(b.actions[0]!.value, `slack:${name}`).catch((err: unknown) => rt.logger.warn({ err }, 'declaring the major incident failed'));
  });
}
