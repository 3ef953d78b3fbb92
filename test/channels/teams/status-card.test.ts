import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../helpers/app.js';
import { DB_KINDS } from '../../helpers/databases.js';
import { fixturesPresent, MISSING, TeamsWorld } from './world.js';

/** Issue #11 §2: status changes edit one per-incident card in the reporter's chat instead of adding messages. */
for (const { kind, skip } of DB_KINDS) {
  describe.skipIf(skip || !fixturesPresent)(`Teams reporter status card (${kind})${fixturesPresent ? '' : ` — ${MISSING}`}`, () => {
    let world: TeamsWorld;
    beforeAll(async () => {
      world = await TeamsWorld.start(kind);
    }, 180_000);
    afterAll(async () => world?.close());

    const patch = (number: string, body: object) =>
      fetch(`${world.app.url}/api/v1/incidents/${number}`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${world.app.tokens.agent}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });

    it('the first status change posts a card, later ones edit it in place; a reply and the resolution still arrive as messages', async () => {
      const ana = world.newUser('Ana');
      const chat = world.personalConversation(ana);
      await world.dm(ana, 'The label printer in the warehouse prints blank labels');
      await world.click(ana, await world.expectPosted(/Shall I go ahead/, chat), 'yes');
      const number = /INC-\d+/.exec((await world.expectPosted(/Your incident is INC-\d+/, chat)).activity.text!)![0];

      expect((await patch(number, { status: 'in_progress' })).status).toBe(200);
      const card = await world.expectPosted(/status is now in progress/, chat);
      const body = JSON.stringify(card.activity.attachments);
      expect(body).toContain(number);
      expect(body).toContain('blank labels'); // the incident's title

      expect((await patch(number, { status: 'pending' })).status).toBe(200);
      const edited = await eventually(async () => world.connector.posted.find((p) => p.kind === 'update' && p.activityId === card.id && /pending|waiting/i.test(p.activity.text ?? '')), 10_000, 'the card edited in place');
      expect(JSON.stringify(edited.activity.attachments)).toContain(number);
      // No second status message in the chat: the card changed instead.
      expect(world.connector.messages(chat).filter((m) => /status is now/.test(m.activity.text ?? ''))).toHaveLength(1);

      const reply = await fetch(`${world.app.url}/api/v1/incidents/${number}/comments`, {
        method: 'POST',
        headers: { authorization: `Bearer ${world.app.tokens.agent}`, 'content-type': 'application/json' },
        body: JSON.stringify({ text: 'Please send a photo of the printer settings page.', internal: false }),
      });
      expect(reply.status).toBe(201);
      await world.expectPosted(/photo of the printer settings page/, chat);
      expect((await patch(number, { status: 'resolved', resolution: 'Replaced the print head' })).status).toBe(200);
      // The resolution is news of its own: a message, not an edit of the card.
      const resolved = await world.expectPosted(/status is now resolved/, chat);
      expect(resolved.id).not.toBe(card.id);
    }, 120_000);
  });
}
