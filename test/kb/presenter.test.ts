import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tx } from '../../src/db/database.js';
import { DialogActions } from '../../src/dialog/actions.js';
import { loadDialogs } from '../../src/dialog/catalog.js';
import { parseArticle } from '../../src/kb/article.js';
import { presentArticle } from '../../src/kb/presenter.js';
import { DB_KINDS } from '../helpers/databases.js';
import { REPO_ROOT, startGuidedApp, type GuidedApp } from '../dialog/app.js';

/** An article in a conversation: title, short summary and a link to the full page — not a cut-off wall of text. */
const vpn = parseArticle('vpn-connect-en.md', readFileSync(path.join(REPO_ROOT, 'kb/en/vpn-connect-en.md'), 'utf8'));

describe('article presentation', () => {
  it('with a public address: title, the opening sentences (≤ 220 characters) and the link, no steps', () => {
    const shown = presentArticle(vpn, 'https://help.example.com/kb/articles/vpn-connect-en');
    expect(shown.title).toBe("VPN won't connect");
    expect(shown.summary.length).toBeGreaterThan(20);
    expect(shown.summary.length).toBeLessThanOrEqual(221);
    expect(vpn.body.replace(/\s+/g, ' ')).toContain(shown.summary.replace(/…$/, ''));
    expect(shown).toMatchObject({ steps: '', link: 'https://help.example.com/kb/articles/vpn-connect-en' });
  });
  it('without one: the numbered steps, whole, at most five', () => {
    const shown = presentArticle(vpn);
    const steps = shown.steps.split('\n').filter((l) => /^\d+\./.test(l));
    expect(steps.length).toBeGreaterThan(0);
    expect(steps.length).toBeLessThanOrEqual(5);
    for (const s of steps) expect(vpn.body).toContain(s);
    expect(shown.link).toBe('none');
  });
});

describe.each(DB_KINDS)('the full article page and the dialog message ($kind)', ({ kind, skip }) => {
  let t: GuidedApp;
  beforeAll(async () => {
    if (!skip) t = await startGuidedApp(kind);
  }, 90_000);
  afterAll(async () => t?.close());

  it.skipIf(skip)('GET /kb/articles/:id serves the article as escaped HTML without scripts; unknown ids are 404', async () => {
    const res = await fetch(`${t.url}/kb/articles/vpn-connect-en`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    const html = await res.text();
    expect(html).toContain("<h1>VPN won't connect</h1>");
    expect(html).toMatch(/<ol><li>/);
    expect(html).not.toMatch(/<script/i);
    expect((await fetch(`${t.url}/kb/articles/nope`)).status).toBe(404);
    expect((await fetch(`${t.url}/kb/articles/%3Cscript%3E`)).status).toBe(404);
  });

  it.skipIf(skip)('the "did this fix it?" message: title, summary and "Open the full article" with the link', async () => {
    const { t: translate } = await loadDialogs();
    const dialog = (await loadDialogs()).dialogs.get('report-guided@1')!;
    const actions = new DialogActions({ incidents: t.frontline.incidents, articleUrl: (id: string) => `https://help.example.com/kb/articles/${id}` } as never, translate);
    const contact = await t.frontline.db.prisma.contact.create({ data: { displayName: 'Presenter test' } });
    const conversation = await t.frontline.db.prisma.conversation.create({ data: { channel: 'webchat', threadKey: `presenter-${kind}`, contactId: contact.id } });
    const opened = await actions.run(t.frontline.db.prisma as unknown as Tx, 'kb_open', { kb_choice: 'vpn-connect-en' }, { contactId: contact.id, conversationId: conversation.id, incidentId: null, locale: 'en' });
    const text = dialog.t('en', 'guided.article', Object.fromEntries(Object.entries(opened).map(([k, v]) => [`kb_open_${k}`, v])) as never);
    expect(text).toMatch(/^VPN won't connect\n.{20,221}\n\nOpen the full article: https:\/\/help\.example\.com\/kb\/articles\/vpn-connect-en\n\nDid this fix it\?$/s);
  });
});
