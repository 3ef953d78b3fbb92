import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TeamsAdapter } from '../../../channels/teams/adapter.js';
import type { ChannelAdapter } from '../../../channels/types.js';
import { parseTeamsSettings } from '../../../channels/teams/settings.js';
import { eventually, startTestApp, type TestApp } from '../../helpers/app.js';
import type { DbKind } from '../../helpers/databases.js';
import { type CardAction, FakeConnector, type PostedActivity } from './connector.js';

/** The real activity JSON of the Teams SDK samples, read from ../shared at test time (never committed). */
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const fixtureDir = path.resolve(repoRoot, '../shared/fixtures/channels/teams/CSharp/Tests/Microsoft.Bot.Connector.Teams.Tests.Shared/Jsons');
export const fixturesPresent = existsSync(fixtureDir);
export const MISSING = `Teams fixtures not found at ${fixtureDir} — Teams tests skipped`;

export type Json = Record<string, unknown>;
export function fixture(name: string): Json {
  return JSON.parse(readFileSync(path.join(fixtureDir, name), 'utf8').replace(/^\uFEFF/, '')) as Json;
}

export const TENANT = '09e852a2-4575-45f7-9586-7cc3acfdc715';
export const BOT = { id: '28:f7c72d1a-9892-42b7-8fe0-6fb6e7c85851', name: 'Frontline' };
export interface TeamsUser { id: string; aadObjectId: string; name: string; email: string }
let users = 0;
let activities = 0;
export const nextActivityId = () => `1${String(Date.now()).slice(-8)}${String(++activities).padStart(4, '0')}`;

/** A Frontline instance with the Teams channel, its serviceUrl answered by a local fake Bot Connector. */
export class TeamsWorld {
  constructor(readonly app: TestApp, readonly connector: FakeConnector, readonly adapter: TeamsAdapter) {}

  static async start(kind: DbKind, env: Record<string, string> = {}, options: { appEnv?: Record<string, string>; channels?: ChannelAdapter[] } = {}): Promise<TeamsWorld> {
    const connector = await new FakeConnector().start();
    // Proactive posts into triage channels go to TEAMS_SERVICE_URL: the fake connector too.
    const adapter = new TeamsAdapter(parseTeamsSettings({ TEAMS_ENABLED: 'true', TEAMS_SERVICE_URL: connector.url, ...env }), 'https://frontline.example.com');
    const app = await startTestApp(kind, { channels: [adapter, ...(options.channels ?? [])], ...(options.appEnv ? { env: options.appEnv } : {}) });
    return new TeamsWorld(app, connector, adapter);
  }

  async close(): Promise<void> {
    await this.app.close();
    await this.connector.stop();
  }

  /** A fresh person in the roster (with an email), so each test starts its own dialog. */
  newUser(name: string): TeamsUser {
    users += 1;
    const aad = `00000000-0000-4000-8000-${String(users).padStart(12, '0')}`;
    const u = { id: `29:user-${users}-${name.toLowerCase()}`, aadObjectId: aad, name, email: `${name.toLowerCase()}@contoso.com` };
    this.connector.members.set(u.id, { name, email: u.email, userPrincipalName: u.email, aadObjectId: aad });
    return u;
  }

  personalConversation(u: TeamsUser): string {
    return `a:personal-${u.aadObjectId}`;
  }

  /** POSTs an activity to the messaging endpoint (optionally with an Authorization header). */
  post(activity: Json, authorization?: string): Promise<Response> {
    return fetch(`${this.app.url}/api/teams/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
      body: JSON.stringify(activity),
    });
  }

  /** A personal (1:1) chat message, built on the SDK sample's message with an AAD object id. */
  personalMessage(u: TeamsUser, text: string, extra: Json = {}): Json {
    const a = fixture('SampleActivityMessageWithAADObjectId.json');
    return {
      ...a, id: nextActivityId(), text, timestamp: new Date().toISOString(), serviceUrl: this.connector.url, locale: 'en-US',
      from: { id: u.id, name: u.name, aadObjectId: u.aadObjectId },
      conversation: { conversationType: 'personal', tenantId: TENANT, id: this.personalConversation(u) },
      recipient: BOT, channelData: { tenant: { id: TENANT } }, ...extra,
    };
  }

  dm(u: TeamsUser, text: string, extra: Json = {}): Promise<Response> {
    return this.post(this.personalMessage(u, text, extra));
  }

  /** A channel post that @mentions the bot (the SDK sample's at-mention activity, rewritten to our bot). */
  channelMention(u: TeamsUser, text: string, channel = '19:general@thread.tacv2'): Json {
    const a = fixture('SampleActivityAtMention.json');
    const id = nextActivityId();
    return {
      ...a, id, text: `<at>${BOT.name}</at> ${text}`, serviceUrl: this.connector.url,
      from: { id: u.id, name: u.name, aadObjectId: u.aadObjectId },
      conversation: { isGroup: true, conversationType: 'channel', tenantId: TENANT, id: `${channel};messageid=${id}` },
      recipient: BOT,
      entities: [{ type: 'mention', text: `<at>${BOT.name}</at>`, mentioned: BOT }, { type: 'clientInfo', locale: 'en-US' }],
      channelData: { channel: { id: channel }, team: { id: channel }, tenant: { id: TENANT } },
      attachments: [{ contentType: 'text/html', content: `<div><at>${BOT.name}</at> ${text}</div>` }],
    };
  }

  /** Clicks a card button the bot posted: Teams sends a message activity with `value` = the action's data. */
  click(u: TeamsUser, posted: PostedActivity, title: RegExp | string, inputs: Json = {}): Promise<Response> {
    const action = findAction(posted, title);
    const conv = posted.conversationId;
    const base = conv.startsWith('a:') ? this.personalMessage(u, '') : this.channelMention(u, '', conv.split(';')[0]);
    return this.post({
      ...base, text: undefined, entities: [], attachments: undefined, id: nextActivityId(), replyToId: posted.id,
      conversation: { ...(base.conversation as Json), id: conv },
      value: { ...action.data, ...inputs },
    });
  }

  expectPosted(pattern: RegExp, conversationId?: string, timeoutMs = 10_000): Promise<PostedActivity> {
    return eventually(async () => this.connector.messages(conversationId).find((p) => pattern.test(p.activity.text ?? '')), timeoutMs, `Teams message matching ${pattern}`);
  }
}

/** A card's Action.Submit (also inside a ShowCard): by choice id (a string) or by title (a RegExp). */
export function findAction(posted: PostedActivity, title: RegExp | string): CardAction & { data: Json } {
  const all: CardAction[] = [];
  const walk = (actions: CardAction[] | undefined) => {
    for (const a of actions ?? []) {
      all.push(a);
      walk(a.card?.actions);
    }
  };
  for (const att of posted.activity.attachments ?? []) walk(att.content.actions);
  const found = all.find((a) => a.type === 'Action.Submit' && (typeof title === 'string' ? a.data?.choice === title : title.test(a.title)));
  if (!found?.data) throw new Error(`no button ${String(title)} on ${JSON.stringify(posted.activity)}`);
  return found as CardAction & { data: Json };
}

export function buttonTitles(posted: PostedActivity): string[] {
  return (posted.activity.attachments?.[0]?.content.actions ?? []).map((a) => a.title);
}
