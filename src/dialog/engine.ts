import type { Choice } from '../../channels/types.js';
import type { ActionName, Answer, Condition, DialogDefinition, DialogStep } from './definition.js';
import type { Translate } from './messages.js';
import { type DialogState, initialState } from './state.js';

/**
 * The dialog engine: a pure `transition(dialog, state, event) → [next, effects]`. No I/O, no clock, no
 * randomness: the caller persists `next` and carries out `effects` (send replies, file incidents) in one
 * transaction, feeding action results back as `action_result` events.
 */
export interface Dialog {
  definition: DialogDefinition;
  t: Translate;
}

export type DialogEvent =
  | { type: 'start' }
  | { type: 'message'; text?: string; choice?: string; attachments?: { id?: string; filename: string }[] }
  | { type: 'action_result'; action: ActionName; result: Record<string, unknown> };

export type Effect =
  | { type: 'reply'; text: string; choices?: Choice[] }
  | { type: 'action'; action: ActionName; input: Record<string, unknown> }
  /** The reporter wrote after the dialog ended: the text belongs to the linked incident. */
  | { type: 'append_to_incident'; text: string };

export type TransitionResult = [DialogState, Effect[]];

const MAX_AUTOMATIC_STEPS = 50; // guards against a definition that loops without asking anything

export function start(dialog: Dialog, locale: string): TransitionResult {
  return transition(dialog, initialState(dialog.definition.start, locale), { type: 'start' });
}

export function transition(dialog: Dialog, state: DialogState, event: DialogEvent): TransitionResult {
  const effects: Effect[] = [];
  const { definition } = dialog;
  switch (event.type) {
    case 'start':
      return enter(dialog, { ...state, status: 'active', retries: 0 }, definition.start, effects);
    case 'action_result': {
      if (state.pendingAction !== event.action) return [state, effects];
      const data = { ...state.data, [event.action]: event.result as never };
      const next = { ...state, data, pendingAction: undefined };
      return follow(dialog, next, stepOf(definition, state.step), effects);
    }
    case 'message':
      return onMessage(dialog, state, event, effects);
  }
}

function onMessage(
  dialog: Dialog,
  state: DialogState,
  event: Extract<DialogEvent, { type: 'message' }>,
  effects: Effect[],
): TransitionResult {
  const text = (event.text ?? '').trim();
  if (state.status === 'done') {
    if (state.data.file_incident && text) {
      effects.push({ type: 'append_to_incident', text });
      effects.push(reply(dialog, state, 'followup.added', {}));
      return [state, effects];
    }
    // A finished conversation without an incident: a new message starts a new report.
    return enter(dialog, initialState(dialog.definition.start, state.locale), dialog.definition.start, effects);
  }
  if (state.pendingAction) {
    effects.push(reply(dialog, state, 'common.working', {}));
    return [state, effects];
  }
  const step = stepOf(dialog.definition, state.step);
  if (!step.ask) return [state, effects];
  const value = parseAnswer(step.ask, text, event);
  if (value === undefined) {
    const retries = state.retries + 1;
    if (retries >= dialog.definition.maxRetries) {
      effects.push(reply(dialog, state, 'common.giveup', {}));
      return enter(dialog, { ...state, retries: 0 }, state.step, effects);
    }
    effects.push(reply(dialog, state, `common.reask.${step.ask.type}`, {}));
    effects.push(prompt(dialog, state, step));
    return [{ ...state, retries }, effects];
  }
  const data = { ...state.data, [step.ask.store]: value as never };
  return follow(dialog, { ...state, data, retries: 0 }, step, effects);
}

function enter(dialog: Dialog, state: DialogState, stepName: string, effects: Effect[], depth = 0): TransitionResult {
  if (depth > MAX_AUTOMATIC_STEPS) throw new Error(`dialog ${dialog.definition.id} loops at step ${stepName}`);
  const step = stepOf(dialog.definition, stepName);
  let next: DialogState = { ...state, step: stepName, retries: 0 };
  if (step.say) effects.push(prompt(dialog, next, step));
  if (step.action) {
    effects.push({ type: 'action', action: step.action, input: { ...next.data } });
    return [{ ...next, pendingAction: step.action }, effects];
  }
  if (step.final) {
    next = { ...next, status: 'done' };
    return [next, effects];
  }
  if (step.ask) return [next, effects];
  return follow(dialog, next, step, effects, depth + 1);
}

