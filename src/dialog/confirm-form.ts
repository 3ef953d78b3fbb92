import type { ConfirmForm, FormField } from '../../channels/types.js';
import type { DialogStep } from './definition.js';
import type { Dialog } from './engine.js';
import type { DialogState } from './state.js';

/**
 * [slack-modal] The report summary as an editable form. A step asking `yes_no` into `confirmed` is the
 * confirmation of what the dialog gathered: the description, and impact/urgency where the definition asks
 * for them (their choices become the form's options). Channels with forms (a Slack modal) offer to edit these
 * values; the answer comes back as an ordinary message event: the confirming choice plus `fields`.
 */
const EDITABLE = ['description', 'impact', 'urgency'] as const;
const DEFAULT_LABELS: Record<string, string> = { description: 'Description', impact: 'Who is affected', urgency: 'How urgent it is' };

const isConfirmStep = (step: DialogStep | undefined) => step?.ask?.type === 'yes_no' && step.ask.store === 'confirmed';

/**
 * The step that asks for a field, by the field it stores. A service request is asked "when do you need it?"
 * instead of "can you work?" (both store `urgency`): the request's own steps are those whose prompt lives under
 * `guided.request.*`, and the form offers the options of the question this report was (or would be) asked.
 */
function askingStep(dialog: Dialog, field: string, state?: DialogState): DialogStep | undefined {
  const candidates = Object.values(dialog.definition.steps).filter((s) => s.ask && 'store' in s.ask && s.ask.store === field && s.ask.type !== 'yes_no');
  const isRequest = (state?.data.triage as Record<string, unknown> | undefined)?.kind === 'request';
  const forRequest = (s: DialogStep) => typeof s.say === 'string' && s.say.startsWith('guided.request.');
  return candidates.find((s) => forRequest(s) === isRequest) ?? candidates[0];
}

function label(dialog: Dialog, state: DialogState, field: string): string {
  const key = `guided.edit.${field}`;
  const text = dialog.t(state.locale, key);
  return text && text !== key ? text : (DEFAULT_LABELS[field] ?? field);
}

function levelOf(data: Record<string, unknown>, field: 'impact' | 'urgency'): number | undefined {
  const prioritized = (data.prioritize as Record<string, unknown> | undefined)?.[field];
  const v = prioritized ?? data[field] ?? (data.triage as Record<string, unknown> | undefined)?.[field];
  return typeof v === 'number' ? v : undefined;
}

export function confirmForm(dialog: Dialog, state: DialogState, step: DialogStep): ConfirmForm | undefined {
  if (!isConfirmStep(step)) return undefined;
  const fields: FormField[] = [];
  for (const name of EDITABLE) {
    const asking = askingStep(dialog, name, state);
    if (!asking?.ask) continue;
    if (name === 'description') {
      const value = typeof state.data.description === 'string' ? state.data.description : '';
      const minLength = asking.ask.type === 'text' ? asking.ask.minLength : undefined;
      fields.push({ name, label: label(dialog, state, name), value, multiline: true, minLength: minLength ?? 3, maxLength: 3000 });
    } else if (asking.ask.type === 'choice') {
      const options = asking.ask.choices.map((c) => ({ id: c.id, label: dialog.t(state.locale, c.label) }));
      const level = levelOf(state.data, name);
      const current = asking.ask.choices.find((c) => 'value' in c && c.value === level) ?? asking.ask.choices.at(-1);
      fields.push({ name, label: label(dialog, state, name), value: current?.id ?? '', options });
    }
  }
  return fields.length ? { confirmChoice: 'yes', fields } : undefined;
}

/**
 * Applies edited summary fields while the confirmation is the current question; anything else (another step,
 * unknown fields, values outside the choices, too-short text) is ignored, so a form never bypasses the definition.
 */
export function applyConfirmEdits(dialog: Dialog, state: DialogState, edits: Record<string, string>): DialogState {
  if (state.status !== 'active' || !isConfirmStep(dialog.definition.steps[state.step])) return state;
  const data = { ...state.data };
  for (const name of EDITABLE) {
    const raw = edits[name];
    const asking = askingStep(dialog, name, state);
    if (raw === undefined || !asking?.ask) continue;
    if (name === 'description' && asking.ask.type === 'text') {
      const text = raw.trim();
      if (text.length >= (asking.ask.minLength ?? 3) && text.length <= 3000) data.description = text;
    } else if (asking.ask.type === 'choice') {
      const choice = asking.ask.choices.find((c) => c.id === raw);
      if (choice && 'value' in choice && typeof choice.value === 'number') {
        data[name] = choice.value;
        // The summary's computed levels must not override what the reporter chose.
        if (data.prioritize && typeof data.prioritize === 'object' && !Array.isArray(data.prioritize)) data.prioritize = { ...data.prioritize, [name]: choice.value };
      }
    }
  }
  return { ...state, data };
}
