import { AsyncLocalStorage } from 'node:async_hooks';
import type { IncidentChangeEvent, IncidentView, OutboundMessage, OutboxWriter } from '../types.js';
import { ADAPTIVE_CARD } from './cards.js';
import { encodeTeamsThreadKey, type TeamsReference, toConversationReference } from './reference.js';
import type { TeamsRuntime } from './runtime.js';

/**
 * Teams as the agents' workspace (stretch of issue 11, a first cut): one triage card per incident in the
 * channel of its assignment group (TEAMS_TRIAGE_CHANNELS), edited in place on every change; buttons Take,
 * Pending, Escalate, Priority, Assign, Resolve; replies in the card's reply chain (with an @mention, as Teams
 * delivers channel messages to bots) reach the reporter, `note:` ones stay internal.
 * Who may act, and the agents' actions themselves, are in agent-actions.ts and directory.ts.
 */
export const CARD_LINK = 'teams.card';
export const CARD_CHANNEL_LINK = 'teams.card.channel';
const cardKey = (incidentId: string) => `card:${incidentId}`;
export const incidentOfCard = (cardActivityId: string) => `card-of:${cardActivityId}`;
/** Marks changes made from a card's reply chain, so they are not echoed back into it. */
export const origin = new AsyncLocalStorage<{ incidentId: string }>();

export function triageChannelFor(rt: TeamsRuntime, incident: IncidentView): string | undefined {
  if (incident.confidential) return rt.settings.restrictedChannel; // never a general triage channel
  const channels = rt.settings.triageChannels;
  return (incident.assignmentGroup && channels.get(incident.assignmentGroup.toLowerCase())) || channels.get('default');
}

export function isServiceDeskChannel(rt: TeamsRuntime, channelId: string): boolean {
  return [...rt.settings.triageChannels.values()].includes(channelId) || channelId === rt.settings.restrictedChannel;
}

function cardTarget(rt: TeamsRuntime, channel: string, incident: IncidentView) {
  const ref: TeamsReference = { serviceUrl: rt.settings.serviceUrl, conversationId: channel, kind: 'channel', card: true, incidentId: incident.id };
  return { channel: 'teams', threadKey: encodeTeamsThreadKey(ref), reference: toConversationReference(ref) };
}

/** The card as queued (a `system` author marks it); `send` renders it from the incident's state at that time. */
const cardOutbound = (incident: IncidentView): OutboundMessage => ({ text: cardTitle(incident), author: { kind: 'system' }, incidentNumber: incident.number });
/** Confidential incidents show neither title nor description anywhere in Teams. */
const cardTitle = (i: IncidentView) => `${i.number} · ${i.confidential ? 'Confidential incident' : i.title}`;
export const isCard = (ref: TeamsReference, message: OutboundMessage) => Boolean(ref.card) && message.author.kind === 'system';

/** Keeps the triage card in step with the incident, inside the transaction of each change. */
export function cardListener(rt: TeamsRuntime) {
  return async (change: IncidentChangeEvent, outbox: OutboxWriter): Promise<void> => {
    const incident = change.incident;
    if (change.kind === 'created') {
      const channel = triageChannelFor(rt, incident);
      if (!channel) return;
      const id = await outbox.post(cardTarget(rt, channel, incident), cardOutbound(incident), { idempotencyKey: `teams-card:${incident.id}` });
      await outbox.setLink(incident.id, CARD_LINK, id);
      await outbox.setLink(incident.id, CARD_CHANNEL_LINK, channel);
      return;
    }
    const cardId = await outbox.getLink(incident.id, CARD_LINK);
    const channel = await outbox.getLink(incident.id, CARD_CHANNEL_LINK);
    if (!cardId || !channel) return;
    const target = cardTarget(rt, channel, incident);
    const line = (text: string) => outbox.post(target, { text, author: { kind: 'bot' }, incidentNumber: incident.number });
    switch (change.kind) {
      case 'updated': {
        await outbox.edit(cardId, cardOutbound(incident));
        await line(changeSummary(change));
        return;
      }
      case 'reporter_message': {
        if (incident.confidential) {
          await line('The reporter added information (confidential: read it in Frontline).');
          return;
        }
        // The reporter's files go along as signed download links (see links.ts); the text is translated into the
        // desk's language at send time when the LLM layer is on (src/llm/translate.ts).
        const files = change.attachments?.filter((f) => f.id) ?? [];
        const text = `**${incident.reporter.name ?? 'Reporter'}:** ${change.text || `sent ${files.length === 1 ? 'a file' : `${files.length} files`}`}`;
        await outbox.post(target, { text, author: { kind: 'bot' }, incidentNumber: incident.number, ...(files.length ? { attachments: files } : {}), ...(change.text ? { translate: { incidentId: incident.id, to: 'agent' as const, source: change.text } } : {}) });
        return;
      }
      case 'reply':
      case 'note':
        if (origin.getStore()?.incidentId === incident.id || incident.confidential) return;
        await line(`${change.kind === 'note' ? 'Internal note' : 'Reply to the reporter'} by **${change.actor}**: ${change.text ?? ''}`);
        return;
      default:
    }
  };
}

