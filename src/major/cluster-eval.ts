/**
 * Runs clustering over a labelled stream in memory — the same decisions the intake makes, without a database —
 * and scores the linking against the labels (pairwise precision and recall). Used by the clustering test and
 * `npm run bench -- cluster`.
 */
import type { ServiceCatalog } from '../services/catalog.js';
import { type ClusterMember, clusterAction, decideCluster, type TextVector } from './cluster.js';
import { reportService } from './report-service.js';

export interface StreamReport {
  id: string;
  text: string;
  language?: string;
  at: Date;
  truth: string | null;
}

export interface StreamResult {
  /** Report id → group id (null: not linked). */
  groups: Map<string, string | null>;
  reasons: Map<string, string>;
  precision: number;
  recall: number;
  truePairs: number;
  predictedPairs: number;
}

export interface StreamOptions {
  catalog: ServiceCatalog;
  /** The service's threshold and window by criticality. */
  thresholdFor: (serviceId: string) => number;
  windowMsFor: (serviceId: string) => number;
  triageService?: (text: string) => string | null;
}

export function clusterStream(reports: readonly StreamReport[], options: StreamOptions): StreamResult {
  const members: ClusterMember[] = [];
  const groups = new Map<string, string | null>();
  const reasons = new Map<string, string>();
  const vectors = new Map<string, TextVector>();
  const outages = new Map<string, boolean>();
  let nextGroup = 1;
  for (const report of reports) {
    const { serviceId, ciId } = reportService(options.catalog, report.text, options.triageService?.(report.text), report.language);
    const me: ClusterMember = { id: report.id, text: report.text, at: report.at, serviceId, ciId, groupId: null };
    if (serviceId) {
      const decision = decideCluster(me, members.filter((m) => m.serviceId === serviceId), { windowMs: options.windowMsFor(serviceId), vectors, outages });
      const action = clusterAction(decision, options.thresholdFor(serviceId));
      reasons.set(report.id, decision.reason);
      if (action.kind === 'join') me.groupId = action.groupId;
      else if (action.kind === 'create') {
        me.groupId = `g${nextGroup++}`;
        for (const m of members) if (action.members.includes(m.id)) m.groupId = me.groupId;
      }
    } else reasons.set(report.id, 'no service recognised in the report');
    members.push(me);
  }
  for (const m of members) groups.set(m.id, m.groupId);
  return { groups, reasons, ...pairScores(reports, groups) };
}

/** Pairwise scores: of the pairs put in one group, how many truly belong together, and of those, how many were found. */
export function pairScores(reports: readonly StreamReport[], groups: Map<string, string | null>): { precision: number; recall: number; truePairs: number; predictedPairs: number } {
  const count = (key: (r: StreamReport) => string | null) => {
    const sizes = new Map<string, number>();
    for (const r of reports) {
      const k = key(r);
      if (k !== null) sizes.set(k, (sizes.get(k) ?? 0) + 1);
    }
    let pairs = 0;
    for (const n of sizes.values()) pairs += (n * (n - 1)) / 2;
    return pairs;
  };
  const truePairs = count((r) => r.truth);
  const predictedPairs = count((r) => groups.get(r.id) ?? null);
  const both = count((r) => {
    const g = groups.get(r.id);
    return g && r.truth ? `${g}|${r.truth}` : null;
  });
  return { precision: predictedPairs ? both / predictedPairs : 1, recall: truePairs ? both / truePairs : 1, truePairs, predictedPairs };
}
