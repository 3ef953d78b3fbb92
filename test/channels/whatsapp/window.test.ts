import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAFETY_MARGIN_MS, WINDOW_MS, windowOpen } from '../../../channels/whatsapp/window.js';
import { eventually } from '../../helpers/app.js';
import { DB_KINDS } from '../../helpers/databases.js';
import { GRAPH_ERRORS } from './fake-graph.js';
import { age, hasShared, MISSING, textOf, WhatsAppWorld } from './world.js';

/** A small seeded PRNG (mulberry32): failing timelines are reproducible from the printed seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('the 24-hour window rule', () => {
  it('is open strictly inside 24 h minus the safety margin, closed without any inbound message', () => {
    const t0 = new Date('2026-12-01T10:00:00Z');
    const at = (ms: number) => new Date(t0.getTime() + ms);
    expect(windowOpen(undefined, t0)).toBe(false);
    expect(windowOpen(t0, t0)).toBe(true);
    expect(windowOpen(t0, at(WINDOW_MS - SAFETY_MARGIN_MS - 1))).toBe(true);
    expect(windowOpen(t0, at(WINDOW_MS - SAFETY_MARGIN_MS))).toBe(false);
    const random = prng(7);
    for (let i = 0; i < 10_000; i++) {
      const age = Math.floor(random() * 3 * WINDOW_MS) - WINDOW_MS / 10;
      if (windowOpen(t0, at(age))) expect(age).toBeLessThan(WINDOW_MS);
    }
  });
});

type Step = { kind: 'wait'; hours: number } | { kind: 'agent' } | { kind: 'reporter' } | { kind: 'status' };

for (const { kind, skip } of DB_KINDS) {
  describe.skipIf(skip || !hasShared)(`WhatsApp window over random timelines (${kind})${hasShared ? '' : ` — ${MISSING}`}`, () => {
    let world: WhatsAppWorld;
    beforeAll(async () => {
      // Only the status notice has a template: agent replies outside the window wait without one.
      world = await WhatsAppWorld.start(kind, { env: { WHATSAPP_TEMPLATES: 'status=frontline_status:en|sv|pt_BR,resolved=frontline_resolved:en' } });
    }, 120_000);
    afterAll(async () => {
      await world?.close();
    });
    const api = (path: string, method: string, body: unknown) =>
      fetch(`${world.app.url}/api/v1${path}`, { method, headers: { authorization: `Bearer ${world.app.tokens.admin}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

    async function settled(from: string): Promise<void> {
      await eventually(async () => (await world.app.frontline.db.prisma.outboxMessage.count({ where: { status: 'pending', conversation: { threadKey: { endsWith: `:${from}` } } } })) === 0, 15_000, 'the outbox to settle');
    }

    async function fileIncident(from: string): Promise<string> {
      await world.text(from, 'The shared drive is not reachable from my laptop');
      const confirm = await world.expectSent(from, /Shall I go ahead/);
      await world.tap(from, confirm, 'yes');
      const filed = await world.expectSent(from, /Your incident is INC-\d+/);
      return /INC-\d+/.exec(textOf(filed))![0];
    }

    it('no free-form message ever leaves outside the window, and no agent reply is lost or doubled', async () => {
      const steps = 9;
      let closedSteps = 0;
      for (const seed of [11, 23, 42, 1234, 77, 2026]) {
        const random = prng(seed);
        const from = world.newReporter();
        const number = await fileIncident(from);
        await settled(from);
        let hoursSinceReporter = 0;
        let status: 'in_progress' | 'pending' = 'pending';
        const replies: string[] = [];
        const timeline: Step[] = [];
        for (let i = 0; i < steps; i++) {
          const r = random();
          const step: Step = r < 0.35 ? { kind: 'wait', hours: [1, 5, 12, 23, 24, 30][Math.floor(random() * 6)]! } : r < 0.65 ? { kind: 'agent' } : r < 0.85 ? { kind: 'status' } : { kind: 'reporter' };
          timeline.push(step);
          const before = world.graph.sentTo(from).length;
          if (step.kind === 'wait') {
            await age(world, from, step.hours);
            hoursSinceReporter += step.hours;
          } else if (step.kind === 'agent') {
            const text = `Reply ${seed}-${i} from the service desk.`;
            replies.push(text);
            expect((await api(`/incidents/${number}/comments`, 'POST', { text, author: 'Maria' })).status).toBe(201);
          } else if (step.kind === 'status') {
            status = status === 'pending' ? 'in_progress' : 'pending';
            await api(`/incidents/${number}`, 'PATCH', { status });
          } else {
            expect((await world.text(from, `Any news? (${seed}-${i})`)).status).toBe(200);
            hoursSinceReporter = 0;
          }
          await settled(from);
          const open = hoursSinceReporter * 3_600_000 < WINDOW_MS - SAFETY_MARGIN_MS;
          const fresh = world.graph.sentTo(from).slice(before);
          if (!open) closedSteps += 1;
          if (!open) expect(fresh.map((m) => m.body.type).filter((t) => t !== 'template'), `seed ${seed}, ${JSON.stringify(timeline)}`).toEqual([]);
        }
        // The reporter writes: everything held arrives, each agent reply exactly once.
        await world.text(from, 'Hello again');
        await settled(from);
        await eventually(async () => {
          const texts = world.graph.sentTo(from).filter((m) => m.body.type !== 'template').map(textOf);
          return replies.every((reply) => texts.filter((t) => t.endsWith(reply)).length === 1);
        }, 10_000, `every agent reply delivered once (seed ${seed}, ${JSON.stringify(timeline)})`);
      }
      expect(closedSteps).toBeGreaterThan(5); // the timelines did spend time outside the window
    }, 180_000);

    it('the reporter’s language picks the template language among those configured', async () => {
      const from = world.newReporter();
      await world.text(from, 'Den delade enheten går inte att nå från min bärbara dator sedan i morse');
      const confirm = await world.expectSent(from, /Ska jag göra det/);
      await world.tap(from, confirm, 'yes');
      const number = /INC-\d+/.exec(textOf(await world.expectSent(from, /Ditt ärende är INC-\d+/)))![0];
      await settled(from);
      await age(world, from, 30);
      await api(`/incidents/${number}`, 'PATCH', { status: 'in_progress' });
      const template = await world.expectSent(from, /^template:frontline_status$/);
      expect(template.body.template).toMatchObject({ name: 'frontline_status', language: { code: 'sv' } });
    }, 60_000);

    it('without a template the reply is held visibly (dead letter saying so), and Meta’s 131047 also leads to the template path', async () => {
      const from = world.newReporter();
      const number = await fileIncident(from);
      await settled(from);
      await age(world, from, 30);
      await api(`/incidents/${number}/comments`, 'POST', { text: 'Held without a template.', author: 'Maria' });
      const dead = await eventually(async () => world.app.frontline.db.prisma.outboxMessage.findFirst({ where: { status: 'dead', lastError: { startsWith: 'held:' }, conversation: { threadKey: { endsWith: `:${from}` } } } }));
      expect(dead.lastError).toMatch(/no template for "reply"/);
      // The agent is told where they work: an internal note, which Slack/Teams show in the incident's card thread.
      const incident = await world.app.frontline.db.prisma.incident.findFirstOrThrow({ where: { number: Number(/\d+/.exec(number)![0]) } });
      const note = await eventually(async () => world.app.frontline.db.prisma.incidentEvent.findFirst({ where: { incidentId: incident.id, type: 'note', actor: 'WhatsApp' } }));
      expect(note).toMatchObject({ internal: true, body: "outside WhatsApp's 24-h window and no 'reply' template configured (WHATSAPP_TEMPLATES): the text is held until the customer writes again" });
      expect(world.graph.sentTo(from).some((m) => textOf(m).includes('Held without a template'))).toBe(false);
      // Meta disagrees with our clock (131047) while we think the window is open: the status template goes out.
      await world.text(from, 'ok');
      await world.expectSent(from, /Held without a template/);
      await settled(from);
      world.graph.fail(GRAPH_ERRORS.reengagement);
      await api(`/incidents/${number}`, 'PATCH', { status: 'in_progress' });
      await world.expectSent(from, /^template:frontline_status$/);
      await world.text(from, 'thanks');
      await world.expectSent(from, /status is now in progress/);
      // An operator retrying the old dead letter does not send the reply a second time.
      await fetch(`${world.app.url}/api/v1/admin/outbox/${dead.id}/retry`, { method: 'POST', headers: { authorization: `Bearer ${world.app.tokens.admin}` } });
      await eventually(async () => (await world.app.frontline.db.prisma.outboxMessage.findUnique({ where: { id: dead.id } }))?.status === 'sent');
      expect(world.graph.sentTo(from).filter((m) => textOf(m).includes('Held without a template'))).toHaveLength(1);
    }, 60_000);
  });
}