/** Posts a card (new channel post) or a line in its reply chain; returns the activity id. */
export async function sendCardOrLine(rt: TeamsRuntime, ref: TeamsReference, message: OutboundMessage, render: () => Record<string, unknown>): Promise<string | undefined> {
  if (isCard(ref, message)) {
    const activity = await cardActivity(rt, message);
    const id = await rt.connector.send(ref, activity);
    if (id && ref.incidentId) {
      // Recorded after the post: a failure here loses the reply chain of this card, never duplicates the card.
      await rt.host.state.set(cardKey(ref.incidentId), id).catch((err: unknown) => rt.logger.warn({ err }, 'Teams: could not record the card'));
      await rt.host.state.set(incidentOfCard(id), message.incidentNumber ?? '').catch(() => {});
    }
    return id;
  }
  const cardId = ref.incidentId ? await rt.host.state.get<string>(cardKey(ref.incidentId)) : undefined;
  const conversationId = cardId ? `${ref.conversationId};messageid=${cardId}` : ref.conversationId;
  return rt.connector.send({ ...ref, conversationId }, render());
}

export async function updateCard(rt: TeamsRuntime, ref: TeamsReference, externalId: string, message: OutboundMessage): Promise<void> {
  await rt.connector.update(ref, externalId, await cardActivity(rt, message));
}

async function cardActivity(rt: TeamsRuntime, message: OutboundMessage): Promise<Record<string, unknown>> {
  const incident = message.incidentNumber ? await rt.host.incidents.get(message.incidentNumber) : undefined;
  if (!incident) return { type: 'message', text: message.text };
  return { type: 'message', text: cardTitle(incident), attachments: [{ contentType: ADAPTIVE_CARD, content: triageCard(incident) }] };
}

export function triageCard(i: IncidentView): Record<string, unknown> {
  const submit = (title: string, action: string) => ({ type: 'Action.Submit', title, data: { frontline: 'agent', action, number: i.number } });
  const facts = [
    ['Priority', i.priority], ['Status', i.status], ['Assignee', i.assignee ?? '—'], ['Group', i.assignmentGroup ?? '—'], ['Tier', i.tier],
    ['Reporter', `${i.reporter.name ?? '—'} (${i.originChannel ?? '—'})`], ['Resolve by', i.resolutionDueAt ? i.resolutionDueAt.toISOString().slice(0, 16).replace('T', ' ') + ' UTC' : '—'],
  ].map(([title, value]) => ({ title, value }));
  const body: Record<string, unknown>[] = [
    { type: 'TextBlock', text: cardTitle(i), weight: 'Bolder', size: 'Medium', wrap: true },
    ...(i.confidential ? [] : [{ type: 'TextBlock', text: i.description.slice(0, 1_500), wrap: true, isSubtle: true }]),
    { type: 'FactSet', facts },
  ];
  const showCard = (title: string, input: Record<string, unknown>, action: string) => ({ type: 'Action.ShowCard', title, card: { type: 'AdaptiveCard', body: [input], actions: [submit('Save', action)] } });
  return {
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json', type: 'AdaptiveCard', version: '1.5', body,
    actions: [
      submit('Take', 'take'), submit('Pending', 'pending'), submit('Escalate', 'escalate'),
      showCard('Priority', { type: 'Input.ChoiceSet', id: 'priority', value: i.priority, choices: ['P1', 'P2', 'P3', 'P4', 'P5'].map((p) => ({ title: p, value: p })) }, 'priority'),
      showCard('Assign', { type: 'Input.Text', id: 'assignee', label: 'Assignee', value: i.assignee ?? '' }, 'assign'),
      showCard('Resolve', { type: 'Input.Text', id: 'resolution', label: 'Resolution', isMultiline: true, isRequired: true }, 'resolve'),
    ],
  };
}

/** SLA milestones (pseudo-fields `sla` and `slaResponse`) in words agents notice in the reply chain. */
function slaLine(change: IncidentChangeEvent): string | undefined {
  const resolution = change.changes?.sla?.to;
  const response = change.changes?.slaResponse?.to;
  const i = change.incident;
  const due = i.resolutionDueAt ? `${i.resolutionDueAt.toISOString().slice(0, 16).replace('T', ' ')} UTC` : 'soon';
  if (resolution === 'breached') return `🚨 **Resolution SLA breached** (${i.priority}): escalating to the next tier.`;
  if (resolution === 'warning') return `⚠️ **Resolution SLA at 75 %**: due ${due}.`;
  if (response === 'breached') return `🚨 **First-response SLA breached** (${i.priority}): the reporter has not heard from an agent yet.`;
  if (response === 'warning') return `⚠️ **First response due soon** (${i.priority}): reply in this chain or take the incident.`;
  return undefined;
}

/** One line per change: who changed what. The report's wording is never copied into the chain (the card shows it). */
export function changeSummary(change: IncidentChangeEvent): string {
  const sla = slaLine(change);
  if (sla) return sla;
  const who = change.actor.replace(/^(teams|slack):/, '');
  const parts = Object.entries(change.changes ?? {})
    .filter(([f]) => !f.endsWith('At') && f !== 'resolution' && f !== 'description' && f !== 'sla' && f !== 'slaResponse' && !(f === 'title' && change.incident.confidential))
    .map(([f, { from, to }]) => `${f} ${String(from ?? '—')} → ${String(to ?? '—')}`);
  if (change.changes?.description) parts.push('description edited');
  if (change.changes?.resolution && !change.incident.confidential) parts.push(`resolution: ${String(change.changes.resolution.to)}`);
  return `_${who}: ${parts.join(', ') || 'updated'}_`;
}
