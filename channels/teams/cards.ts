import type { AttachmentRef, Choice, ConfirmForm, OutboundMessage } from '../types.js';

/**
 * Outbound messages as Bot Framework activities: markdown text, choices as Adaptive Card `Action.Submit`
 * buttons whose `data` carries the choice id, the editable summary as a form behind "Review & edit", agents'
 * files as link buttons. A click comes back as a message activity whose `value` is that `data` (plus the
 * inputs' values for the form), see {@link readSubmit}.
 */
export const ADAPTIVE_CARD = 'application/vnd.microsoft.card.adaptive';
const SCHEMA = 'http://adaptivecards.io/schemas/adaptive-card.json';
/** Field inputs are prefixed so they can never collide with our own keys in the submitted `value`. */
const FIELD_PREFIX = 'field_';

export interface TeamsActivityOut {
  type: 'message';
  text?: string;
  textFormat?: 'markdown' | 'plain';
  attachments?: { contentType: string; content: unknown }[];
}

type Element = Record<string, unknown>;

/**
 * Agents' replies carry their name in bold (Teams shows every bot post under the bot's name). The core's relay
 * text often starts with the name already ("Maria on INC-1: …"): then that name is bolded, not repeated.
 */
export function attributedText(message: OutboundMessage): string {
  if (message.author.kind !== 'agent') return message.text;
  const name = message.author.name;
  return message.text.startsWith(name) ? `**${name}**${message.text.slice(name.length)}` : `**${name}:** ${message.text}`;
}

export function renderActivity(message: OutboundMessage, options: { publicUrl?: string; fileUrls?: ReadonlyMap<string, string> } = {}): TeamsActivityOut {
  const files = message.attachments?.length ? fileLinks(message.attachments, options) : [];
  // A file without a link (no PUBLIC_URL) is at least named, never silently dropped.
  const unlinked = (message.attachments ?? []).filter((f) => !files.some((b) => b.title === fileTitle(f)));
  const text = attributedText(message) + (unlinked.length ? `\n\n${unlinked.map((f) => `📎 ${f.filename} (kept by the service desk)`).join('\n')}` : '');
  if (!message.choices?.length && !files.length) return { type: 'message', text, textFormat: 'markdown' };
  const body: Element[] = [];
  if (message.incidentNumber) body.push({ type: 'TextBlock', text: message.incidentNumber, weight: 'Bolder', size: 'Small', isSubtle: true });
  body.push({ type: 'TextBlock', text, wrap: true });
  // The question rides along in each button's data, so the answered card can repeat it.
  const question = text.slice(0, 1_000);
  const actions: Element[] = [...(message.choices ?? []).map((c) => choiceAction(c, question)), ...files];
  if (message.form) actions.push(formAction(message.form, question));
  return { type: 'message', text, textFormat: 'markdown', attachments: [{ contentType: ADAPTIVE_CARD, content: card(body, actions) }] };
}

/** The card of an answered question: the buttons are gone and the answer shows, so nobody answers twice. */
export function answeredActivity(question: string | undefined, answer: string): TeamsActivityOut {
  const body: Element[] = [...(question ? [{ type: 'TextBlock', text: question, wrap: true }] : []), { type: 'TextBlock', text: `You answered: ${answer}`, isSubtle: true, wrap: true }];
  return { type: 'message', text: question ?? `You answered: ${answer}`, attachments: [{ contentType: ADAPTIVE_CARD, content: card(body, []) }] };
}

function card(body: Element[], actions: Element[]): Element {
  return { $schema: SCHEMA, type: 'AdaptiveCard', version: '1.5', body, ...(actions.length ? { actions } : {}) };
}

function choiceAction(c: Choice, question: string): Element {
  // msteams.type messageBack would echo the label into the chat as if typed; a plain submit keeps it a click.
  return { type: 'Action.Submit', title: c.label.slice(0, 80), data: { frontline: 'choice', choice: c.id, label: c.label, question } };
}

function formAction(form: ConfirmForm, question: string): Element {
  const inputs: Element[] = form.fields.map((f) => {
    const id = `${FIELD_PREFIX}${f.name}`;
    if (f.options) return { type: 'Input.ChoiceSet', id, label: f.label, value: f.value, style: 'compact', isRequired: true, choices: f.options.map((o) => ({ title: o.label, value: o.id })) };
    // Teams checks these in the client before submitting (the dialog validates again on arrival).
    const min = f.minLength ? { isRequired: true, regex: `^[\\s\\S]{${f.minLength},}$`, errorMessage: `At least ${f.minLength} characters, please.` } : {};
    return { type: 'Input.Text', id, label: f.label, value: f.value, isMultiline: Boolean(f.multiline), ...(f.maxLength ? { maxLength: f.maxLength } : {}), ...min };
  });
  return {
    type: 'Action.ShowCard',
    title: 'Review & edit',
    card: card(inputs, [{ type: 'Action.Submit', title: 'File it', data: { frontline: 'form', choice: form.confirmChoice, label: 'File it', question } }]),
  };
}

const fileTitle = (f: AttachmentRef) => `📎 ${f.filename}`.slice(0, 80);

/** Link buttons: our signed download link for a stored file, else the file's own absolute URL. */
function fileLinks(files: AttachmentRef[], options: { publicUrl?: string; fileUrls?: ReadonlyMap<string, string> }): Element[] {
  const { publicUrl, fileUrls } = options;
  return files.flatMap((f) => {
    const signed = f.id ? fileUrls?.get(f.id) : undefined;
    const url = signed ?? (f.url && /^https?:/i.test(f.url) ? f.url : f.url && publicUrl ? `${publicUrl.replace(/\/+$/, '')}${f.url.startsWith('/') ? '' : '/'}${f.url}` : undefined);
    return url ? [{ type: 'Action.OpenUrl', title: fileTitle(f), url }] : [];
  });
}

/** A card click as the intake understands it: the choice, its label, and the edited form fields. */
export function readSubmit(value: unknown): { choice: string; label: string; question?: string; fields?: Record<string, string> } | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const v = value as Record<string, unknown>;
  if ((v.frontline !== 'choice' && v.frontline !== 'form') || typeof v.choice !== 'string') return undefined;
  const label = typeof v.label === 'string' ? v.label : v.choice;
  const question = typeof v.question === 'string' ? { question: v.question } : {};
  if (v.frontline === 'choice') return { choice: v.choice, label, ...question };
  const fields: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) if (k.startsWith(FIELD_PREFIX) && typeof val === 'string') fields[k.slice(FIELD_PREFIX.length)] = val;
  return { choice: v.choice, label, ...question, fields };
}
