import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../helpers/app.js';
import { DB_KINDS } from '../../helpers/databases.js';
import type { SentMessage } from './fake-graph.js';
import { age, fromExample, hasShared, MISSING, postWebhook, textOf, WhatsAppWorld } from './world.js';

for (const { kind, skip } of DB_KINDS) {
  describe.skipIf(skip || !hasShared)(`WhatsApp end to end, guided dialog (${kind})${hasShared ? '' : ` — ${MISSING}`}`, () => {
    let world: WhatsAppWorld;
    beforeAll(async () => {
      world = await WhatsAppWorld.start(kind, { appEnv: { FRONTLINE_DIALOG: 'report-guided' }, kb: true });
    }, 120_000);
    afterAll(async () => {
      await world?.close();
    });
    const api = (path: string, init: RequestInit = {}) =>
      fetch(`${world.app.url}/api/v1${path}`, { ...init, headers: { authorization: `Bearer ${world.app.tokens.admin}`, 'content-type': 'application/json' } });

    it('report with buttons and a list → incident; agent reply; after 24 h the template, the held text after the answer', async () => {
      const from = world.newReporter();
      const { graph } = world;
      await world.text(from, 'My VPN is stuck on connecting and times out');
      const suggestions = await world.expectSent(from, /These articles might solve it/);
      expect(suggestions.body.type).toBe('interactive');
      await world.tap(from, suggestions, 'none');
      const where = await world.expectSent(from, /Where are you connecting from/);
      await world.tap(from, where, 'home');
      await world.expectSent(from, /Do other websites/);
      await world.text(from, 'yes');
      const who = await world.expectSent(from, /Who is affected/);
      await world.tap(from, who, 'me');
      const work = await world.expectSent(from, /Can you work/);
      await world.tap(from, work, 'hard');
      const confirm = await world.expectSent(from, /Priority: P4/);
      await world.tap(from, confirm, 'yes');
      const filed = await world.expectSent(from, /Your incident is INC-\d{6}/);
      const number = /INC-\d{6}/.exec(textOf(filed))![0];
      const kinds = new Set(graph.sentTo(from).map((m) => (m.body.interactive as { type?: string } | undefined)?.type).filter(Boolean));
      expect(kinds).toEqual(new Set(['button', 'list'])); // both renderings were used and answered
      const incident = await world.app.frontline.db.prisma.incident.findFirst({ where: { number: Number(number.slice(4)) }, include: { reporter: true } });
      expect(incident).toMatchObject({ priority: 'P4', category: 'network' });

      // An agent reply through the REST API reaches the reporter, attributed.
      expect((await api(`/incidents/${number}/comments`, { method: 'POST', body: JSON.stringify({ text: 'Please reinstall the VPN profile.', author: 'Maria' }) })).status).toBe(201);
      await world.expectSent(from, new RegExp(`^\\*Maria\\* on ${number}: Please reinstall the VPN profile\\.$`));

      // 25 hours later: the resolution may not go out as free-form text.
      await age(world, from, 25);
      const before = graph.sentTo(from).length;
      expect((await api(`/incidents/${number}`, { method: 'PATCH', body: JSON.stringify({ status: 'resolved', resolution: 'Replaced the VPN profile.' }) })).status).toBe(200);
      const template = await world.expectSent(from, /^template:/);
      expect(template.body.template).toMatchObject({ name: 'frontline_resolved', language: { code: 'en' }, components: [{ type: 'body', parameters: [{ type: 'text', text: number }] }] });
      await new Promise((r) => setTimeout(r, 500));
      const afterResolve = graph.sentTo(from).slice(before);
      expect(afterResolve.map((m) => m.body.type)).toEqual(['template']); // nothing free-form outside the window
      // …and an agent reply meanwhile is held too (its own template kind).
      await api(`/incidents/${number}/comments`, { method: 'POST', body: JSON.stringify({ text: 'Ping me if it drops again.', author: 'Maria' }) });
      const replyTemplate = await world.expectSent(from, /^template:frontline_reply$/);
      // The agent learns why the customer has not got the text yet (an internal note: the card thread shows it).
      const notes = await eventually(async () => {
        const rows = await world.app.frontline.db.prisma.incidentEvent.findMany({ where: { incidentId: incident!.id, type: 'note', actor: 'WhatsApp' } });
        return rows.length ? rows : undefined;
      });
      expect(notes.map((n) => [n.internal, n.body])).toEqual([[true, "outside WhatsApp's 24-h window: sent the 'frontline_reply' template, the text follows when the customer answers"]]);
      expect(graph.sentTo(from).slice(before).every((m) => m.body.type === 'template')).toBe(true);

      // The reporter taps the template's quick reply: the window reopens and the held messages follow, in order.
      await postWebhook(world.app.url, fromExample('button_message.json', { from, patch: { context: { from: '15550783881', id: replyTemplate.wamid }, button: { payload: 'Show me', text: 'Show me' } } }));
      const csat = await world.expectSent(from, /has been resolved: Replaced the VPN profile\.\nHow happy/);
      const ping = await world.expectSent(from, /Ping me if it drops again/);
      expect(csat.at).toBeLessThanOrEqual(ping.at);
      expect(graph.sentTo(from).indexOf(csat)).toBeLessThan(graph.sentTo(from).indexOf(ping));
      await new Promise((r) => setTimeout(r, 500));
      const texts = graph.sentTo(from).map(textOf);
      // Each held message once (the dialog itself asks the CSAT question again after "Show me", which is no score).
      expect(texts.filter((t) => t === textOf(ping))).toHaveLength(1);
      const repeat = texts.findIndex((t) => /Please pick one of the options/.test(t));
      expect(texts.slice(0, repeat).filter((t) => t === textOf(csat))).toHaveLength(1);
      // The CSAT list is answered by tapping a row; the typed number works as well.
      await world.text(from, '5');
      await world.expectSent(from, /./);
      await eventually(async () => (await world.app.frontline.db.prisma.dialogSession.findFirst({ where: { conversation: { threadKey: { endsWith: `:${from}` } } } }))?.state);
    });

    it('files in both directions: a photo is stored, an oversized one refused politely, an agent file uploaded', async () => {
      const from = world.newReporter();
      world.graph.addMedia('778899', Buffer.from('%PDF-1.4 error log'), 'application/pdf');
      world.graph.addMedia('778800', Buffer.alloc(17 * 1024 * 1024, 1), 'video/mp4');
      await postWebhook(world.app.url, fromExample('image_message.json', { from, patch: { type: 'document', image: undefined, document: { id: '778899', mime_type: 'application/pdf', filename: 'error-log.pdf', caption: 'Outlook crashes, log attached' } } }));
      await world.expectSent(from, /./);
      const stored = await eventually(async () => world.app.frontline.db.prisma.attachment.findFirst({ where: { filename: 'error-log.pdf' } }));
      expect(Buffer.from(stored.data).toString()).toBe('%PDF-1.4 error log');
      await postWebhook(world.app.url, fromExample('image_message.json', { from, patch: { type: 'video', image: undefined, video: { id: '778800', mime_type: 'video/mp4' } } }));
      await world.expectSent(from, /too large/);
      expect(await world.app.frontline.db.prisma.attachment.count({ where: { size: { gt: 16 * 1024 * 1024 } } })).toBe(0);

      // An agent's file (stored with the incident's conversation) is uploaded to Meta and sent as a document.
      const conv = await world.app.frontline.db.prisma.conversation.findFirstOrThrow({ where: { threadKey: { endsWith: `:${from}` } } });
      const att = await world.app.frontline.db.prisma.attachment.create({ data: { conversationId: conv.id, filename: 'fix.txt', contentType: 'text/plain', size: 5, data: new Uint8Array(Buffer.from('steps')) } });
      await world.app.frontline.pipeline.transaction(async (tx) => {
        const { enqueueMessage } = await import('../../../src/outbox/enqueue.js');
        await enqueueMessage(tx, { id: conv.id, channel: 'whatsapp' }, { text: 'Here are the steps', author: { kind: 'agent', name: 'Maria' }, attachments: [{ id: att.id, filename: 'fix.txt', contentType: 'text/plain', size: 5 }] });
      });
      world.app.frontline.dispatcher.kick();
      const doc = await eventually(async () => world.graph.sentTo(from).find((m: SentMessage) => m.body.type === 'document'));
      expect(doc.body.document).toMatchObject({ filename: 'fix.txt', id: world.graph.uploads.at(-1)!.id });
      expect(world.graph.uploads.at(-1)).toMatchObject({ filename: 'fix.txt', size: 5, type: 'text/plain' });
    });
  });
}
