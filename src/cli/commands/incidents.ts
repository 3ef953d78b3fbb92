import type { Command } from 'commander';
import { presentEvent, presentIncident } from '../../http/api/present.js';
import { incidentWhere } from '../../incidents/service.js';
import { withDatabase } from '../context.js';

export function registerIncidentCommands(program: Command): void {
  const incidents = program.command('incidents').description('look at incidents');
  incidents
    .command('list')
    .description('newest incidents first')
    .option('--status <list>', 'comma-separated statuses')
    .option('--limit <n>', 'how many to show (1-1000)', '20')
    .option('--json', 'JSON lines instead of a table')
    .action(async (opts: { status?: string; limit: string; json?: boolean }) => {
      await withDatabase(async (db) => {
      const statuses = opts.status?.split(',').map((s) => s.trim()) as never[] | undefined;
      const limit = Math.max(1, Math.min(1000, Number(opts.limit) || 20));
      const where = statuses ? { status: { in: statuses } } : {};
      // One more than asked tells whether the list is cut, without counting the whole table.
      const rows = await db.prisma.incident.findMany({ where, orderBy: { number: 'desc' }, take: limit + 1 });
      const more = rows.length > limit;
      const items = rows.slice(0, limit).map((i) => presentIncident(i, { redactConfidential: false }));
      if (opts.json) {
        for (const item of items) process.stdout.write(`${JSON.stringify(item)}\n`);
      } else if (items.length === 0) {
        process.stdout.write('no incidents\n');
      } else {
        console.table(items.map((i) => ({ number: i.number, priority: i.priority, status: i.status, category: i.category ?? '', title: i.title.slice(0, 60), created: i.createdAt })));
      }
      // On stderr, so JSON lines stay clean for pipes.
      if (more) process.stderr.write(`showing the newest ${limit}; more exist (use --limit <n>, up to 1000, or --status to narrow)\n`);
      });
    });
  incidents
    .command('show <ref>')
    .description('one incident with its timeline (INC-000042, 42 or id)')
    .action(async (ref: string) => {
      await withDatabase(async (db) => {
      const incident = await db.prisma.incident.findFirst({ where: incidentWhere(ref) });
      if (!incident) {
        process.stderr.write(`incident ${ref} not found\n`);
        process.exitCode = 1;
        return;
      }
      const events = await db.prisma.incidentEvent.findMany({ where: { incidentId: incident.id }, orderBy: { createdAt: 'asc' } });
      process.stdout.write(`${JSON.stringify({ ...presentIncident(incident, { redactConfidential: false }), timeline: events.map(presentEvent) }, null, 2)}\n`);
      });
    });
}
