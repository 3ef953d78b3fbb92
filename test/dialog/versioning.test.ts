import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { type Database, openDatabase } from '../../src/db/database.js';
import { loadDialogs } from '../../src/dialog/catalog.js';
import { validateDefinition } from '../../src/dialog/definition.js';
import type { Dialog } from '../../src/dialog/engine.js';
import { DialogRunner, versionKey } from '../../src/dialog/runner.js';
import { IncidentService } from '../../src/incidents/service.js';
import { IntakePipeline } from '../../src/intake/pipeline.js';
import { createLogger } from '../../src/logger.js';
import { createMetrics } from '../../src/metrics.js';
import { ReporterNotifier } from '../../src/notifications/reporter.js';
import { createTestDatabase, DB_KINDS, type TestDatabase } from '../helpers/databases.js';

/**
 * A definition that changes mid-dialog: the session stays pinned while its version is loaded; when it is gone,
 * the new version's `migrate` map moves it forward, or (without a mapping) the dialog restarts politely.
 */
const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/dialog');

describe.each(DB_KINDS)('versioned dialog definitions ($kind)', ({ kind, skip }) => {
  let tdb: TestDatabase;
  let db: Database;
  let base: Omit<Dialog, 'definition'>;
  const logger = createLogger({ LOG_LEVEL: 'silent', LOG_FORMAT: 'json' });

  beforeAll(async () => {
    if (skip) return;
    tdb = await createTestDatabase(kind);
    db = await openDatabase(loadConfig({ ...tdb.env, LOG_LEVEL: 'silent' }), logger);
    const { t } = await loadDialogs();
    base = { t };
  }, 60_000);
  afterAll(async () => {
    await db?.close();
    await tdb?.drop();
  });

  const load = async (v: number): Promise<Dialog> => ({
    ...base,
    definition: validateDefinition(parseYaml(await readFile(path.join(FIXTURES, `versioned.v${v}.yaml`), 'utf8')), `v${v}`),
  });
  const pipelineWith = (...dialogs: Dialog[]) => {
    const map = new Map(dialogs.map((d) => [versionKey(d.definition.id, d.definition.version), d]));
    const runner = new DialogRunner(map, 'versioned', new IncidentService(new ReporterNotifier(base.t)));
    return new IntakePipeline(db, runner, createMetrics(), logger, () => {});
  };
  let n = 0;
  const say = (p: IntakePipeline, thread: string, text: string) =>
    p.receive({ channel: 'test', eventId: `e${++n}`, threadKey: thread, reference: {}, user: { externalId: `u-${thread}` }, text });
  const lastReply = async (conversationId: string) =>
    (await db.prisma.message.findFirst({ where: { conversationId, direction: 'out' }, orderBy: { seq: 'desc' } }))!.text;
  const session = async (conversationId: string) => db.prisma.dialogSession.findUnique({ where: { conversationId } });

  it.skipIf(skip)('a session stays on its pinned version while that version is loaded', async () => {
    const v1 = await load(1);
    const { conversationId } = await say(pipelineWith(v1), 'pin', 'Ada');
    expect(await lastReply(conversationId)).toBe('v.ask_color');
    await say(pipelineWith(v1, await load(2)), 'pin', 'blue');
    expect(await lastReply(conversationId)).toBe('v.bye'); // finished on v1: no size question
    expect((await session(conversationId))?.definitionVersion).toBe(1);
  });

  it.skipIf(skip)('a retired version migrates via the new definition\'s `migrate` map', async () => {
    const { conversationId } = await say(pipelineWith(await load(1)), 'mig', 'Grace');
    await say(pipelineWith(await load(2)), 'mig', 'green');
    expect(await lastReply(conversationId)).toBe('v.ask_size'); // answered the renamed step, then v2's new one
    const s = await session(conversationId);
    expect(s?.definitionVersion).toBe(2);
    expect((s?.state as { data: Record<string, string> }).data).toMatchObject({ name: 'Grace', color: 'green' });
  });

  it.skipIf(skip)('without a mapping the dialog restarts politely on the new version', async () => {
    const { conversationId } = await say(pipelineWith(await load(1)), 'restart', 'Linus');
    await say(pipelineWith(await load(3)), 'restart', 'red');
    const out = (await db.prisma.message.findMany({ where: { conversationId, direction: 'out' }, orderBy: { seq: 'asc' } })).map((m) => m.text);
    expect(out.slice(-2)).toEqual([expect.stringMatching(/updated while we were talking/), 'v.who']);
    expect((await session(conversationId))?.definitionVersion).toBe(3);
  });
});
