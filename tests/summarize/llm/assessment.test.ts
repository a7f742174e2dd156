// summarizeWithModel against the in-process MockLanguageModelV4: the prompt's shape, when no call is made, the
// cache, and the deterministic fallback. The HTTP path is in openai.test.ts.
import { describe, expect, it } from '@jest/globals';
import { APICallError } from 'ai';
import { MockLanguageModelV4 } from 'ai/test';
import { deterministicAssessment, summarizeWithModel } from '../../../summarize/llm/assessment.js';
import { buildFacts } from '../../../summarize/llm/facts.js';
import { FACTS_CLOSE, FACTS_OPEN, SYSTEM_PROMPT } from '../../../summarize/llm/prompt.js';
import { syntheticIncident, syntheticPlan } from '../../../sim/incidents.js';
import type { NotificationPlan } from '../../../normalize/incident.js';
import { goodAnswer, memoryCache, mockModel, steppingClock } from './helpers.js';
import { loadTokenizer } from '../../../summarize/llm/prompt.js';

// The facts are measured with the o200k tokenizer, loaded on first need (summarize/llm/prompt.ts).
await loadTokenizer();

const plan = syntheticPlan({ failing: 12 });
const facts = buildFacts(plan);
const emptyPlan: NotificationPlan = { cycleId: 'c0', at: plan.at, teams: [{ team: 'a', email: [], cc: [], timezone: null, notices: [] }] };

describe('summarizeWithModel with a mock model', () => {
  it('makes one call with temperature 0, the system rules, the facts block and a schema citing exactly the ids', async () => {
    const model = mockModel(JSON.stringify(goodAnswer(facts)));
    const a = await summarizeWithModel(plan, { model, modelName: 'mock-model', now: steppingClock(250) });
    expect(model.doGenerateCalls).toHaveLength(1);
    const call = model.doGenerateCalls[0]!;
    expect(call.temperature).toBe(0);
    const [system, user, ...rest] = call.prompt;
    expect(rest).toEqual([]);
    expect(system).toEqual({ role: 'system', content: SYSTEM_PROMPT });
    expect(system!.content).toMatch(/untrusted/);
    expect(system!.content).toMatch(/ignore that text/);
    expect(system!.content).toMatch(/no numbers, counts, dates, times, job names/);
    expect(user!.role).toBe('user');
    const text = (user!.content as { type: string; text: string }[])[0]!.text;
    expect(text).toContain(`${FACTS_OPEN}\n`);
    expect(text.trimEnd().endsWith(FACTS_CLOSE)).toBe(true);
    const format = call.responseFormat as { type: string; schema: { properties: { groups: { items: { properties: { id: { enum: string[] } } } } } } };
    expect(format.type).toBe('json');
    expect(format.schema.properties.groups.items.properties.id.enum).toEqual(facts.groups.map((g) => g.id));

    expect(a).toMatchObject({ source: 'model', model: 'mock-model', outcome: 'ok', fallbackReason: null, cached: false, tokensIn: 1000, tokensOut: 120, latencyMs: 250 });
    expect(a.groups.map((g) => [g.id, g.narrative, g.likelyCause])).toEqual(facts.groups.map((g) => [g.id, 'model', `Cause for ${g.id}.`]));
    expect(a.groups[0]!.incidentIds).toEqual(facts.groups[0]!.incidentIds); // facts filled back in
  });

  it('never lets the model lower the health the severities give', async () => {
    const model = mockModel(JSON.stringify(goodAnswer(facts, 'healthy')));
    const a = await summarizeWithModel(plan, { model, modelName: 'm', now: steppingClock() });
    expect(a.outcome).toBe('ok');
    expect(a.health).toBe('critical'); // the plan has streaks >= 3
  });

  it('makes no call when the plan is empty', async () => {
    const model = mockModel();
    const a = await summarizeWithModel(emptyPlan, { model, modelName: 'm', now: steppingClock() });
    expect(model.doGenerateCalls).toHaveLength(0);
    expect(a).toMatchObject({ outcome: 'skipped', health: 'healthy', groups: [], headline: 'Nothing to report this cycle.' });
  });

  it('makes no call when the facts hash is cached, and answers with the cached narrative', async () => {
    const cache = memoryCache();
    const first = mockModel(JSON.stringify(goodAnswer(facts)));
    const a1 = await summarizeWithModel(plan, { model: first, modelName: 'm', now: steppingClock(), cache });
    expect(cache.sets).toBe(1);
    const second = mockModel();
    const reminder: NotificationPlan = { ...plan, teams: plan.teams.map((t) => ({ ...t, notices: t.notices.map((n) => ({ ...n, reason: 'reminder' as const })) })) };
    const a2 = await summarizeWithModel(reminder, { model: second, modelName: 'm', now: steppingClock(), cache });
    expect(second.doGenerateCalls).toHaveLength(0);
    expect(a2).toMatchObject({ source: 'model', outcome: 'ok', cached: true, tokensIn: 0, tokensOut: 0, factsHash: a1.factsHash, headline: a1.headline });
    expect(a2.groups.map((g) => g.likelyCause)).toEqual(a1.groups.map((g) => g.likelyCause));
  });

  it('treats a failing cache as a miss and still answers', async () => {
    const model = mockModel(JSON.stringify(goodAnswer(facts)));
    const cache = { get: () => Promise.reject(new Error('store down')), set: () => { throw new Error('store down'); } };
    const a = await summarizeWithModel(plan, { model, modelName: 'm', now: steppingClock(), cache });
    expect(a.outcome).toBe('ok');
    expect(model.doGenerateCalls).toHaveLength(1);
  });

  it('falls back without a model, naming the reason', async () => {
    const a = await summarizeWithModel(plan, { model: null, modelName: null, now: steppingClock() });
    expect(a).toMatchObject({ source: 'fallback', outcome: 'fallback', fallbackReason: 'no_model', model: null, tokensIn: 0 });
  });

  it('falls back on a provider error, without retrying', async () => {
    let calls = 0;
    const model = new MockLanguageModelV4({
      doGenerate: async () => {
        calls++;
        throw new APICallError({ message: 'overloaded', url: 'http://x', requestBodyValues: {}, statusCode: 503, isRetryable: true });
      },
    });
    const a = await summarizeWithModel(plan, { model, modelName: 'm', now: steppingClock(100) });
    expect(calls).toBe(1);
    expect(a).toMatchObject({ outcome: 'fallback', fallbackReason: 'http_503', latencyMs: 100 });
  });

  it('repairs a fenced answer once, or falls back when it cannot', async () => {
    const fenced = mockModel('```json\n' + JSON.stringify(goodAnswer(facts)) + '\n```');
    expect((await summarizeWithModel(plan, { model: fenced, modelName: 'm', now: steppingClock() })).outcome).toBe('repaired');
    const prose = mockModel('All good, nothing to see.');
    const a = await summarizeWithModel(plan, { model: prose, modelName: 'm', now: steppingClock() });
    expect(prose.doGenerateCalls).toHaveLength(1);
    expect(a).toMatchObject({ outcome: 'fallback', fallbackReason: 'invalid_output', tokensIn: 1000 });
  });

  it('fills a group the model skipped from the templates', async () => {
    const answer = goodAnswer(facts);
    answer.groups = answer.groups.slice(1);
    const a = await summarizeWithModel(plan, { model: mockModel(JSON.stringify(answer)), modelName: 'm', now: steppingClock() });
    expect(a.groups[0]).toMatchObject({ narrative: 'template', confidence: null });
    expect(a.groups[1]).toMatchObject({ narrative: 'model' });
  });
});

