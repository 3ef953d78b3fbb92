import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../helpers/app.js';
import { formKey } from '../../../channels/slack/summary.js';
import { DB_KINDS } from '../../helpers/databases.js';
import type { EmulatedMessage } from './emulator.js';
import { fixturesPresent, MISSING } from './requests.js';
import { SlackWorld } from './world.js';

interface ModalView {
  callback_id: string;
  private_metadata: string;
  blocks: { block_id: string; element: { type: string; initial_value?: string; initial_option?: { value: string }; options?: { value: string }[] } }[];
}

/** The summary confirmation as a modal the reporter can edit, on the short and on the guided report flow. */
for (const { kind, skip } of DB_KINDS) {
  describe.skipIf(skip || !fixturesPresent)(`Slack summary modal (${kind})${fixturesPresent ? '' : ` — ${MISSING}`}`, () => {
    let world: SlackWorld;
    let guided: SlackWorld;
    beforeAll(async () => {
      world = await SlackWorld.start(kind);
      guided = await SlackWorld.start(kind, {}, { appEnv: { FRONTLINE_DIALOG: 'report-guided' } });
    }, 120_000); // two apps (on PGlite, two WASM starts)
    afterAll(async () => {
      await world?.close();
      await guided?.close();
    });

    async function openModal(w: SlackWorld, user: string, question: EmulatedMessage): Promise<ModalView> {
      const before = w.slack.callsOf('views.open').length;
      const buttons = JSON.stringify(question.blocks);
      expect(buttons).toContain('frontline_review');
      expect(buttons).toContain('Review & edit');
      // The form is kept once chat.postMessage has returned the ts; the emulator shows the message a moment
      // earlier. A person cannot click in that gap, the test can: wait for it.
      await eventually(async () => w.app.frontline.db.prisma.channelState.findUnique({ where: { channel_key: { channel: 'slack', key: formKey(question.channel, question.ts) } } }), 5_000, 'the kept summary form');
      await w.click(user, question, 'frontline_review', 'review');
      const call = await eventually(async () => w.slack.callsOf('views.open')[before], 5_000, 'the summary modal');
      return JSON.parse(String(call.args.view)) as ModalView;
    }
    const submit = async (w: SlackWorld, user: string, view: ModalView, values: Record<string, Record<string, unknown>>) => {
      const res = await w.submitView(user, view.callback_id, view.private_metadata, values);
      const text = await res.text();
      return { status: res.status, body: text ? (JSON.parse(text) as { response_action?: string; errors?: Record<string, string> }) : {} };
    };

    it('short flow: the modal is pre-filled with the description; a too-short edit is refused inline; the edit is filed', async () => {
      const reporter = world.newReporter('Nils');
      await world.dm('Teams camera shows a black screen', reporter);
      const question = await world.expectPosted(/Shall I go ahead/, { channel: reporter.dm });
      const view = await openModal(world, reporter.id, question);
      expect(view.callback_id).toBe('frontline_summary');
      expect(view.blocks.map((b) => b.block_id)).toEqual(['description']);
      expect(view.blocks[0]!.element.initial_value).toBe('Teams camera shows a black screen');

      const refused = await submit(world, reporter.id, view, { description: { value: { type: 'plain_text_input', value: 'x' } } });
      expect(refused.body).toMatchObject({ response_action: 'errors', errors: { description: expect.stringMatching(/at least 3/) } });
      expect(await world.app.frontline.db.prisma.incident.count({ where: { description: { contains: 'black screen' } } })).toBe(0);

      const ok = await submit(world, reporter.id, view, { description: { value: { type: 'plain_text_input', value: 'Teams camera shows a black screen in every meeting since the update' } } });
      expect(ok.status).toBe(200);
      expect(ok.body.response_action).toBeUndefined();
      const filed = await world.expectPosted(/Your incident is INC-\d+/, { channel: reporter.dm });
      const incident = await world.app.frontline.incidents.get(world.app.frontline.db.prisma, /INC-\d+/.exec(filed.text)![0]);
      expect(incident.description).toBe('Teams camera shows a black screen in every meeting since the update');
      // The question shows it was answered; the Yes button (same question) cannot file a second incident.
      await eventually(async () => JSON.stringify(question.blocks).includes('with my edits'), 5_000, 'the question marked answered');
      await world.click(reporter.id, question, 'frontline_choice_0', 'yes');
      await new Promise((r) => setTimeout(r, 300));
      expect(await world.app.frontline.db.prisma.incident.count({ where: { description: { contains: 'black screen' } } })).toBe(1);
    });

    it('guided flow: description, impact and urgency are pre-filled from the summary, and the edits set the priority', async () => {
      const reporter = guided.newReporter('Olga');
      await guided.dm('Outlook crashes when I open a calendar invite', reporter);
      // Answer whatever the guided dialog asks (first option) until the summary.
      let question: EmulatedMessage | undefined;
      for (let round = 0; round < 15 && !question; round++) {
        const latest = await eventually(async () => {
          const mine = guided.slack.botMessages(reporter.dm);
          const last = mine.at(-1);
          return last && (last.blocks || /\?\s*$/.test(last.text)) && !last.text.includes('You answered') ? last : undefined;
        }, 10_000, 'the next question');
        if (/Shall I file it/.test(latest.text)) {
          question = latest;
          break;
        }
        const count = guided.slack.botMessages(reporter.dm).length;
        const first = JSON.parse(JSON.stringify(latest.blocks ?? [])) as { elements?: { value?: string; action_id?: string }[] }[];
        const choice = first.flatMap((b) => b.elements ?? []).find((e) => e.action_id?.startsWith('frontline_choice_'));
        if (choice?.value) await guided.click(reporter.id, latest, choice.action_id!, choice.value);
        else await guided.dm('yes', reporter);
        await eventually(async () => guided.slack.botMessages(reporter.dm).length > count, 10_000, 'a reply');
      }
      expect(question).toBeDefined();
      const view = await openModal(guided, reporter.id, question!);
      const byId = Object.fromEntries(view.blocks.map((b) => [b.block_id, b.element]));
      expect(Object.keys(byId)).toEqual(['description', 'impact', 'urgency']);
      expect(byId.description!.initial_value).toBe('Outlook crashes when I open a calendar invite');
      expect(byId.impact!.options!.map((o) => o.value)).toEqual(['me', 'team', 'many']);
      expect(byId.impact!.initial_option?.value).toBeDefined();
      expect(byId.urgency!.options!.map((o) => o.value)).toEqual(['blocked', 'hard', 'fine']);

      const bad = await submit(guided, reporter.id, view, {
        description: { value: { type: 'plain_text_input', value: 'Outlook crashes for the whole team' } },
        impact: { value: { type: 'static_select', selected_option: { value: 'everyone' } } },
        urgency: { value: { type: 'static_select', selected_option: { value: 'blocked' } } },
      });
      expect(bad.body).toMatchObject({ response_action: 'errors', errors: { impact: expect.any(String) } });

      await submit(guided, reporter.id, view, {
        description: { value: { type: 'plain_text_input', value: 'Outlook crashes for the whole team when opening invites' } },
        impact: { value: { type: 'static_select', selected_option: { value: 'many' } } },
        urgency: { value: { type: 'static_select', selected_option: { value: 'blocked' } } },
      });
      const filed = await guided.expectPosted(/Your incident is INC-\d+/, { channel: reporter.dm });
      const incident = await guided.app.frontline.incidents.get(guided.app.frontline.db.prisma, /INC-\d+/.exec(filed.text)![0]);
      expect(incident).toMatchObject({ impact: 1, urgency: 1, priority: 'P1' });
      expect(incident.description).toMatch(/^Outlook crashes for the whole team when opening invites/);
    });
  });
}
