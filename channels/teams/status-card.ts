import type { IncidentView, OutboundMessage } from '../types.js';
import { ADAPTIVE_CARD } from './cards.js';
import type { TeamsReference } from './reference.js';
import type { TeamsRuntime } from './runtime.js';

/**
 * The reporter's per-incident status card. The first status notice of an incident posts an Adaptive Card into
 * the reporter's chat; every later one edits that card in place (updateActivity), so a busy incident does not
 * flood the chat with "the status is now …" lines. Agents' replies and the resolution (with its CSAT buttons)
 * still arrive as messages of their own. The card's activity id is kept in the channel's durable state, so any
 * instance edits the same card.
 */
export const isStatusNotice = (ref: TeamsReference, message: OutboundMessage): boolean =>
  !ref.card && message.notice === 'status' && Boolean(message.incidentNumber) && !message.choices?.length && !message.attachments?.length;

export async function sendStatusCard(rt: TeamsRuntime, ref: TeamsReference, message: OutboundMessage, now = new Date()): Promise<string | undefined> {
  const key = `status-card:${ref.conversationId}:${message.incidentNumber}`;
  const incident = await rt.host.incidents.get(message.incidentNumber!);
  const activity = statusCardActivity(message, incident, now);
  const existing = await rt.host.state.get<string>(key);
  if (existing) {
    try {
      await rt.connector.update(ref, existing, activity);
      return existing;
    } catch (err) {
      // The card may be gone (deleted by the reporter, or older than Teams keeps): post a new one below.
      rt.logger.info({ err, conversationId: ref.conversationId }, 'teams: status card could not be edited; posting a new one');
    }
  }
  const id = await rt.connector.send(ref, activity);
  if (id) await rt.host.state.set(key, id);
  return id;
}

/** The card: incident number and title, the latest notice (already in the reporter's language), and when. */
export function statusCardActivity(message: OutboundMessage, incident: IncidentView | undefined, now: Date): Record<string, unknown> {
  const when = now.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const body: Record<string, unknown>[] = [
    { type: 'TextBlock', text: message.incidentNumber, weight: 'Bolder', size: 'Small', isSubtle: true },
    ...(incident && !incident.confidential ? [{ type: 'TextBlock', text: incident.title, weight: 'Bolder', wrap: true }] : []),
    { type: 'TextBlock', text: message.text, wrap: true },
    // Adaptive Cards format these in the reader's own locale and time zone.
    { type: 'TextBlock', text: `{{DATE(${when}, SHORT)}} {{TIME(${when})}}`, isSubtle: true, size: 'Small' },
  ];
  return {
    type: 'message',
    text: message.text,
    textFormat: 'markdown',
    attachments: [{ contentType: ADAPTIVE_CARD, content: { $schema: 'http://adaptivecards.io/schemas/adaptive-card.json', type: 'AdaptiveCard', version: '1.5', body } }],
  };
}
