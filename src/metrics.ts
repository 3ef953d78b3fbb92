import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** Prometheus metrics, one registry per app instance (tests run several in one process). */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'frontline_' });
  const labelNames = ['channel'] as const;
  return {
    registry,
    inboundEvents: new Counter({ name: 'frontline_inbound_events_total', help: 'Inbound platform events accepted', labelNames, registers: [registry] }),
    inboundDuplicates: new Counter({ name: 'frontline_inbound_duplicates_total', help: 'Inbound events ignored as redeliveries', labelNames, registers: [registry] }),
    intakeConflicts: new Counter({ name: 'frontline_intake_conflicts_total', help: 'Intake transactions retried after a deadlock or serialization failure', registers: [registry] }),
    intakeFallbacks: new Counter({ name: 'frontline_intake_batch_fallbacks_total', help: 'Batches that failed as a whole and were received one message at a time', registers: [registry] }),
    outboundSent: new Counter({ name: 'frontline_outbound_sent_total', help: 'Outbound messages delivered', labelNames, registers: [registry] }),
    outboundFailed: new Counter({ name: 'frontline_outbound_failed_total', help: 'Outbound delivery attempts that failed (will retry)', labelNames, registers: [registry] }),
    outboundDead: new Counter({ name: 'frontline_outbound_dead_total', help: 'Outbound messages given up on (dead letters)', labelNames, registers: [registry] }),
    admissionRefused: new Counter({ name: 'frontline_admission_refused_total', help: 'Web chat writes refused with 503 because the intake was over its in-flight budget', registers: [registry] }), // [runtime]
    outboxLag: new Gauge({ name: 'frontline_outbox_lag_seconds', help: 'Age of the oldest undelivered outbox message', registers: [registry] }),
    outboxPending: new Gauge({ name: 'frontline_outbox_pending', help: 'Undelivered outbox messages', registers: [registry] }),
    dialogStep: new Histogram({
      name: 'frontline_dialog_step_seconds',
      help: 'Time to record an inbound event and commit the dialog step with its effects',
      labelNames,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
