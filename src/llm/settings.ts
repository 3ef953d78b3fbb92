import type { Config } from '../config/schema.js';

/** What may call the model; `embed` is KB retrieval's embeddings (on with LLM_EMBEDDING_MODEL). */
export const LLM_FEATURES = ['translate', 'triage', 'kb', 'summary'] as const;
export type LlmFeature = (typeof LLM_FEATURES)[number] | 'embed';

export interface LlmSettings {
  provider: 'openai' | 'azure';
  baseUrl?: string;
  apiKey?: string;
  azureApiVersion: string;
  /** Chat model (Azure: deployment) per feature. */
  models: Record<Exclude<LlmFeature, 'embed'>, string>;
  embeddingModel?: string;
  features: ReadonlySet<LlmFeature>;
  timeoutMs: number;
  maxRetries: number;
  breakerFailures: number;
  breakerCooldownMs: number;
  /** Tokens per day for all instances together; 0 = no limit. */
  dailyTokenBudget: number;
  redact: boolean;
  allowConfidential: boolean;
  agentLanguage: string;
  triageThreshold: number;
}

/** The LLM layer's settings, or undefined while LLM_MODEL is unset (the layer is off: nothing ever calls a model). */
export function llmSettings(config: Config): LlmSettings | undefined {
  const model = config.LLM_MODEL;
  if (!model) return undefined;
  const features = new Set<LlmFeature>(config.LLM_FEATURES.split(',') as LlmFeature[]);
  if (config.LLM_EMBEDDING_MODEL) features.add('embed');
  return {
    provider: config.LLM_PROVIDER,
    ...(config.LLM_BASE_URL ? { baseUrl: config.LLM_BASE_URL } : {}),
    ...(config.LLM_API_KEY ? { apiKey: config.LLM_API_KEY } : {}),
    azureApiVersion: config.LLM_AZURE_API_VERSION,
    models: {
      translate: config.LLM_MODEL_TRANSLATE ?? model,
      triage: config.LLM_MODEL_TRIAGE ?? model,
      kb: config.LLM_MODEL_KB ?? model,
      summary: config.LLM_MODEL_SUMMARY ?? model,
    },
    ...(config.LLM_EMBEDDING_MODEL ? { embeddingModel: config.LLM_EMBEDDING_MODEL } : {}),
    features,
    timeoutMs: config.LLM_TIMEOUT_MS,
    maxRetries: config.LLM_MAX_RETRIES,
    breakerFailures: config.LLM_BREAKER_FAILURES,
    breakerCooldownMs: config.LLM_BREAKER_COOLDOWN_SECONDS * 1000,
    dailyTokenBudget: config.LLM_DAILY_TOKEN_BUDGET,
    redact: config.LLM_REDACT,
    allowConfidential: config.LLM_ALLOW_CONFIDENTIAL,
    agentLanguage: config.AGENT_LANGUAGE,
    triageThreshold: config.LLM_TRIAGE_THRESHOLD,
  };
}
