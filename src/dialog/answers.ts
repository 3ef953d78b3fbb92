import type { Choice } from '../../channels/types.js';
import type { Answer } from './definition.js';
import { anyMatch } from './prefill.js';

/** Parsing a reporter's answer against what the current step asks for. Pure; used by the engine. */

// \b is ASCII-only in JS regexes, so "sí"/"não" end at an explicit lookahead instead.
const END = '(?=$|[\\s.,!?;:)])';
const YES = new RegExp(`^(y|yes|yeah|yep|ok|okay|sure|ja|japp|jo|visst|sí|si|claro|vale|sim|isso|certo|👍)${END}`, 'iu');
const NO = new RegExp(`^(n|no|nope|nah|nej|nä|inte|não|nao|nunca|👎)${END}`, 'iu');

export interface DynamicChoice {
  id: string;
  title: string;
}

/** Returns the parsed answer, or undefined when it does not fit the expected type. */
export function parseAnswer(
  ask: Answer,
  text: string,
  event: { choice?: string; attachments?: unknown[] },
  dynamic: DynamicChoice[] = [],
): unknown {
  switch (ask.type) {
    case 'text':
      if (ask.reject && anyMatch(ask.reject, text)) return undefined;
      return text.length >= ask.minLength && /[\p{L}\p{N}]/u.test(text) ? text : undefined;
    case 'yes_no': {
      const v = (event.choice ?? text).toLowerCase();
      // Channels without buttons (email, terminal) show "1. Yes / 2. No" and get the number back.
      if (v === 'yes' || v === '1' || YES.test(v)) return true;
      if (v === 'no' || v === '2' || NO.test(v)) return false;
      return undefined;
    }
    case 'choice': {
      const all = [...dynamic.map((d) => ({ id: d.id, value: undefined as unknown })), ...ask.choices];
      const pick = (c: { id: string; value?: unknown } | undefined) => (c ? (c.value ?? c.id) : undefined);
      const byId = all.find((c) => c.id === event.choice);
      if (byId) return pick(byId);
      const n = Number.parseInt(text, 10);
      if (String(n) === text && n >= 1 && n <= all.length) return pick(all[n - 1]);
      return pick(all.find((c) => c.id.toLowerCase() === text.toLowerCase()));
    }
    case 'number': {
      const n = Number(text.replace(',', '.'));
      if (!Number.isFinite(n) || (ask.min !== undefined && n < ask.min) || (ask.max !== undefined && n > ask.max)) return undefined;
      return n;
    }
    case 'attachment':
      if (event.attachments?.length) return event.attachments as unknown;
      return ask.optional && text ? [] : undefined;
  }
}

/** Reads `[{id, title}]` at a data path, ignoring anything malformed (the data came from an action). */
export function dynamicChoices(value: unknown): DynamicChoice[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((v) =>
    v && typeof v === 'object' && typeof (v as DynamicChoice).id === 'string' && typeof (v as DynamicChoice).title === 'string'
      ? [{ id: (v as DynamicChoice).id, title: (v as DynamicChoice).title }]
      : [],
  );
}

export function yesNoChoices(label: (key: string) => string): Choice[] {
  return [
    { id: 'yes', label: label('common.yes') },
    { id: 'no', label: label('common.no') },
  ];
}
