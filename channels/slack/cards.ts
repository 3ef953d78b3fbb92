import type { IncidentChangeEvent, IncidentView, OutboundMessage, OutboxWriter } from '../types.js';
import { cardFallback, channelLabel, slackDate } from './blocks.js';
import type { SlackRuntime } from './runtime.js';
import { encodeSlackThreadKey, type SlackReference, toConversationReference } from './thread-key.js';

export const CARD_LINK = 'slack.card';
export const CARD_CHANNEL_LINK = 'slack.card.channel';

/**
 * Keeps one triage card per incident, inside the transaction of each change:
 * - `created`: the card is queued into its own service-desk conversation (`slack:<team>:<channel>:card:<id>`).
 * - `updated`: an in-place edit of the card, plus a one-line "who changed what" in its thread.
 * - `reporter_message`, and replies/notes made outside this Slack thread: a line in the card's thread.
 *
 * The card and its thread lines share that conversation, so the outbox's per-conversation order guarantees
 * the card is posted before anything goes into its thread; `send` learns the card's ts from that first post.
 * The card body is rendered at send time from the incident's current state (so a delayed post or edit never
 * shows stale data); the queued text is only its readable fallback.
 */
export function cardListener(rt: SlackRuntime) {
  return async (change: IncidentChangeEvent, outbox: OutboxWriter): Promise<void> => {
    const incident = change.incident;
    if (change.kind === 'created') {
      const channel = triageChannelFor(rt, incident);
      if (!channel) return;
      const target = cardTarget(rt, channel, incident);
      const id = await outbox.post(target, cardOutbound(incident), { idempotencyKey: `slack-card:${incident.id}` });
      await outbox.setLink(incident.id, CARD_LINK, id);
      await outbox.setLink(incident.id, CARD_CHANNEL_LINK, channel);
      // Files sent while reporting go into the card's thread (after the card: same conversation, in order).
      if (change.attachments?.length && !incident.confidential) {
        await outbox.post(target, { text: `Files from the report: ${change.attachments.map((f) => f.filename).join(', ')}`, author: { kind: 'bot' }, incidentNumber: incident.number, attachments: change.attachments });
      }
      // [llm] The report in the desk's language, below the card; dropped at send time when no translation is made.
      if (!incident.confidential && incident.description) {
        await outbox.post(target, { text: '', author: { kind: 'bot' }, incidentNumber: incident.number, translate: { incidentId: incident.id, to: 'agent', source: incident.description, onlyTranslation: true } });
      }
      return;
    }
    const cardId = await outbox.getLink(incident.id, CARD_LINK);
    const channel = await outbox.getLink(incident.id, CARD_CHANNEL_LINK);
    if (!cardId || !channel) return; // no card (no triage channel configured when it was filed)
    const target = cardTarget(rt, channel, incident);
    const fromThisThread = rt.origin.getStore();
    const line = (text: string, author: OutboundMessage['author'] = { kind: 'bot' }, attachments?: OutboundMessage['attachments'], translate?: OutboundMessage['translate']) =>
      outbox.post(target, { text, author, incidentNumber: incident.number, ...(attachments?.length ? { attachments } : {}), ...(translate ? { translate } : {}) });
    switch (change.kind) {
      case 'updated':
        await outbox.edit(cardId, cardOutbound(incident));
        if (incident.confidential && channel !== rt.settings.restrictedChannel) {
          await moveToRestricted(rt, change, outbox, line);
          return;
        }
        await line(changeSummary(change));
        return;
      case 'reporter_message': {
        if (incident.confidential) {
          await line(`${incident.reporter.name ?? 'The reporter'} added information (confidential: read it in Frontline).`);
          return;
        }
        // The reporter's files go into the thread with their words (uploaded by `send`, within the size limit).
        const files = change.attachments ?? [];
        const said = change.text || (files.length ? `sent ${files.map((f) => `"${f.filename}"`).join(', ')}` : '');
        // [llm] with the LLM layer on, a translation into the desk's language is added at send time.
        await line(`*${incident.reporter.name ?? 'Reporter'}* (${channelLabel(incident.originChannel)}): ${said}`, { kind: 'bot' }, files, change.text ? { incidentId: incident.id, to: 'agent', source: change.text } : undefined);
        return;
      }
      case 'reply':
      case 'note':
        // The agent wrote it in this very thread: do not echo it back.
        if (fromThisThread) return;
        if (incident.confidential) return;
        await line(`${change.kind === 'note' ? 'Internal note' : 'Reply to the reporter'} by *${change.actor}*: ${change.text ?? ''}`);
        return;
      default:
    }
  };
}

