import type { Tx } from '../db/database.js';
import type { IncidentService } from '../incidents/service.js';
import { canTransition, OPEN_STATUSES, type IncidentStatus } from '../incidents/lifecycle.js';
import { linkIncident } from '../incidents/insert.js';
import { formatIncidentNumber } from '../incidents/number.js';
import type { SlaConfig } from '../sla/config.js';
import { durationWords, wholeBusinessDays } from '../sla/config.js';
import { DEFAULT_SLA } from '../sla/policy.js';
import { clampLevel, DEFAULT_MATRIX, priorityOf } from '../sla/priority.js';
import type { Triage } from '../triage/triage.js';
import { readCues, urgencyFloor } from './cues.js';
import type { ActionName } from './definition.js';
import type { KbSearch } from './kb-access.js';
import type { Translate } from './messages.js';
import type { MajorIncidentService } from '../major/service.js';
import { formatMajorIncidentNumber } from '../major/records.js';

export interface ActionContext {
  contactId: string;
  conversationId: string;
  incidentId: string | null;
  locale: string;
}

export interface DialogServices {
  incidents: IncidentService;
  triage?: Triage;
  kbSearch?: KbSearch;
  sla?: SlaConfig;
  /** Display name of a taxonomy service id. */
  serviceName?: (id: string) => string | undefined;
  /** What a channel can do (e.g. `conversational: false` for email), by channel name. */
  channelCapabilities?: (channel: string) => { conversational?: boolean } | undefined;
  /** [major] Declared major incidents a new report may be about ("known outage"). */
  majors?: Pick<MajorIncidentService, 'knownOutage' | 'link' | 'unlink'>;
}

type Input = Record<string, unknown>;
type Result = Record<string, unknown>;

/**
 * The I/O the dialog asks for by name (`action:` in a definition). Each runs in the intake transaction and
 * returns plain JSON that the engine stores under `data.<action>` for branching and messages.
 */
export class DialogActions {
  constructor(
    private readonly services: DialogServices,
    private readonly t: Translate,
  ) {}

  async run(tx: Tx, action: ActionName, input: Input, ctx: ActionContext): Promise<Result> {
    switch (action) {
      case 'triage': return this.triage(input);
      case 'kb_search': return this.kbSearch(tx, input, ctx);
      case 'kb_open': return this.kbOpen(tx, input, ctx);
      case 'kb_feedback': return this.kbFeedback(tx, input, ctx);
      case 'prioritize': return this.prioritize(input, ctx.locale);
      case 'file_incident': return this.file(tx, input, ctx);
      case 'lookup_status': return this.lookupStatus(tx, input, ctx);
      case 'cancel_incident': return this.changeStatus(tx, input, 'cancelled');
      case 'reopen_incident': return this.reopen(tx, input);
      case 'add_information': return this.addInformation(tx, input, ctx);
      case 'record_csat': return this.recordCsat(tx, input, ctx);
      case 'outage_check': return this.outageCheck(tx, input, ctx);
      case 'outage_link': return this.outageLink(tx, input);
      case 'outage_unlink': return this.outageUnlink(tx, input);
    }
  }

  /** [major] Is the report about a declared major incident? Same decision as clustering (src/major/cluster.ts). */
  private async outageCheck(tx: Tx, input: Input, ctx: ActionContext): Promise<Result> {
    const triage = (input.triage ?? {}) as Input;
    if (!this.services.majors || triage.security === true) return { known: false };
    // The short report flow has no triage step: the catalogue (or triage, asked here) names the service.
    const service = strOrNull(triage.service) ?? this.services.triage?.(str(input.description)).service ?? null;
    const found = await this.services.majors.knownOutage(tx, str(input.description), service, str(input.locale) || ctx.locale);
    if (!found) return { known: false };
    return { known: true, major_id: found.major.id, major: formatMajorIncidentNumber(found.major.number), major_title: found.major.title, reason: found.decision.reason };
  }

  private async outageLink(tx: Tx, input: Input): Promise<Result> {
    const check = (input.outage_check ?? {}) as Input;
    const id = str((input.file_incident as Input | undefined)?.id);
    if (!this.services.majors || !id || !str(check.major_id)) return { linked: false };
    await this.services.majors.link(tx, str(check.major_id), [id], 'bot', str(check.reason) || 'known outage');
    return { linked: true };
  }

  private async outageUnlink(tx: Tx, input: Input): Promise<Result> {
    const id = str((input.file_incident as Input | undefined)?.id);
    if (!this.services.majors || !id) return { unlinked: false };
    await this.services.majors.unlink(tx, id, 'reporter', 'the reporter says the problem is different');
    return { unlinked: true };
  }

