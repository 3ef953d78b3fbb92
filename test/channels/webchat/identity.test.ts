import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signVisitor } from '../../../channels/webchat/identity.js';
import { startTestApp, type TestApp } from '../../helpers/app.js';
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
});