function follow(dialog: Dialog, state: DialogState, step: DialogStep, effects: Effect[], depth = 0): TransitionResult {
  if (step.final) return [{ ...state, status: 'done' }, effects];
  const target = typeof step.next === 'string' ? step.next : step.next?.find((b) => matches(b.when, state))?.goto;
  if (!target) return [{ ...state, status: 'done' }, effects];
  return enter(dialog, state, target, effects, depth);
}

function prompt(dialog: Dialog, state: DialogState, step: DialogStep): Effect {
  const r = reply(dialog, state, step.say ?? 'common.continue', state.data);
  const choices = choicesFor(dialog, state, step.ask);
  return choices ? { ...r, choices } : r;
}

function reply(dialog: Dialog, state: DialogState, key: string, params: Record<string, unknown>): Effect & { type: 'reply' } {
  return { type: 'reply', text: dialog.t(state.locale, key, flatten(params)) };
}

function choicesFor(dialog: Dialog, state: DialogState, ask: Answer | undefined): Choice[] | undefined {
  if (ask?.type === 'yes_no') {
    return [
      { id: 'yes', label: dialog.t(state.locale, 'common.yes') },
      { id: 'no', label: dialog.t(state.locale, 'common.no') },
    ];
  }
  if (ask?.type === 'choice') return ask.choices.map((c) => ({ id: c.id, label: dialog.t(state.locale, c.label) }));
  return undefined;
}

// \b is ASCII-only in JS regexes, so "sí"/"não" end at an explicit lookahead instead.
const END = '(?=$|[\\s.,!?;:)])';
const YES = new RegExp(`^(y|yes|yeah|yep|ok|okay|sure|ja|japp|jo|visst|sí|si|claro|vale|sim|isso|certo|👍)${END}`, 'iu');
const NO = new RegExp(`^(n|no|nope|nah|nej|nä|inte|não|nao|nunca|👎)${END}`, 'iu');

/** Returns the parsed answer, or undefined when it does not fit the expected type. */
export function parseAnswer(ask: Answer, text: string, event: { choice?: string; attachments?: unknown[] }): unknown {
  switch (ask.type) {
    case 'text':
      return text.length >= ask.minLength && /[\p{L}\p{N}]/u.test(text) ? text : undefined;
    case 'yes_no': {
      const v = (event.choice ?? text).toLowerCase();
      if (v === 'yes' || YES.test(v)) return true;
      if (v === 'no' || NO.test(v)) return false;
      return undefined;
    }
    case 'choice': {
      const byId = ask.choices.find((c) => c.id === event.choice);
      if (byId) return byId.id;
      const n = Number.parseInt(text, 10);
      if (String(n) === text && n >= 1 && n <= ask.choices.length) return ask.choices[n - 1]!.id;
      return ask.choices.find((c) => c.id.toLowerCase() === text.toLowerCase())?.id;
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

function matches(cond: Condition | undefined, state: DialogState): boolean {
  if (!cond) return true;
  const value = lookup(state.data, cond.field);
  if (cond.exists !== undefined && (value !== undefined && value !== null) !== cond.exists) return false;
  if (cond.equals !== undefined && value !== cond.equals) return false;
  if (cond.in && !cond.in.includes(value as never)) return false;
  return true;
}

function lookup(data: Record<string, unknown>, dotted: string): unknown {
  return dotted.split('.').reduce<unknown>((acc, k) => (acc && typeof acc === 'object' ? (acc as Record<string, unknown>)[k] : undefined), data);
}

/** `{file_incident: {number: 'INC-1'}}` → `{file_incident_number: 'INC-1'}` so ICU messages can use it. */
function flatten(data: Record<string, unknown>, prefix = '', out: Record<string, unknown> = {}): Record<string, unknown> {
  for (const [k, v] of Object.entries(data)) {
    const key = prefix ? `${prefix}_${k}` : k;
    if (v && typeof v === 'object' && !Array.isArray(v)) flatten(v as Record<string, unknown>, key, out);
    else out[key] = v;
  }
  return out;
}

function stepOf(def: DialogDefinition, name: string): DialogStep {
  const step = def.steps[name];
  if (!step) throw new Error(`dialog ${def.id} has no step ${name}`);
  return step;
}
