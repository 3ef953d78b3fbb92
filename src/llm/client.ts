import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, AzureOpenAI } from 'openai';
import { zodResponseFormat } from 'openai/helpers/zod';
import type { z } from 'zod';
import type { Logger } from '../logger.js';
import { redactSecrets } from '../security/redact.js';
import { CircuitBreaker } from './breaker.js';
import type { LlmMetrics } from './metrics.js';
import { DATA_RULES, dataBlocks, echoesInstructions } from './safety.js';
import type { LlmFeature, LlmSettings } from './settings.js';
import type { UsageLedger } from './usage.js';

export interface StructuredRequest<T> {
  feature: Exclude<LlmFeature, 'embed'>;
  /** Our instructions only: never reporter text (that goes in `data`). */
  instructions: string;
  /** Untrusted text, by name; sent as delimited data blocks after redaction. */
  data: Record<string, string>;
  /** What the answer must be; enums in it are the closed lists the model may pick from. */
  schema: z.ZodType<T>;
  schemaName: string;
  incidentId?: string;
  /** A confidential incident's text is not sent unless LLM_ALLOW_CONFIDENTIAL. */
  confidential?: boolean;
}

/** Why a call failed or was not made; `undefined` answers always mean "do what you would do without a model". */
class LlmFailure extends Error {
  constructor(readonly reason: string, message: string) {
    super(message);
  }
}

/**
 * The one way Frontline talks to a model. Every call: feature switch, circuit breaker, daily budget,
 * confidentiality rule, redaction, structured output validated with zod, metrics, and a row in `llm_call`.
 * Never throws: a failure returns undefined and the caller keeps its rule-based behaviour.
 */
export class LlmClient {
  readonly breaker: CircuitBreaker;
  private readonly sdk: OpenAI;
  private budgetSpent = false;

  constructor(
    readonly settings: LlmSettings,
    private readonly ledger: UsageLedger,
    private readonly metrics: LlmMetrics,
    private readonly logger: Logger,
  ) {
    this.breaker = new CircuitBreaker(settings.breakerFailures, settings.breakerCooldownMs);
    const common = { apiKey: settings.apiKey ?? 'not-needed', timeout: settings.timeoutMs, maxRetries: settings.maxRetries };
    this.sdk = settings.provider === 'azure'
      ? new AzureOpenAI({ ...common, ...(settings.baseUrl ? { endpoint: settings.baseUrl } : {}), apiVersion: settings.azureApiVersion })
      : new OpenAI({ ...common, ...(settings.baseUrl ? { baseURL: settings.baseUrl } : {}) });
  }

  enabled(feature: LlmFeature): boolean {
    return this.settings.features.has(feature);
  }

  /** The day's budget was found spent at the last check (for /readyz). */
  get overBudget(): boolean {
    return this.budgetSpent;
  }

  async structured<T>(request: StructuredRequest<T>): Promise<T | undefined> {
    const { feature } = request;
    if (!(await this.mayCall(feature, request.confidential ?? false))) return undefined;
    const model = this.settings.models[feature];
    const system = `${DATA_RULES}\n\n${request.instructions}`;
    const user = dataBlocks(request.data, { redact: this.settings.redact });
    return this.run(feature, model, request.incidentId, async () => {
      const completion = await this.sdk.chat.completions.create({
        model,
        temperature: 0,
        messages: [
          { role: 'system', content: system },
          { role: 'user', content: user },
        ],
        response_format: zodResponseFormat(request.schema as never, request.schemaName),
      });
      const choice = completion.choices[0];
      const usage = { promptTokens: completion.usage?.prompt_tokens ?? 0, completionTokens: completion.usage?.completion_tokens ?? 0 };
      const fail = (reason: string, message: string) => Object.assign(new LlmFailure(reason, message), { usage });
      if (!choice?.message.content) throw fail('invalid_output', 'empty answer');
      if (choice.finish_reason === 'length') throw fail('truncated', 'answer cut off at the token limit');
      let json: unknown;
      try {
        json = JSON.parse(choice.message.content);
      } catch {
        throw fail('truncated', 'answer is not complete JSON');
      }
      const parsed = request.schema.safeParse(json);
      if (!parsed.success) throw fail('invalid_output', `answer outside the schema: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ').slice(0, 300)}`);
      if (echoesInstructions(system, parsed.data)) throw fail('invalid_output', 'answer repeats the instructions');
      return { value: parsed.data, usage };
    });
  }

