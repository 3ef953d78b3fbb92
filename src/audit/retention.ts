import type { Database } from '../db/database.js';

/**
 * The one path allowed to delete audit entries: entries older than AUDIT_RETENTION_DAYS (0 = keep for ever).
 * The append-only trigger lets a DELETE through only when the transaction sets frontline.audit_purge.
 */
export async function purgeAuditLog(db: Database, retentionDays: number, now = new Date()): Promise<number> {
  if (retentionDays <= 0) return 0;
  const cutoff = new Date(now.getTime() - retentionDays * 86_400_000);
  const [, deleted] = await db.prisma.$transaction([
    db.prisma.$executeRaw`SELECT set_config('frontline.audit_purge', 'on', true)`,
    db.prisma.$executeRaw`DELETE FROM audit_entry WHERE at < ${cutoff}`,
  ]);
  return deleted;
}
