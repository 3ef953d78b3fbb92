import { SlackAdapter } from '../../../channels/slack/adapter.js';
import { parseSlackSettings } from '../../../channels/slack/settings.js';
import { eventually, startTestApp, type TestApp } from '../../helpers/app.js';
import type { DbKind, TestDatabase } from '../../helpers/databases.js';
import { BOT, BOT_TOKEN, type EmulatedMessage, SlackEmulator } from './emulator.js';
import { eventEnvelope, interactivityBody, nextEventId, postToSlackEndpoint } from './requests.js';

export const SECRET = 'emulated-signing-secret';
export const TRIAGE = 'C0TRIAGE01';
export const RESTRICTED = 'G0RESTRICT';
export const NETWORK = 'C0NETWORK1';
export const REPORTER = { id: 'UREPORT01', name: 'Erik', email: 'erik@example.com', dm: 'DREPORT01' };
export const REPORTER2 = { id: 'UREPORT02', name: 'Anna', email: 'anna@example.com', dm: 'DREPORT02' };
type Reporter = typeof REPORTER;
let reporters = 0;
export const AGENT = { id: 'UAGENT001', name: 'maria.s', email: 'maria@example.com', shown: 'Maria (IT support)' };
export const OUTSIDER = { id: 'UOTHER001', name: 'Olle', email: 'olle@example.com' };

/** A Frontline instance with the Slack channel, wired to a local Slack Web API emulator. */
export class SlackWorld {
  constructor(readonly app: TestApp, readonly slack: SlackEmulator, private readonly ownsEmulator = true) {}

  /** `options.slack`/`options.db`: share an emulator or a database with another instance (then the caller closes them). */
  static async start(kind: DbKind, env: Record<string, string> = {}, options: { slack?: SlackEmulator; db?: TestDatabase; appEnv?: Record<string, string> } = {}): Promise<SlackWorld> {
    const slack = options.slack ?? (await new SlackEmulator().start());
    slack.users.set(REPORTER.id, { name: REPORTER.name, email: REPORTER.email });
    slack.users.set(REPORTER2.id, { name: REPORTER2.name, email: REPORTER2.email });
    slack.users.set(AGENT.id, { name: AGENT.name, email: AGENT.email });
    slack.users.set(OUTSIDER.id, { name: OUTSIDER.name, email: OUTSIDER.email });
    slack.usergroups.set('S0AGENTS1', [AGENT.id]);
    const adapter = new SlackAdapter(parseSlackSettings({
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_API_URL: slack.url,
      SLACK_TRIAGE_CHANNELS: `default=${TRIAGE},Network=${NETWORK}`,
      SLACK_RESTRICTED_CHANNEL: RESTRICTED,
      SLACK_AGENT_GROUPS: 'S0AGENTS1',
      SLACK_AGENT_NAMES: `${AGENT.email}=${AGENT.shown}`,
      ...env,
    }));
    const app = await startTestApp(kind, { channels: [adapter], ...(options.db ? { db: options.db } : {}), ...(options.appEnv ? { env: options.appEnv } : {}) });
    return new SlackWorld(app, slack, !options.slack);
  }

  /** A fresh reporter (own DM), so each test starts a new dialog; unique across worlds sharing an emulator. */
  newReporter(name: string): Reporter {
    reporters += 1;
    const id = `UNEW${String(reporters).padStart(5, '0')}`;
    this.slack.users.set(id, { name, email: `${name.toLowerCase()}@example.com` });
    return { id, name, email: `${name.toLowerCase()}@example.com`, dm: `D${id.slice(1)}` };
  }

  async close(): Promise<void> {
    await this.app.close();
    if (this.ownsEmulator) await this.slack.stop();
  }

  /** Sends a signed Events API `message` event; returns the HTTP response and the message ts. */
  async message(channel: string, user: string, text: string, options: { threadTs?: string; eventId?: string; retryNum?: number; ts?: string; channelType?: string } = {}) {
    const ts = options.ts ?? this.slack.userPost(channel, user, text, options.threadTs);
    const body = eventEnvelope('MessagePayload.json', {
      type: 'message', channel, user, text, ts, event_ts: ts,
      channel_type: options.channelType ?? (channel.startsWith('D') ? 'im' : channel.startsWith('G') ? 'group' : 'channel'),
      ...(options.threadTs ? { thread_ts: options.threadTs } : {}),
    }, options.eventId ?? nextEventId());
    const res = await postToSlackEndpoint(this.app.url, body, { secret: SECRET, retryNum: options.retryNum });
    return { res, ts, body };
  }

