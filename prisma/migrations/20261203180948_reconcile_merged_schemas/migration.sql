-- No change to the database: eight branches each added their own migration, and every one of them is applied
-- before this one. This folder only records the merged datamodel (schema.snapshot.prisma), so the next
-- `npm run db:migration` diffs from the whole schema rather than from the last branch's part of it.
BEGIN;
COMMIT;
