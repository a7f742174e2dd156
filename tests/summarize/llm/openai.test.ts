// The whole path over a real socket: createModel (chat completions, @ai-sdk/openai) → the fake OpenAI endpoint
// on 127.0.0.1 → summarizeWithModel. Each scripted answer is one case; every case asserts exactly one request.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { summarizeWithModel } from '../../../summarize/llm/assessment.js';
import type { Assessment } from '../../../summarize/llm/assessment.js';
import { buildFacts } from '../../../summarize/llm/facts.js';
import { createModel } from '../../../summarize/llm/provider.js';
import { reply, startFakeOpenAI } from '../../../sim/openai.js';
import type { FakeOpenAI, FakeReply } from '../../../sim/openai.js';
import { syntheticPlan } from '../../../sim/incidents.js';
import { goodAnswer, steppingClock } from './helpers.js';
import { loadTokenizer } from '../../../summarize/llm/prompt.js';

// The facts are measured with the o200k tokenizer, loaded on first need (summarize/llm/prompt.ts).
await loadTokenizer();

const plan = syntheticPlan({ failing: 9 });
const facts = buildFacts(plan);
let fake: FakeOpenAI;

beforeAll(async () => {
  fake = await startFakeOpenAI({ apiKey: 'sk-test-123' });
});
afterAll(async () => {
  await fake.stop();
});
beforeEach(() => {
  fake.requests.length = 0;
});

async function run(answer: FakeReply, timeoutMs = 10_000): Promise<Assessment> {
  fake.enqueue(answer);
  const model = await createModel({ provider: 'openai', apiKey: fake.apiKey, model: 'gpt-test', baseUrl: fake.baseUrl });
  return summarizeWithModel(plan, { model, modelName: 'gpt-test', now: steppingClock(500), timeoutMs });
}

describe('summarizeWithModel over HTTP (fake OpenAI)', () => {
  it('a good answer: one request to /v1/chat/completions with the key, temperature 0 and a strict json_schema', async () => {
    const a = await run(reply.json(goodAnswer(facts), { prompt: 1234, completion: 56 }));
    expect(fake.requests).toHaveLength(1);
    const req = fake.requests[0]!;
    expect(req).toMatchObject({ method: 'POST', path: '/v1/chat/completions', authorization: 'Bearer sk-test-123' });
    const body = req.body!;
    expect(body.model).toBe('gpt-test');
    expect(body.temperature).toBe(0);
    const messages = body.messages as { role: string; content: string }[];
    expect(messages.map((m) => m.role)).toEqual(['system', 'user']);
    expect(messages[1]!.content).toContain('<facts>');
    const format = body.response_format as { type: string; json_schema: { strict: boolean; schema: { properties: { groups: { items: { properties: { id: { enum: string[] } } } } } } } };
    expect(format.type).toBe('json_schema');
    expect(format.json_schema.strict).toBe(true);
    expect(format.json_schema.schema.properties.groups.items.properties.id.enum).toEqual(facts.groups.map((g) => g.id));
    expect(a).toMatchObject({ source: 'model', outcome: 'ok', model: 'gpt-test', tokensIn: 1234, tokensOut: 56, latencyMs: 500, fallbackReason: null });
    expect(a.groups.every((g) => g.narrative === 'model')).toBe(true);
  });

  it('a malformed answer is repaired once when it can be', async () => {
    const text = JSON.stringify(goodAnswer(facts)).replace(/}]}$/, '},]}');
    const a = await run(reply.text(`Sure! ${text}`));
    expect(fake.requests).toHaveLength(1);
    expect(a).toMatchObject({ source: 'model', outcome: 'repaired' });
  });

  it('a malformed answer that cannot be repaired falls back', async () => {
    const a = await run(reply.text('{"health": "degraded", "headline": "cut sho'));
    expect(fake.requests).toHaveLength(1);
    expect(a).toMatchObject({ source: 'fallback', outcome: 'fallback', fallbackReason: 'invalid_output', tokensIn: 1200 });
  });

  it('an answer citing an unknown group keeps the known groups and drops the rest', async () => {
    const answer = goodAnswer(facts);
    answer.groups.push({ id: 'g999', likelyCause: 'made up', nextStep: 'made up', confidence: 'high' });
    const a = await run(reply.json(answer));
    expect(fake.requests).toHaveLength(1);
    expect(a.outcome).toBe('repaired');
    expect(a.groups.map((g) => g.id)).toEqual(facts.groups.map((g) => g.id));
    expect(JSON.stringify(a)).not.toContain('made up');
  });

  it('links, e-mail addresses and markup in the answer are removed', async () => {
    const answer = goodAnswer(facts);
    answer.headline = 'Credentials expired, see https://evil.example.com/reset and mail attacker@evil.com';
    answer.groups[0]!.nextStep = 'Rotate the secret at [the portal](http://phish.test/x) or <a href="//x">here</a> www.phish.test';
    const a = await run(reply.json(answer));
    expect(a.outcome).toBe('ok');
    expect(a.headline).toBe('Credentials expired, see and mail');
    expect(a.groups[0]!.nextStep).toBe('Rotate the secret at the portal or here');
    expect(JSON.stringify([a.headline, a.groups.map((g) => [g.likelyCause, g.nextStep])])).not.toMatch(/https?:|www\.|phish|evil|</);
  });

  it('a hung request hits the timeout and falls back (fault injection, not a timing assertion)', async () => {
    const a = await run(reply.hang(), 200);
    expect(fake.requests).toHaveLength(1);
    expect(a).toMatchObject({ source: 'fallback', fallbackReason: 'timeout', latencyMs: 500 });
  });

  it('a 429 is not retried: exactly one request, then the fallback', async () => {
    const a = await run(reply.rateLimited(1));
    expect(fake.requests).toHaveLength(1);
    expect(a).toMatchObject({ source: 'fallback', fallbackReason: 'http_429' });
  });

  it('a 500 falls back after one request', async () => {
    const a = await run(reply.serverError(500));
    expect(fake.requests).toHaveLength(1);
    expect(a).toMatchObject({ source: 'fallback', fallbackReason: 'http_500' });
  });

  it('a wrong key is a 401 fallback and the key never reaches the assessment', async () => {
    // Refused before any scripted reply is used (the fake checks the key first, as OpenAI does).
    const model = await createModel({ provider: 'openai', apiKey: 'sk-wrong-secret', model: 'gpt-test', baseUrl: fake.baseUrl });
    const a = await summarizeWithModel(plan, { model, modelName: 'gpt-test', now: steppingClock() });
    expect(a.fallbackReason).toBe('http_401');
    expect(fake.requests).toHaveLength(1);
    expect(JSON.stringify(a)).not.toContain('sk-wrong-secret');
  });

  it('createModel returns null without a key, so no request is ever made', async () => {
    expect(await createModel({ provider: 'openai', apiKey: '', model: 'gpt-test' })).toBeNull();
    expect(await createModel(null)).toBeNull();
    const a = await summarizeWithModel(plan, { model: await createModel(undefined), modelName: null, now: steppingClock() });
    expect(a.fallbackReason).toBe('no_model');
    expect(fake.requests).toHaveLength(0);
  });
});
