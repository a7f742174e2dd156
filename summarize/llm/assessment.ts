// The one grounded model call of a cycle. From the notification plan: facts (bounded, grouped), one
// `generateText` with a structured output, the answer checked and cleaned, the facts filled back in. Every way it
// can go wrong (no model, timeout, HTTP error, invalid answer) ends in the deterministic assessment, labelled
// with the reason, so the cycle always goes on.
//
// Call discipline: temperature 0; `maxRetries: 0` (the SDK would otherwise retry 429/5xx twice); an AbortSignal
// timeout (30 s by default); at most one repair, done locally by `repairAnswer` on the text of an answer that
// failed validation (no second model call; `generateText` has no repairText hook in AI SDK 7, only the deprecated
// generateObject has). No call at all when the plan is empty or the facts hash equals a cached narrative's.
import { APICallError, generateText, NoObjectGeneratedError, Output, RetryError } from 'ai';
import type { LanguageModel } from 'ai';
import type { NotificationPlan } from '../../normalize/incident.js';
import { buildFacts, factsHash } from './facts.js';
import type { BuildFactsOptions, FactGroup, Facts, MoreGroups } from './facts.js';
import { outputSchema, postProcess, repairAnswer } from './output.js';
import type { Confidence, Health, ModelAnswer } from './output.js';
import { buildPrompt, loadTokenizer } from './prompt.js';
import { healthFromPlan, templateFor, templateHeadline, worseHealth } from './templates.js';

export const DEFAULT_TIMEOUT_MS = 30_000;

export interface AssessedGroup extends FactGroup {
  likelyCause: string;
  nextStep: string;
  /** The model's confidence; null for a template. */
  confidence: Confidence | null;
  /** Where the cause and next step come from: the model, or a template (fallback, or a group the model skipped). */
  narrative: 'model' | 'template';
}

export type AssessmentOutcome = 'ok' | 'repaired' | 'fallback' | 'skipped';

export interface Assessment {
  source: 'model' | 'fallback';
  /** The model's name when it was asked (or its cached answer used); null otherwise. */
  model: string | null;
  health: Health;
  headline: string;
  groups: AssessedGroup[];
  /** Groups left out of the prompt by the token budget, as counts. */
  more: MoreGroups | null;
  /** ok: a valid answer; repaired: valid after the one local repair; fallback: templates; skipped: empty plan. */
  outcome: AssessmentOutcome;
  /** Why the templates were used: no_model, no_groups, timeout, http_<status>, network, invalid_output, error. */
  fallbackReason: string | null;
  /** The narrative came from the cache: no call was made. */
  cached: boolean;
  /** Tokens the provider reported (0 without a call). */
  tokensIn: number;
  tokensOut: number;
  /** Prompt tokens measured locally (o200k), whether or not a call was made. */
  promptTokens: number;
  latencyMs: number;
  factsHash: string;
}

/** A narrative kept for a facts hash. Only answers of the model are cached, never a fallback. */
export interface CachedNarrative {
  model: string | null;
  answer: ModelAnswer;
}

export interface NarrativeCache {
  get(hash: string): CachedNarrative | null | undefined | Promise<CachedNarrative | null | undefined>;
  set(hash: string, value: CachedNarrative): void | Promise<void>;
}

export interface SummarizeDeps {
  /** The language model (see provider.ts); null or absent means no key: the templates answer. */
  model?: LanguageModel | null;
  /** The name recorded on the cycle row (e.g. the LLM_MODEL value). */
  modelName: string | null;
  now: () => Date;
  timeoutMs?: number;
  cache?: NarrativeCache;
  /** Cancels the call with the cycle (in addition to the timeout). */
  abortSignal?: AbortSignal;
  facts?: BuildFactsOptions;
}

function fill(facts: Facts, answer: ModelAnswer | null): AssessedGroup[] {
  const byId = new Map((answer?.groups ?? []).map((g) => [g.id, g]));
  return facts.groups.map((g) => {
    const m = byId.get(g.id);
    if (m && m.likelyCause !== '' && m.nextStep !== '') return { ...g, likelyCause: m.likelyCause, nextStep: m.nextStep, confidence: m.confidence, narrative: 'model' };
    return { ...g, ...templateFor(g), confidence: null, narrative: 'template' };
  });
}

/** The assessment from templates alone, labelled as a fallback with its reason. Pure, once `loadTokenizer()` has run (it measures the facts it would send). */
export function deterministicAssessment(plan: NotificationPlan, opts: { reason?: string; facts?: Facts } = {}): Assessment {
  const facts = opts.facts ?? buildFacts(plan);
  return {
    source: 'fallback',
    model: null,
    health: healthFromPlan(plan),
    headline: templateHeadline(plan),
    groups: fill(facts, null),
    more: facts.more,
    outcome: 'fallback',
    fallbackReason: opts.reason ?? null,
    cached: false,
    tokensIn: 0,
    tokensOut: 0,
    promptTokens: facts.promptTokens,
    latencyMs: 0,
    factsHash: factsHash(facts),
  };
}

