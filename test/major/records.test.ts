import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../../src/db/database.js';
import { formatMajorIncidentNumber, getMajorIncident, listActiveMajorIncidents, listLinkedIncidents } from '../../src/major/records.js';
import { createTestDatabase, DB_KINDS, type TestDatabase } from '../helpers/databases.js';

describe.each(DB_KINDS)('major incident records on $kind', ({ kind, skip }) => {
  let testDb: TestDatabase;
  let db: Database;

  beforeAll(async () => {
    if (skip) return;
    testDb = await createTestDatabase(kind);
    db = await openDatabase({ DATABASE_URL: testDb.env.DATABASE_URL, DATABASE_POOL_SIZE: 4, FRONTLINE_DATA_DIR: testDb.env.FRONTLINE_DATA_DIR, FRONTLINE_AUTO_MIGRATE: true });
  });
  afterAll(async () => {
    await db?.close();
    await testDb?.drop();
  });

  it.skipIf(skip)('finds a major incident by id or number, its children and the active ones', async () => {
    const reporter = await db.prisma.contact.create({ data: { displayName: 'R' } });
    const mi = await db.prisma.majorIncident.create({ data: { serviceId: 'vpn', title: 'VPN down' } });
    const done = await db.prisma.majorIncident.create({ data: { serviceId: 'vpn', title: 'old', status: 'resolved' } });
    const a = await db.prisma.incident.create({ data: { title: 'a', description: 'a', reporterId: reporter.id, service: 'vpn', majorIncidentId: mi.id } });
    const b = await db.prisma.incident.create({ data: { title: 'b', description: 'b', reporterId: reporter.id, service: 'vpn', ciId: 'vpn-gw-sto', majorIncidentId: mi.id } });
    await db.prisma.incident.create({ data: { title: 'c', description: 'c', reporterId: reporter.id } });

    const number = formatMajorIncidentNumber(mi.number);
    expect(number).toMatch(/^MI-\d+$/);
    await db.prisma.$transaction(async (tx) => {
      expect((await getMajorIncident(tx, mi.id))?.id).toBe(mi.id);
      expect((await getMajorIncident(tx, number))?.id).toBe(mi.id);
      expect((await getMajorIncident(tx, String(mi.number)))?.id).toBe(mi.id);
      expect(await getMajorIncident(tx, 'MI-99999999999')).toBeNull();
      expect((await listLinkedIncidents(tx, mi.id)).map((i) => i.id)).toEqual([a.id, b.id]);
      expect((await listActiveMajorIncidents(tx)).map((m) => m.id)).toEqual([mi.id]);
      expect(await listActiveMajorIncidents(tx, 'wifi')).toEqual([]);
    });
    // Deleting the major incident leaves the children as ordinary incidents.
    await db.prisma.majorIncident.delete({ where: { id: done.id } });
    await db.prisma.majorIncident.delete({ where: { id: mi.id } });
    expect((await db.prisma.incident.findUniqueOrThrow({ where: { id: b.id } })).majorIncidentId).toBeNull();
  });
});
