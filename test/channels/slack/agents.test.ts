import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerAgentCommands } from '../../../src/cli/commands/agents.js';
import type { Database } from '../../../src/db/database.js';
import { eventually } from '../../helpers/app.js';
import { DB_KINDS } from '../../helpers/databases.js';
import { fixturesPresent, MISSING } from './requests.js';
import { AGENT, SlackWorld, TRIAGE } from './world.js';

/** Runs `frontline agents …` in-process against the running app's database (the CLI must not close it). */
async function cli(db: Database, args: string[]): Promise<{ out: string; exitCode: number | undefined }> {
  const program = new Command().exitOverride();
  const shared = Object.assign(Object.create(db) as Database, { close: async () => {} });
  registerAgentCommands(program, async () => shared);
  let out = '';
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string) => ((out += chunk), true)) as typeof process.stdout.write;
  const before = process.exitCode;
  try {
    await program.parseAsync(['node', 'frontline', 'agents', ...args]);
  } finally {
    process.stdout.write = write;
  }
  const exitCode = process.exitCode as number | undefined;
  process.exitCode = before;
  return { out, exitCode };
}

for (const { kind, skip } of DB_KINDS) {
  describe.skipIf(skip || !fixturesPresent)(`Slack agent override table (${kind})${fixturesPresent ? '' : ` — ${MISSING}`}`, () => {
    let world: SlackWorld;
    beforeAll(async () => {
      world = await SlackWorld.start(kind);
    });
    afterAll(async () => {
      await world?.close();
    });
    const api = (method: string, path: string, token: string, body?: unknown) =>
      fetch(`${world.app.url}/api/v1/admin/agents${path}`, { method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });

    it('the admin API edits the table; names and the active flag apply at once, over SLACK_AGENT_NAMES and groups', async () => {
      const reporter = world.newReporter('Ivar');
      const number = await world.reportByDm('Teams crashes when I share my screen', reporter);
      const card = await eventually(async () => world.slack.botMessages(TRIAGE).find((m) => m.text.includes(number) && m.metadata), 10_000, 'the card');

      expect((await api('PUT', `/${AGENT.id}`, world.app.tokens.agent, { displayName: 'Nope' })).status).toBe(403);
      expect((await api('PUT', '/not-a-key', world.app.tokens.admin, { displayName: 'X' })).status).toBe(400);
      const put = await api('PUT', `/${AGENT.id}`, world.app.tokens.admin, { displayName: 'Maria S. (Service desk)', email: 'Maria@Example.com' });
      expect(put.status).toBe(200);
      expect(await put.json()).toMatchObject({ channel: 'slack', key: AGENT.id, displayName: 'Maria S. (Service desk)', email: 'maria@example.com', active: true });

      await world.message(TRIAGE, AGENT.id, 'Which Teams version do you have?', { threadTs: card.ts });
      const relayed = await world.expectPosted(/Which Teams version/, { channel: reporter.dm });
      expect(relayed.text).toContain('Maria S. (Service desk)');
      expect(relayed.text).not.toContain(AGENT.shown);

      // Deactivated: refused, although the user group still lists the agent.
      expect((await api('PUT', `/${AGENT.id}`, world.app.tokens.admin, { active: false })).status).toBe(200);
      await world.message(TRIAGE, AGENT.id, 'Did a restart help?', { threadTs: card.ts });
      await eventually(async () => world.slack.callsOf('chat.postEphemeral').find((c) => c.args.user === AGENT.id && String(c.args.text).includes('only service desk agents')), 5_000, 'a refusal');

      const list = (await (await api('GET', '', world.app.tokens.admin)).json()) as { items: { key: string; active: boolean }[] };
      expect(list.items).toContainEqual(expect.objectContaining({ key: AGENT.id, active: false }));
      expect((await api('DELETE', `/${AGENT.id}`, world.app.tokens.admin)).status).toBe(204);
      expect((await api('DELETE', `/${AGENT.id}`, world.app.tokens.admin)).status).toBe(404);

      // Without an entry, the SLACK_AGENT_NAMES fallback applies again.
      await world.message(TRIAGE, AGENT.id, 'Please update to the latest version.', { threadTs: card.ts });
      const back = await world.expectPosted(/update to the latest version/, { channel: reporter.dm });
      expect(back.text).toContain(AGENT.shown);
      expect(world.slack.botMessages(reporter.dm).some((m) => m.text.includes('Did a restart help'))).toBe(false);
    });

    it('`frontline agents set|list|remove` edits the same table; an entry by email applies to that Slack user', async () => {
      const set = await cli(world.app.frontline.db, ['set', 'MARIA@example.com', '--name', 'Maria from IT']);
      expect(JSON.parse(set.out)).toMatchObject({ key: 'maria@example.com', displayName: 'Maria from IT', active: true });
      expect((await cli(world.app.frontline.db, ['list'])).out).toMatch(/slack\tmaria@example\.com\tMaria from IT\t-\tactive/);

      const reporter = world.newReporter('Jonna');
      const number = await world.reportByDm('The shared drive is read-only', reporter);
      const card = await eventually(async () => world.slack.botMessages(TRIAGE).find((m) => m.text.includes(number) && m.metadata), 10_000, 'the card');
      await world.message(TRIAGE, AGENT.id, 'I have fixed the permissions.', { threadTs: card.ts });
      expect((await world.expectPosted(/fixed the permissions/, { channel: reporter.dm })).text).toContain('Maria from IT');

      expect((await cli(world.app.frontline.db, ['set', 'maria@example.com', '--active', '--inactive'])).exitCode).toBe(2);
      expect((await cli(world.app.frontline.db, ['remove', 'maria@example.com'])).out).toBe('removed\n');
      const missing = await cli(world.app.frontline.db, ['remove', 'maria@example.com']);
      expect(missing.exitCode).toBe(1);
    });
  });
}