  private triage(input: Input): Result {
    const text = str(input.description);
    const cues = readCues(text);
    const routed = this.services.triage?.(text);
    const urgencyMin = urgencyFloor(routed?.minUrgency);
    return {
      category: routed?.category ?? 'other',
      service: routed?.service ?? null,
      assignmentGroup: routed?.assignmentGroup ?? null,
      tier: routed?.tier ?? 'L1',
      confidential: routed?.confidential ?? false,
      security: routed?.category === 'security',
      // For the definition's `complete` rule and the acknowledgement ("VPN" rather than "vpn").
      confidence: routed?.confidence ?? 0,
      service_name: (routed?.service && this.services.serviceName?.(routed.service)) || routed?.service || null,
      service_known: routed?.service ? 'yes' : 'no',
      ...(cues.impact ? { impact: cues.impact } : {}),
      // A live compromise (password given to a phishing page, ransomware) is never "only me": P1/P2.
      ...(routed?.minImpact && routed.minImpact < 3 ? { impact_floor: routed.minImpact, signal: routed.signal } : {}),
      // The taxonomy's floor (security: high) wins over a calmer cue in the text.
      ...(cues.urgency || urgencyMin < 3 ? { urgency: Math.min(cues.urgency ?? 3, urgencyMin) } : {}),
    };
  }

  private async kbSearch(tx: Tx, input: Input, ctx: ActionContext): Promise<Result> {
    if (!this.services.kbSearch) return { count: 0, articles: [] };
    const language = str(input.locale) || ctx.locale;
    const category = (input.triage as Input | undefined)?.category;
    // A report complete enough to file at once has a confident category: suggestions stay within it.
    const within = input.complete === true && typeof category === 'string' ? { category } : {};
    let hits = await this.services.kbSearch(tx, str(input.description).slice(0, 2_000), { language, top: 3, ...within });
    // [problems] A known error of the report's service (a problem's workaround) comes first.
    const service = (input.triage as Input | undefined)?.service;
    if (typeof service === 'string' && service) {
      const known = await tx.kbArticle.findMany({ where: { tags: { has: `service:${service}` } }, orderBy: { updatedAt: 'desc' }, take: 1, select: { id: true, title: true } });
      hits = [...known.map((k) => ({ ...k, score: Number.POSITIVE_INFINITY })), ...hits.filter((h) => !known.some((k) => k.id === h.id))].slice(0, 3) as typeof hits;
    }
    for (const h of hits) {
      await tx.kbFeedback.create({ data: { kind: 'suggested', articleId: h.id, conversationId: ctx.conversationId, language, category: typeof category === 'string' ? category : null } });
    }
    return { count: hits.length, articles: hits.map((h) => ({ id: h.id, title: h.title })) };
  }

  private async kbOpen(tx: Tx, input: Input, ctx: ActionContext): Promise<Result> {
    const article = await tx.kbArticle.findUnique({ where: { id: str(input.kb_choice) } });
    if (!article) return { found: false };
    await tx.kbFeedback.create({ data: { kind: 'opened', articleId: article.id, conversationId: ctx.conversationId, language: article.language, category: article.category } });
    return { found: true, id: article.id, title: article.title, steps: stepsOf(article.body) };
  }

  private async kbFeedback(tx: Tx, input: Input, ctx: ActionContext): Promise<Result> {
    const opened = input.kb_open as Input | undefined;
    const articleId = str(opened?.id);
    if (!articleId) return { recorded: false };
    const helped = input.kb_fixed === true;
    await tx.kbFeedback.create({ data: { kind: 'feedback', articleId, conversationId: ctx.conversationId, language: str(input.locale) || ctx.locale, category: null, helped } });
    return { recorded: true, helped };
  }

  /** Impact and urgency from the answers, else from the text's cues and triage, else "only me, can wait". */
  private levels(input: Input): { impact: number; urgency: number } {
    const triage = (input.triage ?? {}) as Input;
    const impact = Math.min(num(input.impact) ?? num(triage.impact) ?? 3, num(triage.impact_floor) ?? 3);
    const urgency = Math.min(num(input.urgency) ?? num(triage.urgency) ?? 3, num(triage.urgency) ?? 3);
    return { impact: clampLevel(impact), urgency: clampLevel(urgency) };
  }

  private prioritize(input: Input, locale: string): Result {
    const { impact, urgency } = this.levels(input);
    const priority = priorityOf(impact, urgency, this.services.sla?.matrix ?? DEFAULT_MATRIX);
    return { priority, impact, urgency, ...this.slaWords(priority, str(input.locale) || locale) };
  }

