import type { AgentOverrideView, ChannelHost } from '../../channels/types.js';
import type { Database } from '../db/database.js';

export interface AgentOverrideInput {
  channel?: string;
  key: string;
  displayName?: string | null;
  email?: string | null;
  active?: boolean;
}

/**
 * Keys are user ids as given, emails and GUIDs (Teams AAD object ids) lowercased, so `Maria@Example.com` and
 * `maria@example.com` are one entry.
 */
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const normaliseAgentKey = (key: string) => (key.includes('@') || GUID.test(key.trim()) ? key.trim().toLowerCase() : key.trim());

/** The agent override table as the channels see it (read-only). */
export function createAgentOverrides(db: Database): ChannelHost['agents'] {
  return {
    async find(channel, keys) {
      const wanted = keys.filter(Boolean).map(normaliseAgentKey);
      if (!wanted.length) return undefined;
      const rows = await db.prisma.agentOverride.findMany({ where: { channel, key: { in: wanted } } });
      const row = wanted.map((k) => rows.find((r) => r.key === k)).find(Boolean);
      return row ? toView(row) : undefined;
    },
  };
}

/** Operator edits (admin API and CLI). */
export async function listAgentOverrides(db: Database, channel?: string) {
  const rows = await db.prisma.agentOverride.findMany({ where: channel ? { channel } : {}, orderBy: [{ channel: 'asc' }, { key: 'asc' }] });
  return rows.map((r) => ({ channel: r.channel, ...toView(r), updatedAt: r.updatedAt.toISOString() }));
}

export async function upsertAgentOverride(db: Database, input: AgentOverrideInput) {
  const channel = input.channel ?? 'slack';
  const key = normaliseAgentKey(input.key);
  const fields = {
    ...(input.displayName !== undefined ? { displayName: input.displayName } : {}),
    ...(input.email !== undefined ? { email: input.email?.toLowerCase() ?? null } : {}),
    ...(input.active !== undefined ? { active: input.active } : {}),
  };
  const row = await db.prisma.agentOverride.upsert({ where: { channel_key: { channel, key } }, create: { channel, key, ...fields }, update: fields });
  return { channel: row.channel, ...toView(row), updatedAt: row.updatedAt.toISOString() };
}

export async function deleteAgentOverride(db: Database, key: string, channel = 'slack'): Promise<boolean> {
  const r = await db.prisma.agentOverride.deleteMany({ where: { channel, key: normaliseAgentKey(key) } });
  return r.count > 0;
}

function toView(r: { key: string; displayName: string | null; email: string | null; active: boolean }): AgentOverrideView {
  return { key: r.key, displayName: r.displayName, email: r.email, active: r.active };
}
