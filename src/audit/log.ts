import { AsyncLocalStorage } from 'node:async_hooks';
import type { Database, Prisma, Tx } from '../db/database.js';

type Client = Database['prisma'] | Tx;

/** Who acts in the current request: set once by the authentication middleware, read where changes converge. */
export interface AuditActor {
  actor: string;
  via: string;
  address?: string | undefined;
}
const current = new AsyncLocalStorage<AuditActor>();
export const withAuditActor = <T>(actor: AuditActor, fn: () => T): T => current.run(actor, fn);
export const auditActor = (): AuditActor | undefined => current.getStore();

export interface AuditRecord {
  actor: string;
  via: string;
  action: string;
  target?: string | null;
  before?: unknown;
  after?: unknown;
  address?: string | null | undefined;
}

const json = (v: unknown) => (v === undefined || v === null ? undefined : (JSON.parse(JSON.stringify(v)) as Prisma.InputJsonValue));

/** Appends one audit entry, in the caller's transaction when given one (so it commits with the change). */
export async function writeAudit(db: Client, record: AuditRecord): Promise<void> {
  await db.auditEntry.create({
    data: {
      actor: record.actor.slice(0, 400),
      via: record.via,
      action: record.action,
      target: record.target ?? null,
      ...(json(record.before) !== undefined ? { before: json(record.before) } : {}),
      ...(json(record.after) !== undefined ? { after: json(record.after) } : {}),
      address: record.address ?? null,
    },
  });
}

/** An action attributed to the request's actor (console session or API token), falling back to `fallback`. */
export function recordFor(action: string, fallback: AuditActor, rest: Omit<AuditRecord, 'actor' | 'via' | 'action' | 'address'> = {}): AuditRecord {
  const who = auditActor() ?? fallback;
  return { actor: who.actor, via: who.via, address: who.address, action, ...rest };
}
