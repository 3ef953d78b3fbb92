import type { AttachmentRef, Choice, ConfirmForm } from '../../channels/types.js';
import { choiceNamedBy, worthKeeping } from './choice-text.js';
import { applyConfirmEdits, confirmForm } from './confirm-form.js';
import { dynamicChoices, parseAnswer, yesNoChoices } from './answers.js';
import type { ActionName, Answer, Condition, DialogDefinition, DialogStep } from './definition.js';
import { matchIntent, matchLanguageSwitch } from './intents.js';
import type { Translate } from './messages.js';
import { anyMatch, canPrefill, describePrefilled, isRequired, readAnswer } from './prefill.js';
import { type DialogState, initialState } from './state.js';

export { parseAnswer } from './answers.js';

/**
 * The dialog engine: a pure `transition(dialog, state, event) → [next, effects]`. No I/O, no clock, no
 * randomness: the caller persists `next` and carries out `effects` (send replies, file incidents, search the
 * KB) in one transaction, feeding action results back as `action_result` events. Language detection is a
 * pure function handed in with the dialog, so every caller (fast path, runner, replay) detects alike.
 */
export interface Dialog {
  definition: DialogDefinition;
  t: Translate;
  /** Language of a reporter's text, or undefined when too short/ambiguous to tell. */
  detectLanguage?: (text: string) => string | undefined;
}

export type DialogEvent =
  | { type: 'start' }
  | { type: 'message'; text?: string; choice?: string; attachments?: { id?: string; filename: string }[]; fields?: Record<string, string> }
  | { type: 'action_result'; action: ActionName; result: Record<string, unknown> }
  /** No answer for a while (sent by the idle sweep): first a reminder, then a gentle close. */
  | { type: 'timeout' }
  /** Something happened to the reporter's incident (e.g. `resolved`): enters `definition.events[name]`. */
  | { type: 'incident'; name: string; data: Record<string, unknown> };

export type Effect =
  | { type: 'reply'; text: string; choices?: Choice[]; form?: ConfirmForm }
  | { type: 'action'; action: ActionName; input: Record<string, unknown> }
  /** The reporter wrote after the dialog ended: the text belongs to the linked incident. */
  | { type: 'append_to_incident'; text: string; attachments?: AttachmentRef[] }
  /** Remember the reporter's language for the conversation and the person. */
  | { type: 'set_locale'; locale: string }
  /** A new report begins in this conversation: it no longer belongs to the incident it filed. */
  | { type: 'unlink_incident' };

export type TransitionResult = [DialogState, Effect[]];

const MAX_AUTOMATIC_STEPS = 50; // guards against a definition that loops without asking anything

/** `data` seeds the session, e.g. `{channel: {name, conversational}}` so definitions can branch on the channel. */
export function start(dialog: Dialog, locale: string, data: Record<string, unknown> = {}): TransitionResult {
  const state = initialState(dialog.definition.start, locale);
  return transition(dialog, { ...state, data: { ...data } as DialogState['data'] }, { type: 'start' });
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
      return onMessage(dialog, { ...state, reminded: undefined }, event, effects);
    case 'timeout':
      return onTimeout(dialog, state, effects);
    case 'incident': {
      const target = definition.events[event.name];
      if (!target || state.pendingAction) return [state, effects];
      return enter(dialog, { ...interrupt(state), data: { ...state.data, incident_event: { name: event.name, ...event.data } as never } }, target, effects);
    }
  }
}

