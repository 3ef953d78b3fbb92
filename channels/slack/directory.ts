import type { webApi } from '@slack/bolt';
import { CARD_METADATA } from './blocks.js';
import type { SlackSettings } from './settings.js';
import type { ChannelHost } from '../types.js';

export type WebClient = InstanceType<typeof webApi.WebClient>;

export interface SlackPerson {
  id: string;
  displayName: string | undefined;
  email: string | undefined;
  locale: string | undefined;
  isBot: boolean;
}

/** A tiny TTL cache: Slack lookups are rate-limited (users.info tier 4, usergroups tier 2). */
class Ttl<V> {
  private readonly entries = new Map<string, { value: V; until: number }>();
  constructor(private readonly ttlMs: number, private readonly max = 5_000) {}
  get(key: string): V | undefined {
    const e = this.entries.get(key);
    if (!e || e.until < Date.now()) return undefined;
    return e.value;
  }
  set(key: string, value: V): void {
    if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { value, until: Date.now() + this.ttlMs });
  }
}

/**
 * Who is who on Slack, and which Slack message is which incident's card. Cards are recorded in the database
 * (and can be rebuilt from their message metadata); people come from Slack and the agent override table.
 * The in-process caches only save calls, so any instance can serve any event.
 */
export class SlackDirectory {
  private readonly people = new Ttl<SlackPerson>(10 * 60_000);
  private readonly groups = new Ttl<Set<string>>(5 * 60_000);
  /** card ts → incident number, and incident id → card ts, for cards this process posted or looked up. */
  private readonly cardByTs = new Ttl<{ number: string; incidentId: string } | null>(24 * 3600_000);
  private readonly tsByIncident = new Ttl<string>(24 * 3600_000);
  private readonly intakeThreads = new Ttl<boolean>(60 * 60_000);

  constructor(
    private readonly web: WebClient,
    private readonly settings: SlackSettings,
    private readonly botUserId: () => string | undefined,
    /** The agent override table (database) and durable per-channel state, shared by every instance. */
    private readonly host: Pick<ChannelHost, 'agents' | 'state'>,
  ) {}

  /** The override table entry for a Slack user, by user id first, then by their email. */
  private async override(userId: string, person: SlackPerson | undefined) {
    return this.host.agents.find('slack', [userId, ...(person?.email ? [person.email] : [])]);
  }

  async person(userId: string): Promise<SlackPerson> {
    const cached = this.people.get(userId);
    if (cached) return cached;
    const res = await this.web.users.info({ user: userId, include_locale: true });
    const u = res.user;
    const person: SlackPerson = {
      id: userId,
      displayName: u?.profile?.display_name || u?.profile?.real_name || u?.real_name || u?.name || undefined,
      email: u?.profile?.email?.toLowerCase() || undefined,
      locale: u?.locale || undefined,
      isBot: Boolean(u?.is_bot),
    };
    this.people.set(userId, person);
    return person;
  }

  /** The name reporters see for an agent: the override table, then SLACK_AGENT_NAMES, then the Slack profile. */
  async agentName(userId: string): Promise<string> {
    const person = await this.person(userId).catch(() => undefined);
    const row = await this.override(userId, person);
    if (row?.displayName) return row.displayName;
    return this.settings.agentNames.get(userId.toLowerCase()) ?? (person?.email && this.settings.agentNames.get(person.email)) ?? person?.displayName ?? userId;
  }

  /**
   * An override entry decides (active or not); otherwise SLACK_AGENT_USERS/GROUPS; without any of them,
   * membership of the triage channel is the permission.
   */
  async isAgent(userId: string): Promise<boolean> {
    const row = await this.override(userId, await this.person(userId).catch(() => undefined));
    if (row) return row.active;
    const { agentUsers, agentGroups } = this.settings;
    if (!agentUsers.length && !agentGroups.length) return true;
    if (agentUsers.includes(userId)) return true;
    if (agentUsers.some((u) => u.includes('@'))) {
      const person = await this.person(userId).catch(() => undefined);
      if (person?.email && agentUsers.includes(person.email)) return true;
    }
    for (const group of agentGroups) {
      let members = this.groups.get(group);
      if (!members) {
        const res = await this.web.usergroups.users.list({ usergroup: group });
        members = new Set(res.users ?? []);
        this.groups.set(group, members);
      }
      if (members.has(userId)) return true;
    }
    return false;
  }

