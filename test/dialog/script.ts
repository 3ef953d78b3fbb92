import { expect } from 'vitest';
import type { ActionName } from '../../src/dialog/definition.js';
import { type Dialog, type DialogEvent, type Effect, start, transition } from '../../src/dialog/engine.js';
import type { DialogState } from '../../src/dialog/state.js';

/** send → expect scripts on the pure engine (no I/O), in the manner of botbuilder's waterfall tests. */
export class Script {
  state: DialogState;
  effects: Effect[];
  /** `data` seeds the session as the runner does (e.g. `{channel: {name: 'email', conversational: false}}`). */
  constructor(private readonly dialog: Dialog, locale: string, data: Record<string, unknown> = {}) {
    [this.state, this.effects] = start(dialog, locale, data);
  }
  send(event: DialogEvent | string): this {
    const e: DialogEvent = typeof event === 'string' ? { type: 'message', text: event } : event;
    [this.state, this.effects] = transition(this.dialog, this.state, e);
    return this;
  }
  /** Answers the pending action as the runner would. */
  result(action: ActionName, result: Record<string, unknown>): this {
    expect(this.state.pendingAction, `pending action before ${action}`).toBe(action);
    return this.send({ type: 'action_result', action, result });
  }
  replies(): string[] {
    return this.effects.flatMap((e) => (e.type === 'reply' ? [e.text] : []));
  }
  expectReply(pattern: RegExp): this {
    expect(this.replies().join('\n')).toMatch(pattern);
    return this;
  }
  choices(): string[] {
    return this.effects.flatMap((e) => (e.type === 'reply' ? (e.choices ?? []).map((c) => c.id) : []));
  }
  action(): Extract<Effect, { type: 'action' }> | undefined {
    return this.effects.find((e): e is Extract<Effect, { type: 'action' }> => e.type === 'action');
  }
  expectAction(name: ActionName): Extract<Effect, { type: 'action' }> {
    const a = this.action();
    expect(a?.action, `expected action ${name}; replies: ${this.replies().join(' | ')}`).toBe(name);
    return a!;
  }
}
