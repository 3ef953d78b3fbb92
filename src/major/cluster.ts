/**
 * Clustering decisions: does a new report describe the same outage as recent reports of its service?
 * Pure and deterministic (same inputs, same decision) so it is unit-tested on labelled streams and explained to
 * agents in words. The database side (src/major/intake.ts) loads the candidates and acts on the decision.
 *
 * A report joins a group when all of these hold:
 *  1. the same service (from the catalogue or triage), and compatible CIs (equal, or one side names none);
 *  2. within the service criticality's window of the group's latest report;
 *  3. both reports say the service is failing ("down", "ligger nere", "no funciona", "caiu"…): identical
 *     requests ("install the VPN client") are not an outage, however many arrive;
 *  4. similar text: cosine of the triage features (hashed words + character 2–5-grams, which carry across
 *     inflections and, partly, languages) ≥ MIN_SIMILARITY with some member. Low on purpose: across
 *     languages the service's name and the shape of the failure are what the reports share.
 */
import { extractTerms, type TermCounts } from '../triage/features.js';
import { normalizeText } from '../triage/normalize.js';

export const MIN_SIMILARITY = 0.12;

export interface ClusterReport {
  id: string;
  text: string;
  serviceId: string | null;
  ciId: string | null;
  at: Date;
}

/** A recent report of the same service; `groupId` = the major incident it is linked to, if any. */
export interface ClusterMember extends ClusterReport {
  groupId: string | null;
}

export interface ClusterDecision {
  /** The group (major incident) the report joins, or null. */
  join: string | null;
  /** Ungrouped reports it matches (the seed of a new group when there are enough of them). */
  peers: string[];
  /** Best similarity found, and with whom. */
  similarity: number;
  matchedWith: string | null;
  outage: boolean;
  reason: string;
}

/** The report says its service is failing, not asking for something (four languages, accents folded). */
const OUTAGE = new RegExp(
  [
    // en
    "\\b(?:is|are|seems?|went|goes|has gone|is still) (?:completely |totally )?(?:down|offline|unavailable|broken|dead)\\b",
    '\\b(?:cannot|can.?t|unable to) (?:send|receive|log ?in|sign ?in|open|load)\\b|\\b(?:disconnected|connection failed|failed to connect|failing)\\b|\\bno (?:e-?mails?|mails?) (?:are )?(?:coming|arriving)\\b',
    '\\b(?:down|outage|not working|stopped working|does ?n.?t work|not responding|not loading|won.?t (?:connect|load|open)|cannot connect|can.?t connect|unable to connect|fails? to connect|no one can|nobody can|times? out|timing out|keeps? (?:failing|dropping|disconnecting))\\b',
    // sv
    '\\b(?:ligger nere|nere|fungerar inte|funkar inte|gar inte|kan inte (?:ansluta|skicka|logga in|ta emot)|kommer inte (?:in|at|ut)|kopplar (?:ner|ifran)|inte alls|misslyckade?s|frankopplad|inga mejl kommer|har slutat fungera|strular|svarar inte|ur funktion|avbrott)\\b',
    // es
    '\\b(?:caid[oa]|no funciona|no va|no conecta|no puedo conectar\\w*|no hay (?:conexion|servicio)|fuera de servicio|sin servicio|se cae|no (?:puedo|se puede) (?:enviar|entrar|acceder)|desconectad[oa]|no llegan|no (?:puede|pueden|podemos) (?:conectar\\w*|entrar|acceder)|(?:la )?conexion fallo|ha dejado de funcionar|no responde|no carga|falla)\\b',
    // pt
    '\\b(?:caiu|cai\\b|nao (?:consigo|da para) enviar|desconectad[oa]|nao chegam|nao (?:consegue|conseguem|conseguimos) (?:conectar|acessar|entrar|enviar)|(?:a )?conexao falhou|fora do ar|nao funciona|nao conecta|nao consigo (?:conectar|acessar|entrar)|parou de funcionar|sem servico|indisponivel|nao responde|nao carrega|falhando|esta com problema)\\b',
  ].join('|'),
  'i',
);

export function saysOutage(text: string): boolean {
  return OUTAGE.test(normalizeText(text));
}

/** Bucket → sublinear weight, L2-normalised: cosine is then a sparse dot product. */
export type TextVector = Map<number, number>;

export function textVector(text: string): TextVector {
  const terms: TermCounts = extractTerms(text);
  const v = new Map<number, number>();
  let norm = 0;
  for (let i = 0; i < terms.buckets.length; i++) {
    const w = 1 + Math.log(terms.counts[i]!);
    v.set(terms.buckets[i]!, w);
    norm += w * w;
  }
  const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  for (const [k, w] of v) v.set(k, w * scale);
  return v;
}

