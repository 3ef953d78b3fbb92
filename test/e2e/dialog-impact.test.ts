import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DB_KINDS } from '../helpers/databases.js';
import { eventually } from '../helpers/app.js';
import { WebchatClient } from '../helpers/webchat-client.js';
import { startGuidedApp, type GuidedApp } from '../dialog/app.js';

/**
 * The judgement a reporter meets first: a single-user problem with a misleading word ("customer", "entire")
 * is not filed as a wide outage, and a report that says a department or office is down is not asked "who is
 * affected?" only to end P3 on "only me". Walks the guided flow over the web chat, on both databases.
 */
describe.each(DB_KINDS)('impact read from the report ($kind)', ({ kind, skip }) => {
  let t: GuidedApp;
  beforeAll(async () => {
    if (!skip) t = await startGuidedApp(kind);
  }, 60_000);
  afterAll(async () => t?.close());

  /** Answers every question with its first option (no KB article, "only me" when asked) up to the summary. */
  async function walk(text: string): Promise<{ asked: string[]; summary: string }> {
    const chat = await new WebchatClient(t.url).open();
    await chat.expectReply(/What's the problem/);
    await chat.send({ text });
    const asked: string[] = [];
    let seen = chat.transcript.length;
    for (let step = 0; step < 12; step++) {
      await eventually(async () => {
        await chat.poll();
        return chat.transcript.slice(seen).some((m) => m.direction === 'out');
      }, 10_000, 'the next question');
      // One step's replies may be delivered one by one: let them all arrive, then answer the last.
      await new Promise((r) => setTimeout(r, 300));
      await chat.poll();
      const next = chat.transcript.slice(seen).filter((m) => m.direction === 'out').at(-1)!;
      seen = chat.transcript.length;
      asked.push(next.text);
      if (/Priority: P\d/.test(next.text)) return { asked, summary: next.text };
      const none = next.choices?.find((c) => c.id === 'none');
      await chat.send(next.choices?.length ? { choice: (none ?? next.choices[0]!).id } : { text: 'not sure' });
    }
    throw new Error(`no summary after: ${asked.join(' | ')}`);
  }

  it.skipIf(skip)('a department-wide outage is P1 without asking who is affected', async () => {
    const { asked, summary } = await walk('SAP is down for the whole finance department, we cannot close the month');
    expect(asked.join('\n')).not.toMatch(/Who is affected/);
    expect(summary).toMatch(/Priority: P1/);
  });

  it.skipIf(skip)('an office without Wi-Fi is wide impact', async () => {
    const { asked, summary } = await walk('Nobody in the Malmö office has Wi-Fi');
    expect(asked.join('\n')).not.toMatch(/Who is affected/);
    expect(summary).toMatch(/Priority: P[12]/);
  });

  it.skipIf(skip)('single-user problems with misleading words are not P1 or P2', async () => {
    for (const text of ['I cannot open the PDF a customer sent me', 'Excel deleted my entire spreadsheet when it crashed']) {
      const { summary } = await walk(text);
      expect(summary).not.toMatch(/Priority: P[12]/);
    }
  });
});
