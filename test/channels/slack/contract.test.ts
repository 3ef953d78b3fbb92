import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlackAdapter, slackFromEnv, SLACK_SETTING_KEYS } from '../../../channels/slack/adapter.js';
import { toSendError, SlackHealth } from '../../../channels/slack/errors.js';
import { parseSlackSettings } from '../../../channels/slack/settings.js';
import { ChannelSendError, type ConversationReference } from '../../../channels/types.js';
import { createLogger } from '../../../src/logger.js';
import { loadConfig } from '../../../src/config/load.js';
import { SlackEmulator } from './emulator.js';
import { channelContract } from '../contract.js';

const base = { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's' };

describe('Slack settings', () => {
  it('is off without a bot token and parses the mapping variables', () => {
    expect(slackFromEnv({})).toBeUndefined();
    const s = parseSlackSettings({ ...base, SLACK_TRIAGE_CHANNELS: 'default=C111, Network = C222', SLACK_AGENT_USERS: 'U1, Maria@Example.com', SLACK_SOCKET_MODE: 'false' });
    expect([...s.triageChannels]).toEqual([['default', 'C111'], ['network', 'C222']]);
    expect(s.agentUsers).toEqual(['U1', 'maria@example.com']);
    expect(s.notePrefix).toBe('note:');
    expect(s.apiUrl).toBe('https://slack.com/api/');
    expect(SLACK_SETTING_KEYS).toContain('SLACK_RESTRICTED_CHANNEL');
  });

  it('names every bad variable', () => {
    expect(() => parseSlackSettings({ SLACK_BOT_TOKEN: 'x' })).toThrow(/SLACK_SIGNING_SECRET/);
    expect(() => parseSlackSettings({ ...base, SLACK_SOCKET_MODE: 'true' })).toThrow(/SLACK_APP_TOKEN/);
    expect(() => parseSlackSettings({ ...base, SLACK_TRIAGE_CHANNELS: 'default' })).toThrow(/key=value/);
    expect(() => parseSlackSettings({ ...base, SLACK_TRIAGE_CHANNELS: 'default=#it-help' })).toThrow(/channel ids/);
  });
});

describe('Slack channel contract', () => {
  const adapter = new SlackAdapter(parseSlackSettings(base));

  it('thread keys round-trip for DMs, mention threads and cards, and reject other channels', () => {
    const refs: ConversationReference[] = [
      { team: 'T1', channel: 'D1' },
      { team: 'T1', channel: 'C1', thread_ts: '1712345678.123456' },
      { team: 'T1', channel: 'C1', card: true, incidentId: '0b8e4f6a-1c2d-4e5f-8a9b-0c1d2e3f4a5b' },
    ];
    for (const ref of refs) {
      const key = adapter.encodeThreadKey(ref);
      expect(key.startsWith('slack:')).toBe(true);
      expect(adapter.decodeThreadKey(key)).toEqual(ref);
    }
    expect(adapter.encodeThreadKey({ team: 'T1', channel: 'D1', user: 'U1' })).toBe('slack:T1:D1'); // the user does not identify the thread
    for (const bad of ['webchat:abc', 'slack:T1', 'slack:T1:C1:notats', 'slack:T1:C1:card:', 'slack:T1:C:1:2:3:4']) expect(() => adapter.decodeThreadKey(bad)).toThrow();
  });

  it('has sane capabilities', () => {
    expect(adapter.name).toBe('slack');
    expect(adapter.capabilities).toMatchObject({ buttons: true, threads: true, edit: true, markup: 'slack-mrkdwn' });
    expect(adapter.capabilities.maxTextLength).toBeGreaterThan(1000);
  });

  describe('against the emulator', () => {
    let slack: SlackEmulator;
    let started: SlackAdapter;
    const mounted: string[] = [];
    beforeAll(async () => {
      slack = await new SlackEmulator().start();
      started = new SlackAdapter(parseSlackSettings({ ...base, SLACK_API_URL: slack.url }));
      const logger = createLogger(loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' }));
      await started.start({ logger, mount: (p: string) => mounted.push(p), onIncidentChange: () => {} } as never);
    });
    afterAll(async () => {
      await started.stop();
      await slack.stop();
    });

    it('mounts its webhook, sends with an external id (threaded when the reference has a thread) and edits', async () => {
      expect(mounted).toEqual(['/slack']);
      const ctx = { idempotencyKey: 'k', conversationId: 'c', attempt: 1 };
      const sent = await started.send({ team: 'T1', channel: 'D1' }, { text: 'Hello **there** <b>', author: { kind: 'bot' }, choices: [{ id: 'yes', label: 'Yes' }] }, ctx);
      expect(sent.externalId).toMatch(/^\d+\.\d+$/);
      const posted = slack.callsOf('chat.postMessage').at(-1)!.args;
      expect(posted.text).toBe('Hello *there* &lt;b&gt;');
      expect(String(posted.blocks)).toContain('"value":"yes"');
      await started.send({ team: 'T1', channel: 'C1', thread_ts: sent.externalId! }, { text: 'in thread', author: { kind: 'bot' } }, ctx);
      expect(slack.callsOf('chat.postMessage').at(-1)!.args.thread_ts).toBe(sent.externalId);
      await started.update!({ team: 'T1', channel: 'D1' }, sent.externalId!, { text: 'edited', author: { kind: 'bot' } });
      expect(slack.messages.find((m) => m.ts === sent.externalId)!.text).toBe('edited');
      expect(await started.health()).toEqual({ ok: true, detail: 'http mode' });
    });

    it('maps Slack failures to the outbox retry contract', async () => {
      const ctx = { idempotencyKey: 'k', conversationId: 'c', attempt: 1 };
      slack.fail('chat.postMessage', { status: 429, retryAfter: 7 });
      const limited = await started.send({ team: 'T1', channel: 'D1' }, { text: 'x', author: { kind: 'bot' } }, ctx).catch((e: unknown) => e);
      expect(limited).toBeInstanceOf(ChannelSendError);
      expect(limited).toMatchObject({ retryable: true, retryAfterMs: 7_000 });
      slack.fail('chat.postMessage', { error: 'is_archived' });
      const archived = await started.send({ team: 'T1', channel: 'C9' }, { text: 'x', author: { kind: 'bot' } }, ctx).catch((e: unknown) => e);
      expect(archived).toMatchObject({ retryable: false });
      expect(await started.health()).toMatchObject({ ok: false, detail: expect.stringContaining('is_archived') });
      slack.fail('chat.postMessage', { status: 503 });
      expect(await started.send({ team: 'T1', channel: 'D1' }, { text: 'x', author: { kind: 'bot' } }, ctx).catch((e: unknown) => e)).toMatchObject({ retryable: true });
      await started.send({ team: 'T1', channel: 'C9' }, { text: 'x', author: { kind: 'bot' } }, ctx);
      expect((await started.health()).ok).toBe(true); // the channel works again
    });
  });

  it('treats network failures as retryable', () => {
    const health = new SlackHealth(createLogger(loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' })));
    expect(toSendError(new Error('ECONNREFUSED'), 'C1', health)).toMatchObject({ retryable: true });
    expect(health.ok).toBe(true);
  });
});

channelContract('slack', () => new SlackAdapter(parseSlackSettings(base)), {
  references: [
    { team: 'T1', channel: 'D1' },
    { team: 'T1', channel: 'C1', thread_ts: '1712345678.123456' },
  ],
  foreignKeys: ['webchat:abc', 'email:<a@b>'],
});
