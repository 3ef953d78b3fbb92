import type { Choice, IncidentView } from '../types.js';

/** Block Kit JSON; kept as plain objects so rendering stays pure and testable without the SDK. */
export type Block = Record<string, unknown>;

/** Slack wants &, < and > escaped in mrkdwn; everything else (bold, links) is left to the author. */
export const escapeMrkdwn = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Our core writes light markdown (`**bold**`); Slack's mrkdwn uses single asterisks. */
export const toMrkdwn = (text: string) => escapeMrkdwn(text).replace(/\*\*(.+?)\*\*/g, '*$1*');

export const CHOICE_ACTION = 'frontline_choice';
export const CARD_ACTIONS = ['card_take', 'card_assign', 'card_escalate', 'card_priority', 'card_pending', 'card_resolve'] as const;
export const RESOLVE_VIEW = 'frontline_resolve';
export const ASSIGN_VIEW = 'frontline_assign';
export const CARD_METADATA = 'frontline_card';

/** A message with quick replies: the text, then one button per choice (`value` carries the choice id). */
export function choiceBlocks(text: string, choices: readonly Choice[], extra: readonly Block[] = []): Block[] {
  return [
    { type: 'section', text: { type: 'mrkdwn', text: toMrkdwn(text).slice(0, 3000) } },
    {
      type: 'actions',
      block_id: 'frontline_choices',
      elements: choices.slice(0, 25).map((c, i) => ({
        type: 'button',
        action_id: `${CHOICE_ACTION}_${i}`,
        text: { type: 'plain_text', text: c.label.slice(0, 75) },
        value: c.id,
      })),
      ...extra,
    },
  ];
}

/** The question after it was answered: buttons replaced by the answer, so nobody clicks twice. */
export function answeredBlocks(text: string, answer: string): Block[] {
  return [
    { type: 'section', text: { type: 'mrkdwn', text: toMrkdwn(text).slice(0, 3000) } },
    { type: 'context', elements: [{ type: 'mrkdwn', text: `You answered: *${escapeMrkdwn(answer)}*` }] },
  ];
}

export const PRIORITY_COLOURS: Record<string, string> = { P1: '#d32f2f', P2: '#f57c00', P3: '#fbc02d', P4: '#1976d2', P5: '#9e9e9e' };
const CLOSED = new Set(['resolved', 'closed', 'cancelled']);
const CHANNEL_NAMES: Record<string, string> = { webchat: 'web chat', slack: 'Slack', email: 'email', teams: 'Teams', whatsapp: 'WhatsApp', terminal: 'terminal' };
export const channelLabel = (channel: string | null) => (channel ? (CHANNEL_NAMES[channel] ?? channel) : 'API');

/** Slack renders `<!date^…>` in each reader's time zone. */
export const slackDate = (d: Date | null) => (d ? `<!date^${Math.floor(d.getTime() / 1000)}^{date_short_pretty} {time}|${d.toISOString()}>` : '—');

/** The card's plain-text fallback (notifications, screen readers, and our transcript). */
export function cardFallback(incident: IncidentView): string {
  if (incident.confidential) return `${incident.number} · ${incident.priority} · confidential incident`;
  return `${incident.number} · ${incident.priority} · ${incident.type === 'request' ? 'request · ' : ''}${incident.title}`;
}