  /** A `file_share` message (Slack's MessageFileSharePayload) with files uploaded to the emulator first. */
  async shareFiles(channel: string, user: string, text: string, files: { name: string; mimetype: string; data: Buffer }[], options: { threadTs?: string; eventId?: string } = {}) {
    const entries = files.map((f) => this.slack.userFile(user, f.name, f.mimetype, f.data));
    const ts = this.slack.userPost(channel, user, text, options.threadTs);
    const body = eventEnvelope('MessageFileSharePayload.json', {
      type: 'message', subtype: 'file_share', channel, user, text, ts, event_ts: ts, files: entries, upload: false, display_as_bot: false,
      channel_type: channel.startsWith('D') ? 'im' : channel.startsWith('G') ? 'group' : 'channel',
      ...(options.threadTs ? { thread_ts: options.threadTs } : {}),
    }, options.eventId ?? nextEventId());
    const res = await postToSlackEndpoint(this.app.url, body, { secret: SECRET });
    return { res, ts, body };
  }

  dm(text: string, reporter: Reporter = REPORTER, options: { eventId?: string; retryNum?: number; ts?: string } = {}) {
    return this.message(reporter.dm, reporter.id, text, options);
  }

  /** Clicks a button of a message the app posted. */
  async click(user: string, message: EmulatedMessage, actionId: string, value: string, extra: Record<string, unknown> = {}) {
    const body = interactivityBody('app-backend/interactive-components/BlockActionPayload.json', {
      type: 'block_actions',
      user: { id: user, username: user.toLowerCase(), name: user.toLowerCase(), team_id: BOT.team },
      trigger_id: `${Date.now()}.trigger.${Math.random().toString(36).slice(2)}`,
      container: { type: 'message', message_ts: message.ts, channel_id: message.channel, is_ephemeral: false, ...(message.thread_ts ? { thread_ts: message.thread_ts } : {}) },
      channel: { id: message.channel, name: 'emulated' },
      message: { type: 'message', ts: message.ts, text: message.text, ...(message.thread_ts ? { thread_ts: message.thread_ts } : {}) },
      actions: [{ type: 'button', action_id: actionId, block_id: 'b', value, action_ts: String(Date.now() / 1000), text: { type: 'plain_text', text: value } }],
      ...extra,
    });
    return postToSlackEndpoint(this.app.url, body, { secret: SECRET });
  }

  async submitView(user: string, callbackId: string, privateMetadata: string, values: Record<string, Record<string, unknown>>) {
    const body = interactivityBody('app-backend/views/ViewSubmissionPayload.json', {
      type: 'view_submission',
      user: { id: user, username: user.toLowerCase(), name: user.toLowerCase(), team_id: BOT.team },
      view: { id: 'V0MODAL', type: 'modal', callback_id: callbackId, private_metadata: privateMetadata, state: { values } },
    });
    return postToSlackEndpoint(this.app.url, body, { secret: SECRET });
  }

  /** Waits for a message the app posted matching `pattern` (optionally in one channel / thread). */
  expectPosted(pattern: RegExp, where: { channel?: string; threadTs?: string } = {}, timeoutMs = 10_000): Promise<EmulatedMessage> {
    return eventually(async () =>
      this.slack.botMessages(where.channel).find((m) => pattern.test(m.text) && (where.threadTs === undefined || m.thread_ts === where.threadTs)),
    timeoutMs, `Slack message matching ${pattern}`);
  }

  card(): Promise<EmulatedMessage> {
    return eventually(async () => this.slack.botMessages().find((m) => m.metadata?.event_type === 'frontline_card'), 10_000, 'a triage card');
  }

  /** Reports an incident by DM through the whole dialog; returns the incident number. */
  async reportByDm(text: string, reporter: Reporter = REPORTER): Promise<string> {
    await this.dm(text, reporter);
    const confirm = await this.expectPosted(/Shall I go ahead/, { channel: reporter.dm });
    await this.click(reporter.id, confirm, 'frontline_choice_0', 'yes');
    const filed = await this.expectPosted(/Your incident is INC-\d+/, { channel: reporter.dm });
    return /INC-\d+/.exec(filed.text)![0];
  }
}
