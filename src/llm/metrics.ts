import { Counter, Histogram, type Registry } from 'prom-client';

/** The LLM layer's Prometheus series, on the app's registry (served at /metrics). */
export function createLlmMetrics(registry: Registry) {
  const registers = [registry];
  return {
    calls: new Counter({ name: 'frontline_llm_calls_total', help: 'Calls to the language model, by feature and outcome (ok, failed)', labelNames: ['feature', 'outcome'], registers }),
    tokens: new Counter({ name: 'frontline_llm_tokens_total', help: 'Tokens used, by feature and kind (prompt, completion)', labelNames: ['feature', 'kind'], registers }),
    latency: new Histogram({
      name: 'frontline_llm_latency_seconds',
      help: 'Time of a model call, SDK retries included',
      labelNames: ['feature'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    failures: new Counter({ name: 'frontline_llm_failures_total', help: 'Failed model calls, by feature and reason (timeout, http_<status>, connection, invalid_output, truncated)', labelNames: ['feature', 'reason'], registers }),
    skipped: new Counter({ name: 'frontline_llm_skipped_total', help: 'Model calls not made, by feature and reason (circuit_open, budget, confidential)', labelNames: ['feature', 'reason'], registers }),
  };
}

export type LlmMetrics = ReturnType<typeof createLlmMetrics>;
