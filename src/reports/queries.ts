import type { Database } from '../db/database.js';

/** A report period: [from, to), and the time zone hours of the day are counted in. */
export interface Period {
  from: Date;
  to: Date;
  timeZone: string;
}

export interface Row {
  key: string;
  count: number;
}
export interface Spread {
  key: string;
  count: number;
  /** Minutes. */
  median: number;
  p90: number;
}

const OPEN = `('new','assigned','in_progress','pending','reopened')`;

/**
 * The service-desk figures, each one SQL statement over `incident` and its timeline (`incident_event`), on the
 * indexes created for them (created_at, resolved_at, (type, created_at)). Definitions are in the README.
 */
export class Reports {
  constructor(private readonly db: Database) {}

  private async rows<T>(sql: string, params: unknown[]): Promise<T[]> {
    return (await this.db.pool.query(sql, params)).rows as T[];
  }

  /** Incidents created in the period by channel, category, service and hour of day: one scan (grouping sets). */
  async volume(p: Period) {
    const rows = await this.rows<{ dim: string; key: string | null; count: number }>(
      `SELECT CASE WHEN grouping(c.channel) = 0 THEN 'channel' WHEN grouping(i.category) = 0 THEN 'category'
                   WHEN grouping(i.service) = 0 THEN 'service' ELSE 'hour' END AS dim,
              coalesce(c.channel, i.category, i.service, lpad(extract(hour FROM i.created_at AT TIME ZONE 'UTC' AT TIME ZONE $3)::int::text, 2, '0')) AS key,
              count(*)::int AS count
         FROM incident i LEFT JOIN conversation c ON c.id = i.origin_conversation_id
        WHERE i.created_at >= $1 AND i.created_at < $2
        GROUP BY GROUPING SETS ((c.channel), (i.category), (i.service), (extract(hour FROM i.created_at AT TIME ZONE 'UTC' AT TIME ZONE $3)))`,
      [p.from, p.to, p.timeZone]);
    const of = (dim: string): Row[] => rows.filter((r) => r.dim === dim).map((r) => ({ key: r.key ?? '(none)', count: r.count })).sort((a, b) => b.count - a.count || a.key.localeCompare(b.key)).slice(0, 50);
    const perHour = new Map(of('hour').map((h) => [h.key, h.count]));
    const byHour = Array.from({ length: 24 }, (_, h) => String(h).padStart(2, '0')).map((key) => ({ key, count: perHour.get(key) ?? 0 }));
    const byChannel = of('channel');
    return { total: byChannel.reduce((n, r) => n + r.count, 0), byChannel, byCategory: of('category'), byService: of('service'), byHour };
  }

  /** Median and p90 of `minutes` over incidents whose `anchor` time falls in the period, by priority and by group. */
  private async spread(p: Period, minutes: string, anchor: string) {
    const rows = await this.rows<Spread & { dim: string }>(
      `SELECT CASE WHEN grouping(priority) = 0 THEN 'priority' ELSE 'group' END AS dim,
              coalesce(priority, assignment_group, '(none)') AS key, count(*)::int AS count,
              round(percentile_cont(0.5) WITHIN GROUP (ORDER BY m)::numeric, 1)::float AS median,
              round(percentile_cont(0.9) WITHIN GROUP (ORDER BY m)::numeric, 1)::float AS p90
         FROM (SELECT i.priority, i.assignment_group, ${minutes} AS m FROM incident i WHERE ${anchor} >= $1 AND ${anchor} < $2) x
        WHERE m >= 0 GROUP BY GROUPING SETS ((priority), (assignment_group)) ORDER BY 2`, [p.from, p.to]);
    const of = (dim: string): Spread[] => rows.filter((r) => r.dim === dim).map(({ dim: _dim, ...r }) => r);
    return { byPriority: of('priority'), byGroup: of('group') };
  }

