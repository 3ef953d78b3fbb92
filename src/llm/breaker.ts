import type { LlmFeature } from './settings.js';

interface FeatureState {
  consecutiveFailures: number;
  openUntil: number;
  lastError?: string;
}

/**
 * One circuit per feature: after `failures` consecutive failures the feature is skipped for `cooldownMs`, then
 * one call is let through (half-open); its failure opens the circuit again at once. In memory on purpose: it
 * protects this instance's latency, and each instance learns the endpoint's health by itself.
 */
export class CircuitBreaker {
  private readonly states = new Map<LlmFeature, FeatureState>();

  constructor(
    private readonly failures: number,
    private readonly cooldownMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  allows(feature: LlmFeature): boolean {
    const s = this.states.get(feature);
    return !s || s.openUntil <= this.now();
  }

  succeeded(feature: LlmFeature): void {
    this.states.delete(feature);
  }

  failed(feature: LlmFeature, error: string): void {
    const s = this.states.get(feature) ?? { consecutiveFailures: 0, openUntil: 0 };
    s.consecutiveFailures += 1;
    s.lastError = error;
    if (s.consecutiveFailures >= this.failures) s.openUntil = this.now() + this.cooldownMs;
    this.states.set(feature, s);
  }

  /** Features that failed last time they ran, for /readyz: open circuits and failures short of opening. */
  troubles(): { feature: LlmFeature; open: boolean; failures: number; retryInMs: number; lastError?: string }[] {
    const now = this.now();
    return [...this.states].map(([feature, s]) => ({
      feature,
      open: s.openUntil > now,
      failures: s.consecutiveFailures,
      retryInMs: Math.max(0, s.openUntil - now),
      ...(s.lastError ? { lastError: s.lastError } : {}),
    }));
  }
}