function onMessage(dialog: Dialog, state: DialogState, event: Extract<DialogEvent, { type: 'message' }>, effects: Effect[]): TransitionResult {
  const text = (event.text ?? '').trim();
  if (state.pendingAction) {
    effects.push(reply(dialog, state, 'common.working', {}));
    return [state, effects];
  }
  if (event.fields) state = applyConfirmEdits(dialog, state, event.fields); // [slack-modal] edits, then the confirming choice
  const { definition } = dialog;
  const asked = event.choice ? undefined : matchLanguageSwitch(definition, text);
  if (asked) {
    const next = { ...state, locale: asked, localeFixed: true };
    effects.push({ type: 'set_locale', locale: asked }, reply(dialog, next, 'language.switched', {}));
    if (next.status === 'active') effects.push(prompt(dialog, next, stepOf(definition, next.step)));
    return [next, effects];
  }
  state = detect(dialog, state, text, effects);
  const intent = event.choice ? undefined : matchIntent(definition, text, state.status);
  if (intent) {
    const data = { ...state.data, intent: { id: intent.intent.id, text, ...intent.captures } as never };
    return enter(dialog, { ...interrupt(state), data }, intent.intent.goto, effects);
  }
  if (state.status === 'done') {
    // "Thanks", "ok", "hello", a bare "1" say nothing new, before or after filing: chat gets a short word,
    // email nothing, and the incident's timeline is not cluttered with them.
    const opening = stepOf(definition, definition.start);
    const firstAsk = opening.ask ?? (typeof opening.next === 'string' ? stepOf(definition, opening.next).ask : undefined);
    if (text && !event.attachments?.length && firstAsk?.type === 'text' && firstAsk.reject && anyMatch(firstAsk.reject, text)) {
      const conversational = (state.data.channel as { conversational?: boolean } | undefined)?.conversational !== false;
      if (conversational) effects.push(reply(dialog, state, state.data.file_incident ? 'followup.noted' : 'common.standby', state.data));
      return [state, effects];
    }
    if (state.data.file_incident && (text || event.attachments?.length)) {
      effects.push({ type: 'append_to_incident', text, ...(event.attachments?.length ? { attachments: event.attachments as AttachmentRef[] } : {}) });
      effects.push(reply(dialog, state, 'followup.added', {}));
      return [state, effects];
    }
    // A finished conversation without an incident: a new message starts a new report with it (same channel).
    const kept = state.data.channel === undefined ? {} : { channel: state.data.channel };
    const fresh = { ...initialState(definition.start, state.locale), localeFixed: state.localeFixed, data: kept };
    const [started, greeting] = enter(dialog, fresh, definition.start, effects);
    if (!text || !stepOf(definition, started.step).ask) return [started, greeting];
    return onMessage(dialog, started, event, greeting);
  }
  const step = stepOf(definition, state.step);
  if (!step.ask) return [state, effects];
  let value = parseAnswer(step.ask, text, event, choicesFromData(state, step.ask));
  if (value === undefined && text && !event.choice && step.ask.type !== 'text') {
    // Typed instead of a button: an option it clearly names answers; anything else is kept for the incident.
    const named = step.ask.type === 'choice' ? (readAnswer(step.ask, text) ?? choiceValue(dialog, state, step.ask, text)) : undefined;
    if (named !== undefined) value = named;
    else if (worthKeeping(text)) {
      const notes = Array.isArray(state.data.notes) ? state.data.notes : [];
      state = { ...state, data: { ...state.data, notes: [...notes, text] as never } };
      effects.push(reply(dialog, state, 'common.kept', {}));
    }
  }
  if (value === undefined) {
    const retries = state.retries + 1;
    if (retries >= definition.maxRetries) {
      effects.push(reply(dialog, state, 'common.giveup', {}));
      return enter(dialog, { ...state, retries: 0 }, state.step, effects);
    }
    // Emoji or punctuation alone get told why they were not understood, instead of the same question again.
    const symbolsOnly = step.ask.type === 'text' && text.trim() !== '' && !/[\p{L}\p{N}]/u.test(text);
    effects.push(reply(dialog, state, symbolsOnly ? 'common.reask.symbols' : `common.reask.${step.ask.type}`, {}));
    effects.push(prompt(dialog, state, step));
    return [{ ...state, retries }, effects];
  }
  const data = { ...state.data, [step.ask.store]: value as never };
  // An answer the reporter gave (e.g. a correction) is no longer one read from the report.
  if (Array.isArray(data.prefilled)) data.prefilled = data.prefilled.filter((n) => n !== step.ask!.store);
  return follow(dialog, { ...state, data, retries: 0 }, step, effects);
}

/** The first message that says enough about its language decides the conversation's language. */
function detect(dialog: Dialog, state: DialogState, text: string, effects: Effect[]): DialogState {
  if (state.localeFixed || !dialog.detectLanguage || !text) return state;
  const lang = dialog.detectLanguage(text);
  if (!lang) return state;
  if (lang !== state.locale) effects.push({ type: 'set_locale', locale: lang });
  return { ...state, locale: lang, localeFixed: true };
}