  /**
   * Records a posted card in the database (channel state, shared by every instance and kept across restarts);
   * the in-process maps are only a cache of it.
   */
  async rememberCard(channel: string, ts: string, incident: { number: string; incidentId: string }): Promise<void> {
    this.cardByTs.set(`${channel}:${ts}`, incident);
    // Per channel: an incident made confidential has a card in the broad channel and one in the restricted one.
    this.tsByIncident.set(`${channel}:${incident.incidentId}`, ts);
    await this.host.state.set(`card:${incident.incidentId}:${channel}`, { channel, ts });
    await this.host.state.set(`card:${incident.incidentId}`, { channel, ts });
    await this.host.state.set(`card-ts:${channel}:${ts}`, incident);
  }

  /** The incident whose card is the root of this thread, or undefined for any other thread. */
  async cardOfThread(channel: string, threadTs: string): Promise<{ number: string; incidentId: string } | undefined> {
    const key = `${channel}:${threadTs}`;
    const cached = this.cardByTs.get(key);
    if (cached !== undefined) return cached ?? undefined;
    const stored = await this.host.state.get<{ number: string; incidentId: string }>(`card-ts:${key}`);
    if (stored) {
      this.cardByTs.set(key, stored);
      return stored;
    }
    // Not recorded (e.g. posted before the record existed): the card's message metadata says.
    const root = await this.message(channel, threadTs);
    const payload = root?.metadata?.event_type === CARD_METADATA ? (root.metadata.event_payload as Record<string, unknown> | undefined) : undefined;
    const found = payload && typeof payload.number === 'string' && typeof payload.incident_id === 'string' ? { number: payload.number, incidentId: payload.incident_id } : null;
    this.cardByTs.set(key, found);
    if (found) this.tsByIncident.set(`${channel}:${found.incidentId}`, threadTs);
    return found ?? undefined;
  }

  /** The ts of an incident's card in `channel`: from the database, else by scanning recent history for its metadata. */
  async cardTs(channel: string, incidentId: string): Promise<string | undefined> {
    const cached = this.tsByIncident.get(`${channel}:${incidentId}`);
    if (cached) return cached;
    const stored =
      (await this.host.state.get<{ channel: string; ts: string }>(`card:${incidentId}:${channel}`)) ??
      (await this.host.state.get<{ channel: string; ts: string }>(`card:${incidentId}`)); // recorded before per-channel keys
    if (stored?.channel === channel) {
      this.tsByIncident.set(`${channel}:${incidentId}`, stored.ts);
      return stored.ts;
    }
    let cursor: string | undefined;
    for (let page = 0; page < 5; page++) {
      const res = await this.web.conversations.history({ channel, limit: 200, include_all_metadata: true, ...(cursor ? { cursor } : {}) });
      for (const m of res.messages ?? []) {
        const p = m.metadata?.event_type === CARD_METADATA ? (m.metadata.event_payload as Record<string, unknown> | undefined) : undefined;
        if (p && p.incident_id === incidentId && m.ts) {
          await this.rememberCard(channel, m.ts, { number: String(p.number), incidentId });
          return m.ts;
        }
      }
      cursor = res.response_metadata?.next_cursor || undefined;
      if (!cursor) break;
    }
    return undefined;
  }

  /** Whether a thread in an ordinary channel is an intake conversation: its root message mentions the app. */
  async isIntakeThread(channel: string, threadTs: string): Promise<boolean> {
    const key = `${channel}:${threadTs}`;
    const cached = this.intakeThreads.get(key);
    if (cached !== undefined) return cached;
    const bot = this.botUserId();
    const root = await this.message(channel, threadTs);
    const yes = Boolean(bot && root?.text?.includes(`<@${bot}>`));
    this.intakeThreads.set(key, yes);
    return yes;
  }

  markIntakeThread(channel: string, threadTs: string): void {
    this.intakeThreads.set(`${channel}:${threadTs}`, true);
  }

  private async message(channel: string, ts: string) {
    const res = await this.web.conversations.history({ channel, latest: ts, inclusive: true, limit: 1, include_all_metadata: true });
    const m = res.messages?.[0];
    return m && m.ts === ts ? m : undefined;
  }
}