  /** Mean time to acknowledge: creation → first agent response (the SLA's response clock), in minutes. */
  mtta(p: Period) {
    return this.spread(p, 'extract(epoch FROM i.first_responded_at - i.created_at) / 60', 'i.first_responded_at');
  }

  /** Time to resolve: creation → resolution minus the minutes the clock was paused (waiting on the reporter). */
  mttr(p: Period) {
    return this.spread(p, 'extract(epoch FROM i.resolved_at - i.created_at) / 60 - i.sla_paused_minutes', 'i.resolved_at');
  }

  /** Resolved in the period within both SLA targets, by priority and group; the breaches listed (newest 100). */
  async sla(p: Period) {
    const grouped = this.rows<{ dim: string; key: string; resolved: number; met: number; compliance: number | null }>(
      `SELECT CASE WHEN grouping(priority) = 0 THEN 'priority' ELSE 'group' END AS dim,
              coalesce(priority, assignment_group, '(none)') AS key, count(*)::int AS resolved,
              count(*) FILTER (WHERE sla_breached_at IS NULL AND response_breached_at IS NULL)::int AS met,
              round(avg(CASE WHEN sla_breached_at IS NULL AND response_breached_at IS NULL THEN 1 ELSE 0 END)::numeric, 4)::float AS compliance
         FROM incident WHERE resolved_at >= $1 AND resolved_at < $2 GROUP BY GROUPING SETS ((priority), (assignment_group)) ORDER BY 2`, [p.from, p.to]);
    const [rows, breaches] = await Promise.all([
      grouped,
      this.rows<Record<string, unknown>>(
        `SELECT 'INC-' || lpad(number::text, 6, '0') AS number, priority, assignment_group AS "group", title,
                response_breached_at AS "responseBreachedAt", sla_breached_at AS "resolutionBreachedAt"
           FROM incident WHERE resolved_at >= $1 AND resolved_at < $2 AND (sla_breached_at IS NOT NULL OR response_breached_at IS NOT NULL)
          ORDER BY resolved_at DESC LIMIT 100`, [p.from, p.to]),
    ]);
    const of = (dim: string) => rows.filter((r) => r.dim === dim).map(({ dim: _dim, ...r }) => r);
    const [byPriority, byGroup] = [of('priority'), of('group')];
    const resolved = byPriority.reduce((n, r) => n + r.resolved, 0);
    const met = byPriority.reduce((n, r) => n + r.met, 0);
    return { resolved, met, compliance: resolved ? round(met / resolved) : null, byPriority, byGroup, breaches };
  }

  /** Open incidents now, by age. */
  backlog(at: Date) {
    return this.rows<Row>(
      `SELECT b.key, count(i.id)::int AS count FROM (VALUES (1, '< 1 d', 0, 1), (2, '1–3 d', 1, 3), (3, '3–7 d', 3, 7), (4, '7–30 d', 7, 30), (5, '> 30 d', 30, 100000)) AS b(ord, key, lo, hi)
         LEFT JOIN incident i ON i.status IN ${OPEN} AND i.created_at <= $1::timestamp - make_interval(days => b.lo) AND i.created_at > $1::timestamp - make_interval(days => b.hi)
        GROUP BY b.ord, b.key ORDER BY b.ord`, [at]);
  }