  private slaWords(priority: string, locale: string): Result {
    const target = (this.services.sla?.policy ?? DEFAULT_SLA)[priority as 'P1'];
    // With a business-hours calendar "2 hours" would promise too much on a Friday evening: say which hours count.
    const sla = this.services.sla;
    const words = (minutes: number) => {
      if (!sla?.businessHours) return durationWords(minutes, locale);
      const days = wholeBusinessDays(minutes, sla.businessHours);
      return days !== undefined ? this.t(locale, 'sla.business_days', { n: days }) : this.t(locale, 'sla.business_time', { duration: durationWords(minutes, locale) });
    };
    return { response: words(target.responseMinutes), resolution: words(target.resolutionMinutes) };
  }

  private async file(tx: Tx, input: Input, ctx: ActionContext): Promise<Result> {
    const triage = (input.triage ?? {}) as Input;
    const description = [str(input.description) || str((input.intent as Input | undefined)?.text), ...details(input)].filter(Boolean).join('\n').trim() || '(no description)';
    const { impact, urgency } = this.levels(input);
    // [major] Filed already as part of a known outage, then unlinked ("no, different"): the answers complete it.
    const filed = str((input.file_incident as Input | undefined)?.id);
    if (filed && (input.outage_unlink as Input | undefined)?.unlinked === true) {
      const answers = details(input);
      if (answers.length) await this.services.incidents.addReporterMessage(tx, filed, answers.join('\n'));
      const incident = await this.services.incidents.update(tx, filed, { impact, urgency }, 'reporter');
      return { id: incident.id, number: formatIncidentNumber(incident.number), title: incident.title, priority: incident.priority, ...this.slaWords(incident.priority, str(input.locale) || ctx.locale) };
    }
    const incident = await this.services.incidents.create(tx, {
      title: titleFrom(description),
      description,
      reporterId: ctx.contactId,
      originConversationId: ctx.conversationId,
      impact,
      urgency,
      category: strOrNull(triage.category),
      service: strOrNull(triage.service),
      assignmentGroup: strOrNull(triage.assignmentGroup),
      tier: str(triage.tier) || undefined,
      confidential: triage.confidential === true,
    });
    await linkIncident(tx, ctx.conversationId, incident.id);
    ctx.incidentId = incident.id;
    return { id: incident.id, number: formatIncidentNumber(incident.number), title: incident.title, priority: incident.priority, ...this.slaWords(incident.priority, str(input.locale) || ctx.locale) };
  }

  /** "status of INC-000123" (only the reporter's own incidents) or "my tickets" (their open ones). */
  private async lookupStatus(tx: Tx, input: Input, ctx: ActionContext): Promise<Result> {
    const locale = str(input.locale) || ctx.locale;
    const wanted = /(\d{1,9})/.exec(str((input.intent as Input | undefined)?.number))?.[1];
    const rows = await tx.incident.findMany({
      where: { reporterId: ctx.contactId, ...(wanted ? { number: Number(wanted) } : { status: { in: [...OPEN_STATUSES] } }) },
      orderBy: { number: 'desc' },
      take: 5,
    });
    const list = rows.map((r) => `${formatIncidentNumber(r.number)} · ${this.t(locale, `status.${r.status}`)} · ${r.title}`).join('\n');
    return { count: rows.length, asked: wanted ? formatIncidentNumber(Number(wanted)) : 'none', list };
  }

  private async changeStatus(tx: Tx, input: Input, to: IncidentStatus): Promise<Result> {
    const id = str((input.file_incident as Input | undefined)?.id);
    if (!id) return { outcome: 'none' };
    const incident = await this.services.incidents.get(tx, id);
    if (!canTransition(incident.status as IncidentStatus, to)) return { outcome: 'not_allowed', status: incident.status };
    await this.services.incidents.update(tx, id, { status: to }, 'reporter');
    return { outcome: 'done' };
  }

  private async reopen(tx: Tx, input: Input): Promise<Result> {
    const id = str((input.file_incident as Input | undefined)?.id);
    if (!id) return { outcome: 'none' };
    const incident = await this.services.incidents.get(tx, id);
    if (incident.status !== 'resolved') return { outcome: OPEN_STATUSES.includes(incident.status as IncidentStatus) ? 'open' : 'closed' };
    const windowMs = (this.services.sla?.reopenWindowDays ?? 7) * 86_400_000;
    if (incident.resolvedAt && Date.now() - incident.resolvedAt.getTime() > windowMs) return { outcome: 'too_late' };
    await this.services.incidents.update(tx, id, { status: 'reopened' }, 'reporter');
    return { outcome: 'done' };
  }

