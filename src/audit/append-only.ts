import type { Database } from '../db/database.js';

/**
 * The audit log is append-only in the database itself, not only in our code: UPDATE, TRUNCATE and DELETE are
 * refused by a trigger, except a DELETE inside the retention purge, whose transaction sets
 * frontline.audit_purge (src/audit/retention.ts). Installed at every start, idempotently (the migration runner
 * cannot carry a PL/pgSQL body, see the migration's note); an advisory lock keeps instances starting together
 * from racing on it.
 */
const FUNCTION_SQL = `
CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND current_setting('frontline.audit_purge', true) = 'on' THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'audit_entry is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$`;

export async function ensureAuditAppendOnly(db: Database): Promise<void> {
  const client = await db.pool.connect();
  try {
    await client.query('BEGIN');
    await client.query("SELECT pg_advisory_xact_lock(hashtext('frontline.audit_append_only'))");
    const { rows } = await client.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_trigger WHERE tgrelid = 'audit_entry'::regclass AND tgname LIKE 'audit_entry_append_only%'");
    if ((rows[0]?.n ?? 0) < 2) {
      await client.query(FUNCTION_SQL);
      await client.query('DROP TRIGGER IF EXISTS audit_entry_append_only_row ON audit_entry');
      await client.query('DROP TRIGGER IF EXISTS audit_entry_append_only_truncate ON audit_entry');
      await client.query('CREATE TRIGGER audit_entry_append_only_row BEFORE UPDATE OR DELETE ON audit_entry FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only()');
      await client.query('CREATE TRIGGER audit_entry_append_only_truncate BEFORE TRUNCATE ON audit_entry FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_append_only()');
    }
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}