  /** Embeddings (the SDK asks for base64 and decodes it); undefined when off or failing. */
  async embed(texts: string[]): Promise<number[][] | undefined> {
    const model = this.settings.embeddingModel;
    if (!model || texts.length === 0 || !(await this.mayCall('embed', false))) return undefined;
    // Queries come from reporters: masked like every other text that leaves.
    const input = this.settings.redact ? texts.map(redactSecrets) : texts;
    return this.run('embed', model, undefined, async () => {
      const res = await this.sdk.embeddings.create({ model, input });
      const vectors = [...res.data].sort((a, b) => a.index - b.index).map((d) => d.embedding);
      if (vectors.length !== texts.length) throw new LlmFailure('invalid_output', `asked for ${texts.length} embeddings, got ${vectors.length}`);
      return { value: vectors, usage: { promptTokens: res.usage?.prompt_tokens ?? 0, completionTokens: 0 } };
    });
  }

  private async mayCall(feature: LlmFeature, confidential: boolean): Promise<boolean> {
    if (!this.enabled(feature)) return false;
    if (confidential && !this.settings.allowConfidential) {
      this.metrics.skipped.inc({ feature, reason: 'confidential' });
      return false;
    }
    if (!this.breaker.allows(feature)) {
      this.metrics.skipped.inc({ feature, reason: 'circuit_open' });
      return false;
    }
    if (this.settings.dailyTokenBudget > 0) {
      const spent = await this.ledger.tokensToday().catch(() => 0);
      this.budgetSpent = spent >= this.settings.dailyTokenBudget;
      if (this.budgetSpent) {
        this.metrics.skipped.inc({ feature, reason: 'budget' });
        return false;
      }
    }
    return true;
  }

  private async run<T>(feature: LlmFeature, model: string, incidentId: string | undefined, call: () => Promise<{ value: T; usage: { promptTokens: number; completionTokens: number } }>): Promise<T | undefined> {
    const started = performance.now();
    let usage = { promptTokens: 0, completionTokens: 0 };
    let value: T | undefined;
    let error: { reason: string; message: string } | undefined;
    try {
      const result = await call();
      usage = result.usage;
      value = result.value;
    } catch (err) {
      error = classify(err);
      usage = (err as { usage?: typeof usage }).usage ?? usage;
    }
    const latencyMs = performance.now() - started;
    this.metrics.latency.observe({ feature }, latencyMs / 1000);
    this.metrics.calls.inc({ feature, outcome: error ? 'failed' : 'ok' });
    this.metrics.tokens.inc({ feature, kind: 'prompt' }, usage.promptTokens);
    this.metrics.tokens.inc({ feature, kind: 'completion' }, usage.completionTokens);
    if (error) {
      this.metrics.failures.inc({ feature, reason: error.reason });
      this.breaker.failed(feature, `${error.reason}: ${error.message}`);
      this.logger.warn({ feature, model, reason: error.reason, error: error.message }, 'language model call failed; carrying on without it');
    } else {
      this.breaker.succeeded(feature);
    }
    await this.ledger
      .record({ feature, model, ...usage, latencyMs, ok: !error, ...(error ? { error: `${error.reason}: ${error.message}` } : {}), ...(incidentId ? { incidentId } : {}) })
      .catch((err: unknown) => this.logger.warn({ err }, 'could not record a language model call'));
    return error ? undefined : value;
  }
}

function classify(err: unknown): { reason: string; message: string } {
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof LlmFailure) return { reason: err.reason, message };
  if (err instanceof APIConnectionTimeoutError) return { reason: 'timeout', message };
  if (err instanceof APIConnectionError) return { reason: 'connection', message };
  if (err instanceof APIError) return { reason: `http_${err.status ?? 'unknown'}`, message };
  return { reason: 'error', message };
}
