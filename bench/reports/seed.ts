import type pg from 'pg';

/**
 * Generated history for the reports: `count` incidents spread over `days` before `end`, in SQL (one statement
 * per table, so 100,000 incidents take seconds). Deterministic for a given count: incident n has
 *   channel      = webchat/email/slack/teams by n % 4,  priority = P1…P5 by n % 5,  group = one of 4 by n % 4 (with n % 3 shifted),
 *   created_at   = end − days·(n / count) (evenly spread), plus n % 24 hours of offset within its day,
 *   first reply  = n % 60 + 1 minutes after creation (every incident but n % 10 = 0),
 *   resolved     = n % 7 ≠ 0 ones, (n % 48 + 1) hours after creation; response breach when n % 11 = 0,
 *   reopened     = n % 13 = 0 (a status_changed → reopened event), CSAT score n % 5 + 1 for n % 3 = 0,
 *   replies      = 1 reply event, 2 when n % 4 = 0.
 */
export async function seedReportHistory(pool: pg.Pool, count: number, options: { end?: Date; days?: number } = {}): Promise<void> {
  const end = options.end ?? new Date();
  const days = options.days ?? 365;
  const client = await pool.connect(); // one connection: the scratch table is per session
  const q = (sql: string, params: unknown[] = []) => client.query(sql, params);
  try {
  await q(`INSERT INTO contact (id, display_name, created_at, updated_at) VALUES ('00000000-0000-4000-8000-00000000c0de', 'Bench reporter', now(), now()) ON CONFLICT DO NOTHING`);
  await q(`CREATE TEMP TABLE seed AS
    SELECT n, gen_random_uuid() AS id, gen_random_uuid() AS conv,
           (ARRAY['webchat','email','slack','teams'])[n % 4 + 1] AS channel,
           'P' || (n % 5 + 1) AS priority,
           (ARRAY['Service Desk','Network Operations','Identity & Access Management','Workplace Services'])[(n + n % 3) % 4 + 1] AS grp,
           ($1::timestamp - make_interval(secs => ($2::float8 * 86400 * n / $3::int)) - make_interval(hours => n % 24)) AS created
      FROM generate_series(1, $3::int) AS n`, [end.toISOString().replace('Z', ''), days, count]);
  await q(`INSERT INTO conversation (id, channel, thread_key, contact_id, created_at, updated_at)
           SELECT conv, channel, 'seed-' || n, '00000000-0000-4000-8000-00000000c0de', created, created FROM seed`);
  await q(`INSERT INTO incident (id, number, title, description, category, priority, status, assignment_group, reporter_id, origin_conversation_id,
                                 created_at, updated_at, first_responded_at, resolved_at, response_breached_at)
           SELECT id, 1000000 + n, 'Generated incident ' || n, 'generated', (ARRAY['network','account','email','hardware','software'])[n % 5 + 1],
                  priority, CASE WHEN n % 7 = 0 THEN 'in_progress'::incident_status ELSE 'resolved'::incident_status END, grp,
                  '00000000-0000-4000-8000-00000000c0de', conv, created, created,
                  CASE WHEN n % 10 = 0 THEN NULL ELSE created + make_interval(mins => n % 60 + 1) END,
                  CASE WHEN n % 7 = 0 THEN NULL ELSE created + make_interval(hours => n % 48 + 1) END,
                  CASE WHEN n % 11 = 0 THEN created + make_interval(mins => 5) END
             FROM seed`);
  await q(`INSERT INTO incident_event (id, incident_id, type, actor, internal, body, created_at)
           SELECT gen_random_uuid(), id, 'reply', 'agent', false, 'reply', created + make_interval(mins => n % 60 + 1) FROM seed
           UNION ALL SELECT gen_random_uuid(), id, 'reply', 'agent', false, 'again', created + make_interval(mins => 90) FROM seed WHERE n % 4 = 0`);
  await q(`INSERT INTO incident_event (id, incident_id, type, actor, internal, data, created_at)
           SELECT gen_random_uuid(), id, 'status_changed', 'reporter', false, '{"from":"resolved","to":"reopened"}'::jsonb, created + make_interval(mins => 30) FROM seed WHERE n % 13 = 0
           UNION ALL SELECT gen_random_uuid(), id, 'csat', 'reporter', false, jsonb_build_object('score', n % 5 + 1), created + make_interval(hours => n % 48 + 2) FROM seed WHERE n % 3 = 0 AND n % 7 <> 0`);
  await q('DROP TABLE seed');
  await q('ANALYZE incident');
  await q('ANALYZE incident_event');
  } finally {
    client.release();
  }
}
