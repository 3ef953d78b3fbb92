/**
 * Inbound alert formats, validated with zod and normalised to one shape: Prometheus Alertmanager's webhook
 * (version 4) and a generic JSON form for other monitoring tools.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';

const labels = z.record(z.string().max(200), z.string().max(2_000));
const time = z.string().datetime({ offset: true }).or(z.string().regex(/^0001-01-01T00:00:00Z$/));

export const alertmanagerPayload = z.object({
  version: z.string().optional(),
  status: z.enum(['firing', 'resolved']),
  receiver: z.string().optional(),
  groupKey: z.string().optional(),
  alerts: z
    .array(
      z.object({
        status: z.enum(['firing', 'resolved']),
        labels: labels.refine((l) => typeof l.alertname === 'string', 'every alert needs an alertname label'),
        annotations: labels.default({}),
        startsAt: time.optional(),
        endsAt: time.optional(),
        generatorURL: z.string().max(2_000).optional(),
        fingerprint: z.string().min(1).max(200).optional(),
      }),
    )
    .min(1)
    .max(1_000),
});

export const genericAlertPayload = z.strictObject({
  alerts: z
    .array(
      z.strictObject({
        /** Stable id of the alert in the sending tool: the deduplication key. */
        id: z.string().min(1).max(200),
        status: z.enum(['firing', 'resolved']),
        name: z.string().min(1).max(200),
        /** A service id of dialogs/services.yaml; otherwise the labels are matched against its alertLabels. */
        service: z.string().min(1).max(100).optional(),
        ci: z.string().min(1).max(100).optional(),
        summary: z.string().max(2_000).optional(),
        labels: labels.default({}),
        startsAt: z.string().datetime({ offset: true }).optional(),
      }),
    )
    .min(1)
    .max(1_000),
});

export interface NormalisedAlert {
  fingerprint: string;
  source: 'alertmanager' | 'generic';
  name: string;
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: Date;
  summary: string;
  /** Explicit service/CI (generic form); otherwise derived from the labels. */
  serviceId?: string;
  ciId?: string;
}

/** Alertmanager's fingerprint when sent; otherwise a hash of the sorted labels (what Alertmanager hashes too). */
function fingerprintOf(l: Record<string, string>): string {
  const sorted = Object.keys(l).sort().map((k) => `${k}=${l[k]}`).join('\n');
  return createHash('sha256').update(sorted).digest('hex').slice(0, 16);
}

const validDate = (s: string | undefined, fallback: Date) => {
  const d = s ? new Date(s) : fallback;
  return Number.isNaN(d.getTime()) || d.getUTCFullYear() < 2000 ? fallback : d;
};

export function fromAlertmanager(payload: z.infer<typeof alertmanagerPayload>, now = new Date()): NormalisedAlert[] {
  return payload.alerts.map((a) => ({
    fingerprint: a.fingerprint ?? fingerprintOf(a.labels),
    source: 'alertmanager',
    name: a.labels.alertname!,
    status: a.status,
    labels: a.labels,
    annotations: a.annotations,
    startsAt: validDate(a.startsAt, now),
    summary: a.annotations.summary ?? a.annotations.description ?? a.annotations.message ?? '',
  }));
}

export function fromGeneric(payload: z.infer<typeof genericAlertPayload>, now = new Date()): NormalisedAlert[] {
  return payload.alerts.map((a) => ({
    fingerprint: `generic:${a.id}`,
    source: 'generic',
    name: a.name,
    status: a.status,
    labels: { ...a.labels, alertname: a.name },
    annotations: a.summary ? { summary: a.summary } : ({} as Record<string, string>),
    startsAt: validDate(a.startsAt, now),
    summary: a.summary ?? '',
    ...(a.service ? { serviceId: a.service } : {}),
    ...(a.ci ? { ciId: a.ci } : {}),
  }));
}