function onTimeout(dialog: Dialog, state: DialogState, effects: Effect[]): TransitionResult {
  if (state.status !== 'active' || state.pendingAction) return [state, effects];
  const step = stepOf(dialog.definition, state.step);
  if (!step.ask) return [state, effects];
  if (!state.reminded) {
    effects.push(reply(dialog, state, 'idle.reminder', {}), prompt(dialog, state, step));
    return [{ ...state, reminded: true }, effects];
  }
  effects.push(reply(dialog, state, 'idle.closed', {}));
  return [{ ...state, status: 'done', reminded: undefined, resume: undefined, data: { ...state.data, closed_idle: true } }, effects];
}

/** Remembers where the reporter was, so an intent's steps can `resume` there. */
function interrupt(state: DialogState): DialogState {
  const waiting = state.status === 'active';
  return { ...state, status: 'active', retries: 0, resume: waiting ? state.step : undefined, resumeStatus: state.status };
}

function enter(dialog: Dialog, state: DialogState, stepName: string, effects: Effect[], depth = 0): TransitionResult {
  if (depth > MAX_AUTOMATIC_STEPS) throw new Error(`dialog ${dialog.definition.id} loops at step ${stepName}`);
  const step = stepOf(dialog.definition, stepName);
  let next: DialogState = { ...state, step: stepName, retries: 0 };
  if (step.set) next = { ...next, data: { ...next.data, ...step.set } };
  // A question the report already answers is skipped: its answer is stored and shown in the summary.
  const known = prefill(dialog.definition, next, step);
  if (known) return follow(dialog, known, step, effects, depth + 1);
  if (step.checkComplete) next = checkComplete(dialog.definition, next, step.checkComplete);
  if (step.say) effects.push(prompt(dialog, next, step));
  if (step.restart) {
    // The message above still names the old incident; from here on nothing of that report carries over.
    next = { ...next, status: 'active', resume: undefined, resumeStatus: undefined, data: next.data.channel === undefined ? {} : { channel: next.data.channel } };
    effects.push({ type: 'unlink_incident' });
  }
  if (step.action) {
    effects.push({ type: 'action', action: step.action, input: { ...next.data, locale: next.locale } });
    return [{ ...next, pendingAction: step.action }, effects];
  }
  if (step.final) return [end(next), effects];
  if (step.ask) return [next, effects];
  return follow(dialog, next, step, effects, depth + 1);
}

function follow(dialog: Dialog, state: DialogState, step: DialogStep, effects: Effect[], depth = 0): TransitionResult {
  if (step.final) return [end(state), effects];
  const target = nextOf(step, state);
  if (target) return enter(dialog, state, target, effects, depth);
  if (step.resume && state.resume) {
    return enter(dialog, { ...state, resume: undefined, resumeStatus: undefined }, state.resume, effects, depth);
  }
  if (step.resume && state.resumeStatus === 'active') return [{ ...state, resumeStatus: undefined }, effects];
  return [end(state), effects];
}

const nextOf = (step: DialogStep, state: DialogState): string | undefined =>
  typeof step.next === 'string' ? step.next : step.next?.find((b) => matches(b.when, state))?.goto;

const reportText = (def: DialogDefinition, state: DialogState): string => {
  const v = lookup(state.data, def.prefillFrom);
  return typeof v === 'string' ? v : '';
};

/** The state with the step's answer read from the report, or undefined when the question must be asked. */
function prefill(def: DialogDefinition, state: DialogState, step: DialogStep): DialogState | undefined {
  if (!canPrefill(step.ask) || step.action || state.data.prefill === false) return undefined;
  const value = readAnswer(step.ask, reportText(def, state));
  return value === undefined ? undefined : withPrefilled(state, step.ask.store, value);
}

function withPrefilled(state: DialogState, store: string, value: unknown): DialogState {
  const before = Array.isArray(state.data.prefilled) ? state.data.prefilled.filter((n) => n !== store) : [];
  return { ...state, data: { ...state.data, [store]: value as never, prefilled: [...before, store] } };
}

/**
 * The definition's `complete` rule: conditions, description length, and every required question on the path
 * from `from` to `complete.until` answerable from the report. Pure: walks the steps without entering them.
 * When it holds, the walked answers are stored so the incident is filed with them.
 */