/** A triage card: a coloured attachment holding the incident's fields and the agents' buttons. */
export function cardMessage(incident: IncidentView, options: { incidentUrl?: string } = {}): { text: string; attachments: Block[] } {
  const link = options.incidentUrl?.replace('{number}', incident.number).replace('{id}', incident.id);
  const heading = link ? `<${link}|*${incident.number}*>` : `*${incident.number}*`;
  const blocks: Block[] = incident.confidential
    ? [
        { type: 'section', text: { type: 'mrkdwn', text: `${heading} · :lock: *Confidential incident*` } },
        { type: 'context', elements: [{ type: 'mrkdwn', text: `Priority *${incident.priority}* · status *${incident.status}* · details only in Frontline` }] },
      ]
    : [
        // A service request is planned work, not a disruption: agents see which it is before reading on.
        { type: 'section', text: { type: 'mrkdwn', text: `${heading} ${incident.type === 'request' ? '· :inbox_tray: *Service request* · ' : ''}${escapeMrkdwn(incident.title)}` } },
        {
          type: 'section',
          fields: [
            field('Priority', incident.priority),
            field('Status', incident.status.replace('_', ' ')),
            field('Category', incident.category ?? '—'),
            field('Assignee', incident.assignee ?? 'unassigned'),
            field('Reporter', `${incident.reporter.name ?? incident.reporter.email ?? 'unknown'} (${channelLabel(incident.originChannel)})`),
            field('Tier / group', `${incident.tier} / ${incident.assignmentGroup ?? 'default'}`),
          ].map((f) => ({ type: 'mrkdwn', text: f })),
        },
        { type: 'context', elements: [{ type: 'mrkdwn', text: `Response due ${slackDate(incident.responseDueAt)} · resolution due ${slackDate(incident.resolutionDueAt)}` }] },
        ...(incident.resolution ? [{ type: 'section', text: { type: 'mrkdwn', text: `*Resolution:* ${escapeMrkdwn(incident.resolution)}` } }] : []),
      ];
  if (!CLOSED.has(incident.status)) blocks.push(cardButtons(incident.number));
  return { text: cardFallback(incident), attachments: [{ color: PRIORITY_COLOURS[incident.priority] ?? '#9e9e9e', blocks, fallback: cardFallback(incident) }] };
}

const field = (label: string, value: string) => `*${label}*\n${escapeMrkdwn(value)}`;

function cardButtons(number: string): Block {
  const button = (action_id: string, text: string, style?: 'primary' | 'danger') => ({ type: 'button', action_id, value: number, text: { type: 'plain_text', text }, ...(style ? { style } : {}) });
  return {
    type: 'actions',
    block_id: `card:${number}`,
    elements: [
      button('card_take', 'Take', 'primary'),
      button('card_assign', 'Assign…'),
      button('card_escalate', 'Escalate'),
      {
        type: 'static_select',
        action_id: 'card_priority',
        placeholder: { type: 'plain_text', text: 'Change priority' },
        options: ['P1', 'P2', 'P3', 'P4', 'P5'].map((p) => ({ text: { type: 'plain_text', text: p }, value: `${number}|${p}` })),
      },
      button('card_pending', 'Pending'),
      button('card_resolve', 'Resolve', 'danger'),
    ],
  };
}

/** Modal asking for the resolution note; `private_metadata` carries the incident number. */
export function resolveModal(number: string): Block {
  return {
    type: 'modal',
    callback_id: RESOLVE_VIEW,
    private_metadata: JSON.stringify({ number }),
    title: { type: 'plain_text', text: `Resolve ${number}`.slice(0, 24) },
    submit: { type: 'plain_text', text: 'Resolve' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [{ type: 'input', block_id: 'resolution', label: { type: 'plain_text', text: 'Resolution note (sent to the reporter)' }, element: { type: 'plain_text_input', action_id: 'note', multiline: true, min_length: 3 } }],
  };
}

export function assignModal(number: string): Block {
  return {
    type: 'modal',
    callback_id: ASSIGN_VIEW,
    private_metadata: JSON.stringify({ number }),
    title: { type: 'plain_text', text: `Assign ${number}`.slice(0, 24) },
    submit: { type: 'plain_text', text: 'Assign' },
    blocks: [{ type: 'input', block_id: 'assignee', label: { type: 'plain_text', text: 'Agent' }, element: { type: 'users_select', action_id: 'user' } }],
  };
}

/** App Home: the reporter's open incidents with status and SLA. */
export function homeView(incidents: readonly IncidentView[]): Block {
  const rows: Block[] = incidents.length
    ? incidents.map((i) => ({
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: `*${i.number}* ${escapeMrkdwn(i.confidential ? 'Confidential incident' : i.title)}\nStatus *${i.status.replace('_', ' ')}* · priority ${i.priority} · resolution due ${slackDate(i.resolutionDueAt)}`,
        },
      }))
    : [{ type: 'section', text: { type: 'mrkdwn', text: 'You have no open incidents. Send me a message or use `/incident` to report a problem.' } }];
  return { type: 'home', blocks: [{ type: 'header', text: { type: 'plain_text', text: 'My open incidents' } }, ...rows] };
}
