/**
 * Problems (ITIL problem management): the cause behind recurring incidents. Opened by an agent or by the rule
 * "≥ N similar incidents of one service/CI in D days" (checked as each incident is filed; a major incident's
 * children count as one occurrence). A workaround makes it a known error and becomes a KB article offered to
 * new reports of the service; closing it tells the linked incidents' assignees (internal notes, which reach
 * their Slack/Teams card threads).
 */
import type { Incident, Problem, Tx } from '../db/database.js';
import { FrontlineError } from '../errors.js';
import { formatIncidentNumber } from '../incidents/number.js';
import type { IncidentService } from '../incidents/service.js';
import { cosine, textVector } from '../major/cluster.js';
import { reportService } from '../major/report-service.js';
import type { ServiceCatalog } from '../services/catalog.js';

/** Texts this similar (cosine of the triage features) describe the same recurring fault. */
export const PROBLEM_SIMILARITY = 0.35;
const MAX_CANDIDATES = 300;

export const formatProblemNumber = (n: number): string => `PRB-${n}`;
export const knownErrorArticleId = (p: Pick<Problem, 'number'>): string => `known-error-prb-${p.number}`;
/** The KB tag that makes an article a known error of a service (see dialog kb_search). */
export const serviceTag = (serviceId: string): string => `service:${serviceId}`;

export interface ProblemRule {
  minIncidents: number;
  days: number;
}

export class ProblemService {
  constructor(
    private readonly incidents: IncidentService,
    private readonly catalog: ServiceCatalog,
    private readonly rule: ProblemRule,
  ) {}

  async get(tx: Tx, ref: string): Promise<Problem> {
    const m = /^(?:PRB-?)?(\d{1,9})$/i.exec(ref.trim());
    const problem = await tx.problem.findFirst({ where: m ? { number: Number(m[1]) } : /^[0-9a-f-]{36}$/i.test(ref) ? { id: ref } : { number: -1 } });
    if (!problem) throw new FrontlineError('NOT_FOUND', `problem ${ref} not found`);
    return problem;
  }

  async create(tx: Tx, input: { title: string; serviceId?: string | null; ciId?: string | null; incidents?: string[]; createdBy: string }): Promise<Problem> {
    if (input.serviceId && !this.catalog.find(input.serviceId)) throw new FrontlineError('BAD_REQUEST', `unknown service "${input.serviceId}" (see dialogs/services.yaml)`);
    const problem = await tx.problem.create({ data: { title: input.title.slice(0, 200), serviceId: input.serviceId ?? null, ciId: input.ciId ?? null, createdBy: input.createdBy } });
    if (input.incidents?.length) await this.link(tx, problem.id, input.incidents, input.createdBy);
    return problem;
  }

  async link(tx: Tx, ref: string, incidentRefs: string[], actor: string): Promise<Problem> {
    const problem = await this.get(tx, ref);
    const found = await Promise.all(incidentRefs.map((r) => this.incidents.get(tx, r)));
    await tx.problemIncident.createMany({ data: found.map((i) => ({ problemId: problem.id, incidentId: i.id })), skipDuplicates: true });
    await tx.incidentEvent.createMany({
      data: found.map((i) => ({ incidentId: i.id, type: 'problem_linked', actor, internal: true, body: `linked to ${formatProblemNumber(problem.number)} ${problem.title}`, data: { problemId: problem.id } })),
    });
    return problem;
  }

  /** Records the workaround (a known error) and publishes it as the service's KB article. */
  async setWorkaround(tx: Tx, ref: string, text: string, actor: string, language = 'en'): Promise<Problem> {
    const problem = await this.get(tx, ref);
    if (problem.status === 'closed') throw new FrontlineError('INVALID_TRANSITION', `${formatProblemNumber(problem.number)} is closed`);
    const id = knownErrorArticleId(problem);
    const title = `Known error: ${problem.title}`.slice(0, 200);
    const body = `${text}\n\n(${formatProblemNumber(problem.number)}, workaround recorded by ${actor})`;
    const tags = ['known-error', ...(problem.serviceId ? [serviceTag(problem.serviceId)] : [])];
    await tx.kbArticle.upsert({ where: { id }, create: { id, title, body, language, tags }, update: { title, body, language, tags } });
    return tx.problem.update({ where: { id: problem.id }, data: { workaround: text, status: 'known_error', kbArticleId: id } });
  }

  /** Closes it; each linked incident's assignee (or its group's queue) is told through an internal note. */
  async close(tx: Tx, ref: string, resolution: string, actor: string, now = new Date()): Promise<{ problem: Problem; notified: number }> {
    const problem = await this.get(tx, ref);
    if (problem.status === 'closed') return { problem, notified: 0 };
    const closed = await tx.problem.update({ where: { id: problem.id }, data: { status: 'closed', closedAt: now, resolution } });
    // The known error is no longer offered once its cause is fixed.
    if (problem.kbArticleId) await tx.kbArticle.deleteMany({ where: { id: problem.kbArticleId } });
    const links = await tx.problemIncident.findMany({ where: { problemId: problem.id }, select: { incidentId: true } });
    const linked = await tx.incident.findMany({ where: { id: { in: links.map((l) => l.incidentId) } }, orderBy: { number: 'asc' } });
    for (const incident of linked) {
      const who = incident.assignee ? `${incident.assignee}: ` : '';
      await this.incidents.comment(tx, incident.id, { text: `${who}${formatProblemNumber(problem.number)} "${problem.title}" was closed by ${actor}: ${resolution}`, author: 'Frontline', internal: true }, now);
    }
    return { problem: closed, notified: linked.length };
  }

  /** The rule, for a newly filed incident: enough similar incidents of its service recently → a problem. */
  async onIncidentCreated(tx: Tx, incident: Incident, now = new Date()): Promise<Problem | null> {
    if (this.rule.minIncidents <= 0) return null;
    const text = `${incident.title}\n${incident.description}`;
    const serviceId = incident.service ?? reportService(this.catalog, text).serviceId;
    if (!serviceId) return null;
    const since = new Date(now.getTime() - this.rule.days * 86_400_000);
    const rows = await tx.incident.findMany({
      where: { service: serviceId, createdAt: { gte: since }, id: { not: incident.id } },
      orderBy: { createdAt: 'desc' },
      take: MAX_CANDIDATES,
      select: { id: true, title: true, description: true, majorIncidentId: true },
    });
    const mine = textVector(text);
    const similar = rows.filter((r) => cosine(mine, textVector(`${r.title}\n${r.description}`)) >= PROBLEM_SIMILARITY);
    // One outage (a major incident's children) is one occurrence, however many people reported it.
    const occurrences = new Set(similar.map((r) => r.majorIncidentId ?? r.id));
    occurrences.add(incident.majorIncidentId ?? incident.id);
    if (occurrences.size < this.rule.minIncidents) return null;
    const ids = [incident.id, ...similar.map((r) => r.id)];
    const already = await tx.problemIncident.findFirst({ where: { incidentId: { in: ids }, problem: { status: { not: 'closed' } } } });
    if (already) {
      await this.link(tx, already.problemId, [incident.id], 'problem-rule');
      return tx.problem.findUniqueOrThrow({ where: { id: already.problemId } });
    }
    return this.create(tx, {
      title: `Recurring: ${incident.title}`,
      serviceId,
      ciId: incident.ciId,
      incidents: ids,
      createdBy: `problem-rule (${occurrences.size} similar incidents in ${this.rule.days} days)`,
    });
  }
}

export const describeLinked = (i: Pick<Incident, 'number' | 'title'>): string => `${formatIncidentNumber(i.number)} ${i.title}`;
