import { expect } from 'vitest';
import type { Database } from '../../src/db/database.js';
import { loadDialogs } from '../../src/dialog/catalog.js';
import { start, transition } from '../../src/dialog/engine.js';

/**
 * Proves a conversation lost and duplicated nothing: replays the stored inbound messages through the pure
 * engine and compares the replies it must have produced with the replies actually stored and delivered.
 * (Only for conversations that never file an incident: action results would differ.)
 */
export async function expectExactReplay(db: Database, conversationId: string, locale = 'en'): Promise<{ inbound: number; replies: number }> {
  const { dialogs } = await loadDialogs();
  const dialog = dialogs.get('report-incident@1')!;
  const messages = await db.prisma.message.findMany({ where: { conversationId }, orderBy: { seq: 'asc' } });
  let [state, effects] = start(dialog, locale);
  const expected = effects.flatMap((e) => (e.type === 'reply' ? [e.text] : []));
  for (const m of messages.filter((x) => x.direction === 'in')) {
    [state, effects] = transition(dialog, state, { type: 'message', text: m.text });
    expected.push(...effects.flatMap((e) => (e.type === 'reply' ? [e.text] : [])));
  }
  const out = messages.filter((m) => m.direction === 'out');
  expect(out.map((m) => m.text), `replies of ${conversationId}`).toEqual(expected);
  expect(out.every((m) => m.deliveredAt !== null), `all replies of ${conversationId} delivered`).toBe(true);
  const outbox = await db.prisma.outboxMessage.findMany({ where: { conversationId } });
  expect(outbox.map((o) => o.status).filter((s) => s !== 'sent')).toEqual([]);
  expect(outbox).toHaveLength(out.length);
  return { inbound: messages.length - out.length, replies: out.length };
}
