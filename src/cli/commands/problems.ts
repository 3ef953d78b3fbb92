import type { Command } from 'commander';
import type { Database } from '../../db/database.js';
import { loadDialogs } from '../../dialog/catalog.js';
import { IncidentService } from '../../incidents/service.js';
import { formatIncidentNumber } from '../../incidents/number.js';
import { ReporterNotifier } from '../../notifications/reporter.js';
import { presentProblem } from '../../problems/http.js';
import { ProblemService } from '../../problems/service.js';
import { loadServiceCatalog } from '../../services/catalog.js';
import { withDatabase } from '../context.js';

/** The service the API uses, without a server: notes written here reach card threads when the server relays them next. */
async function problemService(): Promise<ProblemService> {
  const { t } = await loadDialogs();
  return new ProblemService(new IncidentService(new ReporterNotifier(t)), loadServiceCatalog(), { minIncidents: 0, days: 30 });
}

async function withProblems(fn: (db: Database, problems: ProblemService) => Promise<void>): Promise<void> {
  const problems = await problemService();
  await withDatabase((db) => fn(db, problems));
}

const out = (value: unknown) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);

export function registerProblemCommands(program: Command): void {
  const problems = program.command('problems').description('problem records: recurring causes, workarounds, known errors');
  problems
    .command('list')
    .description('newest problems first')
    .option('--json', 'JSON lines instead of a table')
    .action(async (opts: { json?: boolean }) => {
      await withDatabase(async (db) => {
        const rows = (await db.prisma.problem.findMany({ orderBy: { number: 'desc' }, take: 200 })).map(presentProblem);
        if (opts.json) for (const r of rows) process.stdout.write(`${JSON.stringify(r)}\n`);
        else if (rows.length === 0) process.stdout.write('no problems\n');
        else console.table(rows.map((p) => ({ number: p.number, status: p.status, service: p.service ?? '', title: p.title.slice(0, 60) })));
      });
    });
  problems
    .command('show <ref>')
    .description('one problem (PRB-3, 3 or id) with its incidents')
    .action(async (ref: string) => {
      await withProblems(async (db, service) => {
        const problem = await service.get(db.prisma, ref);
        const links = await db.prisma.problemIncident.findMany({ where: { problemId: problem.id } });
        const incidents = await db.prisma.incident.findMany({ where: { id: { in: links.map((l) => l.incidentId) } }, orderBy: { number: 'asc' } });
        out({ ...presentProblem(problem), incidents: incidents.map((i) => `${formatIncidentNumber(i.number)} ${i.status} ${i.title}`) });
      });
    });
  problems
    .command('create <title>')
    .description('open a problem, optionally on a service and with incidents')
    .option('--service <id>', 'a service id of dialogs/services.yaml')
    .option('--incidents <list>', 'comma-separated INC numbers')
    .action(async (title: string, opts: { service?: string; incidents?: string }) => {
      await withProblems(async (db, service) => {
        const incidents = opts.incidents?.split(',').map((s) => s.trim()).filter(Boolean);
        const problem = await db.prisma.$transaction((tx) => service.create(tx, { title, serviceId: opts.service ?? null, incidents, createdBy: 'cli' }));
        out(presentProblem(problem));
      });
    });
  problems
    .command('workaround <ref> <text>')
    .description('record a workaround: the problem becomes a known error offered as a KB article to new reports of its service')
    .option('--language <lang>', 'en, sv, es or pt', 'en')
    .action(async (ref: string, text: string, opts: { language: string }) => {
      await withProblems(async (db, service) => {
        out(presentProblem(await db.prisma.$transaction((tx) => service.setWorkaround(tx, ref, text, 'cli', opts.language))));
      });
    });
  problems
    .command('close <ref> <resolution>')
    .description("close it; the linked incidents' assignees get an internal note")
    .action(async (ref: string, resolution: string) => {
      await withProblems(async (db, service) => {
        const { problem, notified } = await db.prisma.$transaction((tx) => service.close(tx, ref, resolution, 'cli'));
        out({ ...presentProblem(problem), notified });
      });
    });
}
