import type { Choice, OutboundMessage } from '../types.js';

/**
 * WhatsApp message rules that hold for any WhatsApp transport (the Cloud API in channels/whatsapp, whatsapp-web.js in
 * channels/whatsapp-web): text limits, splitting, agent attribution and how choices are offered. No transport imports.
 */

/** WhatsApp's limit for a text message body. */
export const MAX_TEXT = 4096;
/** Interactive messages: body ≤ 1024, ≤ 3 reply buttons titled ≤ 20, a list of ≤ 10 rows titled ≤ 24. */
export const MAX_INTERACTIVE_BODY = 1024;
export const MAX_BUTTONS = 3;
export const MAX_BUTTON_TITLE = 20;
export const MAX_LIST_ROWS = 10;
export const MAX_ROW_TITLE = 24;
export const MAX_ROW_DESCRIPTION = 72;

/** Splits text into parts of at most `max` characters, at a paragraph, line or word break where possible. */
export function splitText(text: string, max = MAX_TEXT): string[] {
  const parts: string[] = [];
  let rest = text.trim();
  while (rest.length > max) {
    const window = rest.slice(0, max);
    const cut = [window.lastIndexOf('\n\n'), window.lastIndexOf('\n'), window.lastIndexOf(' ')].find((i) => i > max / 2) ?? max;
    parts.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  if (rest || parts.length === 0) parts.push(rest);
  return parts;
}

/** Light markdown to WhatsApp's: `**bold**` → `*bold*`; agents are named in bold, as WhatsApp users expect. */
export function bodyText(message: OutboundMessage): string {
  const text = message.text.replace(/\*\*(.+?)\*\*/g, '*$1*');
  if (message.author.kind !== 'agent') return text;
  const name = message.author.name;
  // The core's reply notice already starts with the agent's name ("Maria on INC-…: …"): bold it, do not repeat it.
  return text.startsWith(`${name} `) ? `*${name}*${text.slice(name.length)}` : `*${name}*: ${text}`;
}

export type ChoiceRendering =
  | { kind: 'buttons'; buttons: { id: string; title: string }[] }
  | { kind: 'list'; rows: { id: string; title: string; description?: string }[] }
  | { kind: 'numbered'; text: string };

/**
 * Up to three short options are reply buttons; up to ten a list (a long label keeps its start as the title and
 * the whole as the description); more become numbered text answered by number or word.
 */
export function renderChoices(choices: readonly Choice[]): ChoiceRendering {
  if (choices.length <= MAX_BUTTONS && choices.every((c) => c.label.length <= MAX_BUTTON_TITLE)) {
    return { kind: 'buttons', buttons: choices.map((c) => ({ id: c.id, title: c.label })) };
  }
  if (choices.length <= MAX_LIST_ROWS) {
    return {
      kind: 'list',
      rows: choices.map((c) => (c.label.length <= MAX_ROW_TITLE
        ? { id: c.id, title: c.label }
        : { id: c.id, title: `${c.label.slice(0, MAX_ROW_TITLE - 1)}…`, description: truncate(c.label, MAX_ROW_DESCRIPTION) })),
    };
  }
  return { kind: 'numbered', text: choices.map((c, i) => `${i + 1}. ${c.label}`).join('\n') };
}

/** Text with the options as "1. Label" lines, for transports without buttons (and more than ten options). */
export function numberedParts(message: OutboundMessage): string[] {
  const text = bodyText(message);
  const choices = message.choices ?? [];
  if (choices.length === 0) return splitText(text);
  return splitText(`${text}\n\n${choices.map((c, i) => `${i + 1}. ${c.label}`).join('\n')}`);
}

/** A typed answer to numbered options: the number, or the label itself (case and accents aside). */
export function matchChoice(text: string, choices: readonly Choice[]): string | undefined {
  const t = fold(text);
  if (/^\d{1,2}\.?$/.test(t)) return choices[Number.parseInt(t, 10) - 1]?.id;
  return choices.find((c) => fold(c.label) === t || fold(c.id) === t)?.id;
}

const fold = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').trim().toLowerCase();

export const truncate = (s: string, max: number): string => (s.length <= max ? s : `${s.slice(0, max - 1)}…`);
