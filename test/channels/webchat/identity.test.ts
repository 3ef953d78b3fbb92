import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signVisitor } from '../../../channels/webchat/identity.js';
import { eventually, startTestApp, type TestApp } from '../../helpers/app.js';
import { fileIncident } from '../../helpers/webchat-client.js';
import { DB_KINDS } from '../../helpers/databases.js';

const SECRET = 'host-page-secret-0123456789';

/** Issue #19.7: a web chat reporter can be named (typed, or signed by the embedding page); agents see it. */
describe.each(DB_KINDS)('web chat reporter identity ($kind)', ({ kind, skip }) => {
  let t: TestApp;
  beforeAll(async () => {
    if (!skip) t = await startTestApp(kind, { env: { WEBCHAT_IDENTITY_SECRET: SECRET } });
  });
  afterAll(async () => t?.close());

  const open = (body: unknown) => fetch(`${t.url}/webchat/v1/conversations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const contactOf = async (res: Response) => {
    const { conversationId } = (await res.json()) as { conversationId: string };
    const conversation = await t.frontline.db.prisma.conversation.findUniqueOrThrow({ where: { id: conversationId } });
    return t.frontline.db.prisma.contact.findUniqueOrThrow({ where: { id: conversation.contactId } });
  };

  it.skipIf(skip)('a signed data-user names the reporter; a bad or expired signature is refused', async () => {
    const user = signVisitor({ name: 'Karin Berg', email: 'Karin.Berg@example.com', exp: Math.floor(Date.now() / 1000) + 600 }, SECRET);
    const res = await open({ user });
    expect(res.status).toBe(201);
    expect(await contactOf(res)).toMatchObject({ displayName: 'Karin Berg', email: 'karin.berg@example.com' });
    expect((await open({ user: signVisitor({ name: 'Mallory' }, 'another-secret-0123456789') })).status).toBe(400);
    expect((await open({ user: signVisitor({ name: 'Old', exp: 1 }, SECRET) })).status).toBe(400);
  });

  it.skipIf(skip)('a typed name and email are kept as given', async () => {
    const res = await open({ name: 'Per', email: 'per@example.com' });
    expect(res.status).toBe(201);
    expect(await contactOf(res)).toMatchObject({ displayName: 'Per' });
    expect((await open({ email: 'not-an-email' })).status).toBe(400);
  });

  it.skipIf(skip)('a typed email never links the visitor to the person who owns that address', async () => {
    const typed = await contactOf(await open({ name: 'Mallory', email: 'ceo@example.com' }));
    expect(typed.emailVerified).toBe(false);
    // The real owner arrives later, vouched for by the host page: a contact of their own, not Mallory's.
    const signed = await contactOf(await open({ user: signVisitor({ name: 'The CEO', email: 'ceo@example.com' }, SECRET) }));
    expect(signed.id).not.toBe(typed.id);
    expect(signed.emailVerified).toBe(true);
  });

  it.skipIf(skip)('after filing, an anonymous visitor may leave a name and email; agents get a note', async () => {
    const { chat, number } = await fileIncident(t.url, 'The printer on floor 3 prints blank pages');
    const reporter = (method: string, body?: unknown) =>
      fetch(`${t.url}/webchat/v1/conversations/${chat.conversationId}/reporter`, {
        method,
        headers: { authorization: `Bearer ${chat.token}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    expect(await (await reporter('GET')).json()).toEqual({ name: null, email: null, emailVerified: false, incidentNumber: number });
    expect((await reporter('PUT', { email: 'not an email' })).status).toBe(400);
    expect((await reporter('PUT', {})).status).toBe(400);
    const saved = await reporter('PUT', { name: 'Ana Souza', email: 'Ana.Souza@example.com' });
    expect(saved.status).toBe(200);
    expect(await saved.json()).toEqual({ name: 'Ana Souza', email: 'ana.souza@example.com', emailVerified: false, incidentNumber: number });
    const incident = await t.frontline.db.prisma.incident.findFirstOrThrow({ where: { number: Number(number.slice(4)) }, include: { reporter: true } });
    expect(incident.reporter).toMatchObject({ displayName: 'Ana Souza', email: 'ana.souza@example.com', emailVerified: false });
    const note = await eventually(() => t.frontline.db.prisma.incidentEvent.findFirst({ where: { incidentId: incident.id, type: 'note' } }));
    expect(note.internal).toBe(true);
    expect(note.body).toContain('ana.souza@example.com');
    // Saving the same again changes nothing and adds no second note.
    expect((await reporter('PUT', { name: 'Ana Souza', email: 'ana.souza@example.com' })).status).toBe(200);
    expect(await t.frontline.db.prisma.incidentEvent.count({ where: { incidentId: incident.id, type: 'note' } })).toBe(1);
    // Another conversation's token cannot read or change this reporter.
    const other = await fileIncident(t.url, 'Outlook keeps asking for my password');
    const foreign = await fetch(`${t.url}/webchat/v1/conversations/${chat.conversationId}/reporter`, { headers: { authorization: `Bearer ${other.chat.token}` } });
    expect(foreign.status).toBe(403);
  });

  it.skipIf(skip)('a verified email is not replaced by a typed one', async () => {
    const res = await open({ user: signVisitor({ name: 'Karin Berg', email: 'karin@example.com' }, SECRET) });
    const { conversationId, token } = (await res.json()) as { conversationId: string; token: string };
    const put = await fetch(`${t.url}/webchat/v1/conversations/${conversationId}/reporter`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'someone.else@example.com' }),
    });
    expect(put.status).toBe(409);
  });
});
