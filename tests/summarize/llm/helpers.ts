// Shared pieces of the LLM tests: a stepping clock (latency is what the clock says, never real time), a mock
// model answering scripted text, a memory cache, and a valid answer for given facts.
import { MockLanguageModelV4 } from 'ai/test';
import type { CachedNarrative, NarrativeCache } from '../../../summarize/llm/assessment.js';
import type { Facts } from '../../../summarize/llm/facts.js';
import type { ModelAnswer } from '../../../summarize/llm/output.js';

/** Each call returns a time `stepMs` later than the previous one. */
export function steppingClock(stepMs = 250, start = Date.parse('2026-11-23T06:00:00Z')): () => Date {
  let t = start - stepMs;
  return () => new Date((t += stepMs));
}

const usage = {
  inputTokens: { total: 1000, noCache: 1000, cacheRead: undefined, cacheWrite: undefined },
  outputTokens: { total: 120, text: 120, reasoning: undefined },
};

export function mockModel(...texts: string[]): MockLanguageModelV4 {
  return new MockLanguageModelV4({
    modelId: 'mock-model',
    doGenerate: texts.map((text) => ({ content: [{ type: 'text' as const, text }], finishReason: { unified: 'stop' as const, raw: undefined }, usage, warnings: [] })),
  });
}

export function memoryCache(): NarrativeCache & { map: Map<string, CachedNarrative>; gets: number; sets: number } {
  const map = new Map<string, CachedNarrative>();
  const cache = {
    map,
    gets: 0,
    sets: 0,
    get(hash: string) {
      cache.gets++;
      return map.get(hash);
    },
    set(hash: string, value: CachedNarrative) {
      cache.sets++;
      map.set(hash, value);
    },
  };
  return cache;
}

export function goodAnswer(facts: Facts, health: ModelAnswer['health'] = 'degraded'): ModelAnswer {
  return {
    health,
    headline: 'Several pipelines fail on expired credentials and one warehouse problem.',
    groups: facts.groups.map((g) => ({ id: g.id, likelyCause: `Cause for ${g.id}.`, nextStep: `Step for ${g.id}.`, confidence: 'medium' as const })),
  };
}