export function cosine(a: TextVector, b: TextVector): number {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let dot = 0;
  for (const [k, w] of small) {
    const o = large.get(k);
    if (o !== undefined) dot += w * o;
  }
  return dot;
}

export interface DecideOptions {
  windowMs: number;
  /** Groups with a firing monitoring alert on the service: a report of that service joins without text evidence. */
  alertGroups?: ReadonlySet<string>;
  /** Vectors cache keyed by report id (the caller keeps it for a stream; optional). */
  vectors?: Map<string, TextVector>;
  /** Outage flags cache keyed by report id. */
  outages?: Map<string, boolean>;
}

const ciCompatible = (a: string | null, b: string | null) => a === null || b === null || a === b;

export function decideCluster(report: ClusterReport, members: readonly ClusterMember[], options: DecideOptions): ClusterDecision {
  const none = (reason: string, outage = false): ClusterDecision => ({ join: null, peers: [], similarity: 0, matchedWith: null, outage, reason });
  if (!report.serviceId) return none('no service recognised in the report');
  const vectors = options.vectors ?? new Map<string, TextVector>();
  const outages = options.outages ?? new Map<string, boolean>();
  const vectorOf = (r: ClusterReport) => {
    let v = vectors.get(r.id);
    if (!v) vectors.set(r.id, (v = textVector(r.text)));
    return v;
  };
  const outageOf = (r: ClusterReport) => {
    let o = outages.get(r.id);
    if (o === undefined) outages.set(r.id, (o = saysOutage(r.text)));
    return o;
  };
  const mine = vectorOf(report);
  const outage = outageOf(report);
  const since = report.at.getTime() - options.windowMs;
  const eligible = members.filter((m) => m.id !== report.id && m.serviceId === report.serviceId && ciCompatible(m.ciId, report.ciId) && m.at.getTime() >= since);
  if (eligible.length === 0) return none(`no recent report of ${report.serviceId} within the window`, outage);

  // A firing alert on the service: the outage is confirmed by monitoring, so a failure report joins it.
  const alerted = eligible.find((m) => m.groupId && options.alertGroups?.has(m.groupId));
  if (alerted && outage) {
    return { join: alerted.groupId, peers: [], similarity: 1, matchedWith: alerted.id, outage, reason: `${report.serviceId} has a firing monitoring alert and the report says it is failing` };
  }

  const groupBest = new Map<string, { sim: number; with: string }>();
  const peers: string[] = [];
  let best = { sim: 0, with: null as string | null };
  for (const m of eligible) {
    const sim = cosine(mine, vectorOf(m));
    const similar = outage && outageOf(m) && sim >= MIN_SIMILARITY;
    if (sim > best.sim) best = { sim, with: m.id };
    if (!similar) continue;
    if (m.groupId) {
      const g = groupBest.get(m.groupId);
      if (!g || sim > g.sim) groupBest.set(m.groupId, { sim, with: m.id });
    } else peers.push(m.id);
  }
  const pct = (x: number) => `${Math.round(x * 100)}%`;
  if (groupBest.size > 0) {
    // The most similar group wins; ties by id keep the decision deterministic.
    const [groupId, g] = [...groupBest.entries()].sort((a, b) => b[1].sim - a[1].sim || a[0].localeCompare(b[0]))[0]!;
    return { join: groupId, peers, similarity: g.sim, matchedWith: g.with, outage, reason: `same service ${report.serviceId}, text ${pct(g.sim)} similar to ${g.with}, both say it is failing` };
  }
  if (!outage) return { join: null, peers: [], similarity: best.sim, matchedWith: best.with, outage, reason: `the report does not say ${report.serviceId} is failing` };
  if (peers.length > 0) {
    return { join: null, peers, similarity: best.sim, matchedWith: best.with, outage, reason: `same service ${report.serviceId}, similar to ${peers.length} recent report(s) (best ${pct(best.sim)})` };
  }
  return { join: null, peers: [], similarity: best.sim, matchedWith: best.with, outage, reason: `same service ${report.serviceId} but text not similar enough (best ${pct(best.sim)})` };
}

export type ClusterAction =
  | { kind: 'join'; groupId: string }
  | { kind: 'create'; members: string[] }
  | { kind: 'none' };

/** What follows from a decision: join the group, or start one when the report and its peers reach the threshold. */
export function clusterAction(decision: ClusterDecision, threshold: number): ClusterAction {
  if (decision.join) return { kind: 'join', groupId: decision.join };
  if (decision.peers.length + 1 >= threshold) return { kind: 'create', members: decision.peers };
  return { kind: 'none' };
}