describe('deterministicAssessment', () => {
  const at = plan.at;
  const one = (over: Partial<ReturnType<typeof syntheticIncident>>, n = 0): NotificationPlan => ({
    cycleId: 'c',
    at,
    teams: [{ team: 'ops', email: [], cc: [], timezone: null, notices: [{ reason: 'new', incident: { ...syntheticIncident(n, at), team: 'ops', ...over } }] }],
  });

  it('takes health from severities and the headline from counts', () => {
    expect(deterministicAssessment(plan)).toMatchObject({ source: 'fallback', outcome: 'fallback', health: 'critical', headline: '12 open incidents (6 critical) for 5 teams.' });
    expect(deterministicAssessment(one({ severity: 'warning' })).health).toBe('degraded');
    const recovered = deterministicAssessment(one({ state: 'resolved', severity: 'critical' }));
    expect(recovered).toMatchObject({ health: 'healthy', headline: 'All reported incidents recovered (1 incident).' });
    expect(recovered.groups[0]).toMatchObject({ likelyCause: 'The problem has cleared.', narrative: 'template' });
  });

  it('picks the template by error class, else by kind', () => {
    const cfg = deterministicAssessment(one({ errorClass: 'config_error', kind: 'failed' }));
    expect(cfg.groups[0]!.likelyCause).toMatch(/configuration or permission/);
    const transient = deterministicAssessment(one({ errorClass: 'CLOUD_FAILURE' }));
    expect(transient.groups[0]!.likelyCause).toMatch(/transient infrastructure/);
    const queued = deterministicAssessment(one({ errorClass: null, kind: 'stuck_queued' }));
    expect(queued.groups[0]!.likelyCause).toMatch(/waiting for capacity/);
    const blind = deterministicAssessment(one({ errorClass: null, kind: 'blind_spot', jobId: '' }));
    expect(blind.groups[0]!.nextStep).toMatch(/credentials/);
    for (const g of deterministicAssessment(plan).groups) {
      expect(g.likelyCause).not.toBe('');
      expect(g.nextStep).not.toBe('');
    }
  });
});