/**
 * An incident made confidential leaves the broad channel at once: its card there is re-rendered as the
 * details-free stub (rendered at send time from the now confidential incident), a line says where it went, and
 * a new card is posted to the restricted channel, which further changes update. Without a restricted channel the
 * stub stays and nothing more is posted in the broad channel.
 */
async function moveToRestricted(rt: SlackRuntime, change: IncidentChangeEvent, outbox: OutboxWriter, line: (text: string) => Promise<string>): Promise<void> {
  const incident = change.incident;
  const restricted = rt.settings.restrictedChannel;
  await line(`_${incident.number} is now confidential${restricted ? ': it continues in the restricted channel' : ''}._`);
  if (!restricted) {
    await outbox.setLink(incident.id, CARD_LINK, '');
    return;
  }
  const target = cardTarget(rt, restricted, incident);
  const id = await outbox.post(target, cardOutbound(incident), { idempotencyKey: `slack-card:${incident.id}:${restricted}` });
  await outbox.setLink(incident.id, CARD_LINK, id);
  await outbox.setLink(incident.id, CARD_CHANNEL_LINK, restricted);
  await outbox.post(target, { text: changeSummary(change), author: { kind: 'bot' }, incidentNumber: incident.number });
}

function triageChannelFor(rt: SlackRuntime, incident: IncidentView): string | undefined {
  if (incident.confidential) return rt.settings.restrictedChannel; // never a general triage channel
  const channels = rt.settings.triageChannels;
  return (incident.assignmentGroup && channels.get(incident.assignmentGroup.toLowerCase())) || channels.get('default');
}

function cardTarget(rt: SlackRuntime, channel: string, incident: IncidentView) {
  const reference: SlackReference = { team: rt.identity.teamId, channel, card: true, incidentId: incident.id };
  return { channel: 'slack', threadKey: encodeSlackThreadKey(reference), reference: toConversationReference(reference) };
}

/** The card as queued: `system` author marks it as the card (everything else in the conversation is a thread line). */
export function cardOutbound(incident: IncidentView): OutboundMessage {
  return { text: cardFallback(incident), author: { kind: 'system' }, incidentNumber: incident.number };
}

export const isCardMessage = (reference: SlackReference, message: OutboundMessage) => Boolean(reference.card) && message.author.kind === 'system';

/** SLA milestones (pseudo-fields `sla` and `slaResponse`) as a line agents notice in the thread. */
function slaLine(change: IncidentChangeEvent): string | undefined {
  const resolution = change.changes?.sla?.to;
  const response = change.changes?.slaResponse?.to;
  const i = change.incident;
  if (resolution === 'breached') return `:rotating_light: *Resolution SLA breached* (${i.priority}): escalating to the next tier.`;
  if (resolution === 'warning') return `:warning: *Resolution SLA at 75 %*: due ${slackDate(i.resolutionDueAt)}.`;
  if (response === 'breached') return `:rotating_light: *First-response SLA breached* (${i.priority}): the reporter has not heard from an agent yet.`;
  if (response === 'warning') return `:warning: *First response due soon* (${i.priority}): reply in this thread or take the incident.`;
  return undefined;
}

function changeSummary(change: IncidentChangeEvent): string {
  const sla = slaLine(change);
  if (sla) return sla;
  const who = change.actor.startsWith('slack:') ? change.actor.slice('slack:'.length) : change.actor;
  const parts = Object.entries(change.changes ?? {})
    // The wording of the report is never copied into a thread: the card shows the current title.
    .filter(([field]) => !field.endsWith('At') && field !== 'resolution' && field !== 'description' && !(field === 'title' && change.incident.confidential))
    .map(([field, { from, to }]) => `${field} ${from ?? '—'} → ${to ?? '—'}`);
  if (change.changes?.description) parts.push('description edited');
  if (change.changes?.resolution && !change.incident.confidential) parts.push(`resolution: ${String(change.changes.resolution.to)}`);
  return `_${who}: ${parts.join(', ') || 'updated'}_`;
}