  private async addInformation(tx: Tx, input: Input, ctx: ActionContext): Promise<Result> {
    const id = str((input.file_incident as Input | undefined)?.id) || ctx.incidentId;
    const text = str(input.addition);
    if (!id || !text) return { added: false };
    await this.services.incidents.addReporterMessage(tx, id, text);
    return { added: true };
  }

  private async recordCsat(tx: Tx, input: Input, ctx: ActionContext): Promise<Result> {
    const id = str((input.incident_event as Input | undefined)?.incidentId) || ctx.incidentId;
    const score = num(input.csat_score);
    if (!id || score === undefined) return { recorded: false };
    // "no" / "nej" / "não" answers "anything to add? (write no to skip)": it is no comment.
    const comment = SKIP.test(str(input.csat_comment)) ? '' : str(input.csat_comment);
    await tx.incidentEvent.create({
      data: { incidentId: id, type: 'csat', actor: 'reporter', body: comment || null, data: { score, ...(comment ? { comment } : {}) } },
    });
    if (score <= 2) {
      // The assignee hears about an unhappy reporter where they work (an internal note: Slack card thread).
      const incident = await this.services.incidents.get(tx, id);
      const who = incident.assignee ? `${incident.assignee}: ` : '';
      const text = `${who}low satisfaction rating ${score}/5 from the reporter${comment ? `: "${comment}"` : ' (no comment)'}`;
      await this.services.incidents.comment(tx, id, { text, author: 'Frontline', internal: true });
    }
    return { recorded: true, score };
  }
}

/**
 * Answers to diagnosis questions (`diag_*`) are appended to the filed description for the agent, and so is
 * whatever the reporter typed where buttons were offered (`notes`): nothing they wrote is lost.
 */
function details(input: Input): string[] {
  const answers = Object.entries(input)
    .filter(([k, v]) => k.startsWith('diag_') && (typeof v === 'string' || typeof v === 'boolean' || typeof v === 'number'))
    .map(([k, v]) => `${k.slice(5).replace(/_/g, ' ')}: ${String(v)}`);
  const notes = Array.isArray(input.notes) ? input.notes.filter((n): n is string => typeof n === 'string' && n.trim() !== '') : [];
  return notes.length ? [...answers, `reporter also wrote:\n${notes.map((n) => `- ${n}`).join('\n')}`] : answers;
}

/** The numbered steps of a KB article body (see kb/article.ts renderBody), kept short for a chat bubble. */
function stepsOf(body: string): string {
  const numbered = body.split('\n').filter((l) => /^\d+\.\s/.test(l.trim()));
  const text = (numbered.length ? numbered.join('\n') : body).trim();
  return text.length > 900 ? `${text.slice(0, 897)}...` : text;
}

/** A greeting opening the report ("Hi,", "Hej!", "Buenos días:") says nothing about the problem. */
const GREETING = /^(hi|hello|hey|dear [^,!:]{1,40}|good (morning|afternoon|evening)|hej(san)?|hall[åa]|god morgon|hola|buen(os|as) (d[ií]as|tardes|noches)|ol[áa]|oi|bom dia|boa (tarde|noite))(?=[\s,!.:;-]|$)[\s,!.:;-]*/iu;

/** The incident title: the report's first sentence without a greeting, cut at a word near 80 characters. */
export function titleFrom(description: string): string {
  const lines = description.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  // "Hello team" alone on the first line: the problem starts on a later one.
  let title = lines.map((l) => l.replace(GREETING, '').trim()).find((l) => l.length >= 12) ?? lines[0] ?? description.trim();
  const sentence = /^(.{15,}?[.!?])(\s|$)/u.exec(title)?.[1];
  if (sentence) title = sentence;
  title = title.replace(/\.$/, '');
  title = title.charAt(0).toUpperCase() + title.slice(1);
  return title.length > 80 ? `${title.slice(0, 80).replace(/\s+\S*$/, '')}…` : title;
}

/** Skip words for an optional comment, in the four languages. */
const SKIP = /^(?:no|nope|nothing|none|n\/a|skip|no thanks|no thank you|nej|nej tack|inget|ingenting|nä|no gracias|nada|ninguno|não|nao|não obrigad[oa]|nada)\W*$/iu;

const str = (v: unknown): string => (typeof v === 'string' ? v.trim() : '');
const strOrNull = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : undefined);
