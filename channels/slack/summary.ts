import type { App } from '@slack/bolt';
import { z } from 'zod';
import type { ConfirmForm } from '../types.js';
import { answeredBlocks, type Block } from './blocks.js';
import type { SlackRuntime } from './runtime.js';

/**
 * The summary confirmation as an editable modal. The dialog marks its confirmation question with the values
 * it will file (`OutboundMessage.form`); Slack shows a "Review & edit" button beside Yes/No that opens a modal
 * pre-filled with them. Submitting sends the edits and the confirming choice into the intake pipeline as an
 * ordinary event (keyed like a button click on that question, so confirming twice is one answer).
 */
export const REVIEW_ACTION = 'frontline_review';
export const SUMMARY_VIEW = 'frontline_summary';

/** The form is kept with the question (database, any instance) until the reporter opens it. */
export const formKey = (channel: string, ts: string) => `form:${channel}:${ts}`;

export function reviewButton(): Block {
  return { type: 'button', action_id: REVIEW_ACTION, text: { type: 'plain_text', text: 'Review & edit' }, value: 'review' };
}

export function summaryModal(form: ConfirmForm, where: { team: string; channel: string; ts: string; threadTs?: string }): Block {
  const blocks: Block[] = form.fields.map((f) => {
    const element = f.options
      ? {
          type: 'static_select',
          action_id: 'value',
          options: f.options.map((o) => ({ text: { type: 'plain_text', text: o.label.slice(0, 75) }, value: o.id })),
          ...(f.options.some((o) => o.id === f.value) ? { initial_option: { text: { type: 'plain_text', text: f.options.find((o) => o.id === f.value)!.label.slice(0, 75) }, value: f.value } } : {}),
        }
      : { type: 'plain_text_input', action_id: 'value', multiline: Boolean(f.multiline), initial_value: f.value, ...(f.maxLength ? { max_length: f.maxLength } : {}) };
    return { type: 'input', block_id: f.name, label: { type: 'plain_text', text: f.label.slice(0, 150) }, element };
  });
  return {
    type: 'modal',
    callback_id: SUMMARY_VIEW,
    private_metadata: JSON.stringify(where),
    title: { type: 'plain_text', text: 'Review & edit' },
    submit: { type: 'plain_text', text: 'File it' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks,
  };
}

const clickSchema = z.object({
  trigger_id: z.string(),
  team: z.object({ id: z.string() }),
  user: z.object({ id: z.string() }),
  container: z.object({ channel_id: z.string(), message_ts: z.string(), thread_ts: z.string().optional() }),
  message: z.object({ text: z.string().default(''), thread_ts: z.string().optional() }).optional(),
});
const submissionSchema = z.object({
  user: z.object({ id: z.string() }),
  view: z.object({
    private_metadata: z.string(),
    state: z.object({ values: z.record(z.string(), z.record(z.string(), z.object({ value: z.string().nullish(), selected_option: z.object({ value: z.string() }).nullish() }))) }),
  }),
});
const whereSchema = z.object({ team: z.string(), channel: z.string(), ts: z.string(), threadTs: z.string().optional() });

/** Field name → error text, for `response_action: errors` (Slack shows them under the inputs). */
export function validateEdits(form: ConfirmForm, values: Record<string, string>): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const f of form.fields) {
    const v = (values[f.name] ?? '').trim();
    if (f.options) {
      if (!f.options.some((o) => o.id === v)) errors[f.name] = 'Please pick one of the options.';
    } else if (v.length < (f.minLength ?? 1)) {
      errors[f.name] = `Please write at least ${f.minLength ?? 1} characters.`;
    } else if (f.maxLength && v.length > f.maxLength) {
      errors[f.name] = `Please keep it under ${f.maxLength} characters.`;
    }
  }
  return errors;
}

export function registerSummaryModal(app: App, rt: SlackRuntime): void {
  app.action(REVIEW_ACTION, async ({ ack, body }) => {
    await ack();
    const b = clickSchema.parse(body);
    const channel = b.container.channel_id;
    const form = await rt.host.state.get<ConfirmForm & Record<string, never>>(formKey(channel, b.container.message_ts));
    if (!form) {
      await rt.ephemeral(channel, b.user.id, 'That summary can no longer be edited.', b.container.thread_ts);
      return;
    }
    const threadTs = channel.startsWith('D') ? undefined : (b.container.thread_ts ?? b.message?.thread_ts);
    await rt.web.views.open({ trigger_id: b.trigger_id, view: summaryModal(form, { team: b.team.id, channel, ts: b.container.message_ts, ...(threadTs ? { threadTs } : {}) }) as never });
  });

  app.view(SUMMARY_VIEW, async ({ ack, body }) => {
    const b = submissionSchema.parse(body);
    const where = whereSchema.parse(JSON.parse(b.view.private_metadata));
    const form = await rt.host.state.get<ConfirmForm & Record<string, never>>(formKey(where.channel, where.ts));
    if (!form) {
      await ack({ response_action: 'errors', errors: { [Object.keys(b.view.state.values)[0] ?? 'description']: 'This summary was already answered.' } });
      return;
    }
    const values = Object.fromEntries(Object.entries(b.view.state.values).map(([block, inputs]) => [block, inputs.value?.selected_option?.value ?? inputs.value?.value ?? '']));
    const errors = validateEdits(form, values);
    if (Object.keys(errors).length) {
      await ack({ response_action: 'errors', errors });
      return;
    }
    await ack();
    const fields = Object.fromEntries(form.fields.map((f) => [f.name, (values[f.name] ?? '').trim()]));
    const result = await rt.receive({ team: where.team, channel: where.channel, threadTs: where.threadTs, user: b.user.id, eventId: `choice:${where.channel}:${where.ts}`, choice: form.confirmChoice, fields });
    if (!result.duplicate) {
      const summary = form.fields.map((f) => `${f.label}: ${f.options?.find((o) => o.id === fields[f.name])?.label ?? fields[f.name]}`).join('\n');
      await rt.web.chat
        .update({ channel: where.channel, ts: where.ts, text: summary, blocks: answeredBlocks(summary, 'Yes, with my edits') as never })
        .catch((err: unknown) => rt.logger.debug({ err }, 'could not mark the summary answered'));
    }
  });
}