function checkComplete(def: DialogDefinition, state: DialogState, from: string): DialogState {
  const rule = def.complete!;
  const incomplete = { ...state, data: { ...state.data, complete: false } };
  const text = reportText(def, state);
  if (text.trim().length < rule.minDescriptionLength || !rule.when.every((c) => matches(c, state))) return incomplete;
  let walk = state;
  let name: string | undefined = from;
  for (let i = 0; name !== rule.until; i++) {
    const step: DialogStep | undefined = name === undefined || i > MAX_AUTOMATIC_STEPS ? undefined : def.steps[name];
    if (!step || step.action || step.final || step.checkComplete) return incomplete;
    if (step.set) walk = { ...walk, data: { ...walk.data, ...step.set } };
    if (step.ask) {
      const value = canPrefill(step.ask) && state.data.prefill !== false ? readAnswer(step.ask, text) : undefined;
      if (value !== undefined) walk = withPrefilled(walk, step.ask.store, value);
      else if (isRequired(step.ask)) return incomplete;
    }
    name = nextOf(step, walk);
  }
  return { ...walk, data: { ...walk.data, complete: true } };
}

const end = (state: DialogState): DialogState => ({ ...state, status: 'done', resume: undefined, resumeStatus: undefined });

function prompt(dialog: Dialog, state: DialogState, step: DialogStep): Effect {
  // `understood`: the answers read from the report, as lines, for summaries and acknowledgements.
  const understood = describePrefilled(dialog.definition, state.data, dialog.t, state.locale);
  const understood_count = understood ? understood.split('\n').length : 0;
  const r = reply(dialog, state, step.say ?? 'common.continue', { ...state.data, understood, understood_count });
  const choices = choicesFor(dialog, state, step.ask);
  const form = confirmForm(dialog, state, step); // [slack-modal] the summary's values, editable where channels can
  return choices ? { ...r, choices, ...(form ? { form } : {}) } : r;
}

function reply(dialog: Dialog, state: DialogState, key: string, params: Record<string, unknown>): Effect & { type: 'reply' } {
  return { type: 'reply', text: dialog.t(state.locale, key, flatten(params)) };
}

function choicesFor(dialog: Dialog, state: DialogState, ask: Answer | undefined): Choice[] | undefined {
  if (ask?.type === 'yes_no') return yesNoChoices((k) => dialog.t(state.locale, k));
  if (ask?.type !== 'choice') return undefined;
  const dynamic = choicesFromData(state, ask).map((d) => ({ id: d.id, label: d.title }));
  return [...dynamic, ...ask.choices.map((c) => ({ id: c.id, label: dialog.t(state.locale, c.label) }))];
}

/** The value of the option the typed text names (see choice-text.ts), or undefined. */
function choiceValue(dialog: Dialog, state: DialogState, ask: Answer, text: string): unknown {
  const id = choiceNamedBy(text, choicesFor(dialog, state, ask) ?? []);
  return id === undefined ? undefined : parseAnswer(ask, '', { choice: id }, choicesFromData(state, ask));
}

function choicesFromData(state: DialogState, ask: Answer) {
  return ask.type === 'choice' && ask.choicesFrom ? dynamicChoices(lookup(state.data, ask.choicesFrom)) : [];
}

function matches(cond: Condition | undefined, state: DialogState): boolean {
  if (!cond) return true;
  const value = lookup(state.data, cond.field);
  if (cond.exists !== undefined && (value !== undefined && value !== null) !== cond.exists) return false;
  if (cond.equals !== undefined && value !== cond.equals) return false;
  if (cond.in && !cond.in.includes(value as never)) return false;
  if (cond.gt !== undefined && !(typeof value === 'number' && value > cond.gt)) return false;
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
    else if (Array.isArray(v) && v.every((x) => x && typeof x === 'object' && typeof (x as { title?: unknown }).title === 'string')) {
      // Lists such as KB suggestions render as bullet lines.
      out[key] = v.map((x) => `• ${(x as { title: string }).title}`).join('\n');
    } else out[key] = v;
  }
  return out;
}

function stepOf(def: DialogDefinition, name: string): DialogStep {
  const step = def.steps[name];
  if (!step) throw new Error(`dialog ${def.id} has no step ${name}`);
  return step;
}

/** Where a session pinned to an older version continues on `def`, via its `migrate` map (undefined: restart). */
export function migrateStep(def: DialogDefinition, oldStep: string): string | undefined {
  return def.migrate?.[oldStep];
}
