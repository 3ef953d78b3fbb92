import type { OutboundMessage } from '../../channels/types.js';
import type { Effect } from './engine.js';
import type { DialogState } from './state.js';

/**
 * The outbound message of a dialog reply. Once the dialog has filed an incident its replies name it, so a
 * channel can thread by it (the email subject token) without looking it up.
 */
export function botReply(effect: Extract<Effect, { type: 'reply' }>, state: DialogState): OutboundMessage {
  const filed = (state.data.file_incident as { number?: unknown } | undefined)?.number;
  return {
    text: effect.text,
    choices: effect.choices,
    ...(effect.form ? { form: effect.form } : {}),
    author: { kind: 'bot' },
    ...(typeof filed === 'string' ? { incidentNumber: filed } : {}),
  };
}