  /**
   * First-contact resolution: resolved incidents that needed at most one public agent reply and were never
   * reopened. Reopen rate: incidents resolved in the period that were reopened at some point.
   */
  async resolutionQuality(p: Period) {
    // The period's resolved incidents, then their reply and reopen events in one grouped pass (a hash join).
    const [row] = await this.rows<{ resolved: number; fcr: number; reopened: number }>(
      `WITH r AS (SELECT id FROM incident WHERE resolved_at >= $1 AND resolved_at < $2),
            ev AS (SELECT e.incident_id, count(*) FILTER (WHERE e.type = 'reply') AS replies,
                          count(*) FILTER (WHERE e.type = 'status_changed' AND e.data->>'to' = 'reopened') AS reopens
                     FROM incident_event e JOIN r ON r.id = e.incident_id
                    WHERE e.type IN ('reply', 'status_changed') GROUP BY e.incident_id)
       SELECT count(*)::int AS resolved,
              count(*) FILTER (WHERE coalesce(ev.replies, 0) <= 1 AND coalesce(ev.reopens, 0) = 0)::int AS fcr,
              count(*) FILTER (WHERE ev.reopens > 0)::int AS reopened
         FROM r LEFT JOIN ev ON ev.incident_id = r.id`, [p.from, p.to]);
    const resolved = row?.resolved ?? 0;
    return {
      fcr: { resolved, count: row?.fcr ?? 0, rate: resolved ? round((row?.fcr ?? 0) / resolved) : null },
      reopen: { resolved, count: row?.reopened ?? 0, rate: resolved ? round((row?.reopened ?? 0) / resolved) : null },
    };
  }

  /** CSAT answers given in the period: average, 1–5 distribution, by the incident's channel and group. */
  async csat(p: Period) {
    const base = `FROM incident_event e JOIN incident i ON i.id = e.incident_id LEFT JOIN conversation c ON c.id = i.origin_conversation_id
                  WHERE e.type = 'csat' AND e.created_at >= $1 AND e.created_at < $2 AND (e.data->>'score') ~ '^[1-5]$'`;
    const score = `(e.data->>'score')::int`;
    const rows = await this.rows<{ dim: string; key: string; count: number; average: number | null }>(
      `SELECT CASE WHEN grouping(c.channel) = 0 THEN 'channel' WHEN grouping(i.assignment_group) = 0 THEN 'group'
                   WHEN grouping(${score}) = 0 THEN 'score' ELSE 'all' END AS dim,
              coalesce(c.channel, i.assignment_group, ${score}::text, '(none)') AS key,
              count(*)::int AS count, round(avg(${score})::numeric, 2)::float AS average
         ${base} GROUP BY GROUPING SETS ((c.channel), (i.assignment_group), (${score}), ()) ORDER BY 2`, [p.from, p.to]);
    const of = (dim: string) => rows.filter((r) => r.dim === dim).map((r) => ({ key: r.key, count: r.count, average: r.average ?? 0 }));
    const total = rows.find((r) => r.dim === 'all');
    return {
      count: total?.count ?? 0, average: total?.count ? total.average : null,
      distribution: Object.fromEntries(of('score').map((d) => [Number(d.key), d.count])), byChannel: of('channel'), byGroup: of('group'),
    };
  }

  /** Self-service (KB) in the period: deflections per conversation shown suggestions, and click-through. */
  async deflection(p: Period) {
    const [row] = await this.rows<{ conversations: number; opened: number; helped: number }>(
      `SELECT count(DISTINCT conversation_id) FILTER (WHERE kind = 'suggested')::int AS conversations,
              count(DISTINCT conversation_id) FILTER (WHERE kind = 'opened')::int AS opened,
              count(*) FILTER (WHERE kind = 'feedback' AND helped)::int AS helped
         FROM kb_feedback WHERE created_at >= $1 AND created_at < $2`, [p.from, p.to]);
    const conversations = row?.conversations ?? 0;
    return {
      conversations, deflections: row?.helped ?? 0,
      rate: conversations ? round((row?.helped ?? 0) / conversations) : null,
      clickThroughRate: conversations ? round((row?.opened ?? 0) / conversations) : null,
    };
  }

  async summary(p: Period) {
    const [volume, mtta, mttr, sla, quality, csat, deflection] = await Promise.all([
      this.volume(p), this.mtta(p), this.mttr(p), this.sla(p), this.resolutionQuality(p), this.csat(p), this.deflection(p),
    ]);
    return { period: { from: p.from.toISOString(), to: p.to.toISOString(), timeZone: p.timeZone }, volume, mtta, mttr, sla, ...quality, csat, deflection };
  }
}

const round = (v: number) => Math.round(v * 10_000) / 10_000;