function fromAnswer(plan: NotificationPlan, facts: Facts, answer: ModelAnswer, model: string | null): Assessment {
  const base = deterministicAssessment(plan, { facts });
  return {
    ...base,
    source: 'model',
    model,
    // The severities decide how bad things are: the model may say worse, never better.
    health: worseHealth(healthFromPlan(plan), answer.health),
    headline: answer.headline !== '' ? answer.headline : base.headline,
    groups: fill(facts, answer),
    outcome: 'ok',
    fallbackReason: null,
  };
}

function isEmpty(plan: NotificationPlan): boolean {
  return plan.teams.every((t) => t.notices.length === 0);
}

/** A short, secret-free reason for a failed call (never the response body or the request). */
export function classifyFailure(error: unknown, signal: AbortSignal): string {
  const e = RetryError.isInstance(error) ? error.lastError : error;
  if (signal.aborted && signal.reason instanceof DOMException && signal.reason.name === 'TimeoutError') return 'timeout';
  if (e instanceof DOMException && e.name === 'TimeoutError') return 'timeout';
  if (APICallError.isInstance(e)) return e.statusCode === undefined ? 'network' : `http_${e.statusCode}`;
  if (e instanceof Error && e.name === 'AbortError') return 'aborted';
  if (e instanceof TypeError) return 'network';
  return 'error';
}

export async function summarizeWithModel(plan: NotificationPlan, deps: SummarizeDeps): Promise<Assessment> {
  if (isEmpty(plan)) {
    return { ...deterministicAssessment(plan), outcome: 'skipped' };
  }
  await loadTokenizer();
  const facts = buildFacts(plan, deps.facts);
  const hash = factsHash(facts);
  const fallback = (reason: string, extra: Partial<Assessment> = {}): Assessment => ({ ...deterministicAssessment(plan, { facts, reason }), ...extra });
  const model = deps.model ?? null;
  if (model === null) return fallback('no_model');
  const [first, ...rest] = facts.groups.map((g) => g.id);
  if (first === undefined) return fallback('no_groups');
  const ids: [string, ...string[]] = [first, ...rest];

  const cached = await Promise.resolve()
    .then(() => deps.cache?.get(hash))
    .catch(() => null); // an unreadable cache is a miss, not a failed cycle
  if (cached) return { ...fromAnswer(plan, facts, postProcess(cached.answer, ids).answer, cached.model), cached: true };

  const prompt = buildPrompt(facts);
  const timeout = AbortSignal.timeout(deps.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const signal = deps.abortSignal ? AbortSignal.any([timeout, deps.abortSignal]) : timeout;
  const started = deps.now().getTime();
  const elapsed = (): number => Math.max(0, deps.now().getTime() - started);
  let answer: ModelAnswer;
  let outcome: AssessmentOutcome = 'ok';
  let tokensIn: number;
  let tokensOut: number;
  try {
    const result = await generateText({
      model,
      system: prompt.system,
      prompt: prompt.user,
      output: Output.object({ schema: outputSchema(ids), name: 'assessment' }),
      temperature: 0,
      maxRetries: 0,
      abortSignal: signal,
      // Room for a sentence or two per group; an answer cut short fails validation and falls back.
      maxOutputTokens: 400 + 200 * ids.length,
    });
    tokensIn = result.usage.inputTokens ?? 0;
    tokensOut = result.usage.outputTokens ?? 0;
    answer = result.output;
  } catch (error) {
    if (!NoObjectGeneratedError.isInstance(error)) {
      return fallback(classifyFailure(error, signal), { latencyMs: elapsed() });
    }
    tokensIn = error.usage?.inputTokens ?? 0;
    tokensOut = error.usage?.outputTokens ?? 0;
    const repaired = error.text === undefined ? null : repairAnswer(error.text, ids);
    if (repaired === null) return fallback('invalid_output', { latencyMs: elapsed(), tokensIn, tokensOut });
    answer = repaired;
    outcome = 'repaired';
  }
  const latencyMs = elapsed();
  const clean = postProcess(answer, ids).answer;
  const modelName = deps.modelName ?? null;
  await Promise.resolve()
    .then(() => deps.cache?.set(hash, { model: modelName, answer: clean }))
    .catch(() => undefined); // a cache that cannot be written costs one more call next cycle, nothing else
  return { ...fromAnswer(plan, facts, clean, modelName), outcome, tokensIn, tokensOut, latencyMs };
}
