// The fake OpenAI endpoint is as strict as the parts of the API it stands for: a test that passes against it must
// send what OpenAI would accept.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { reply, startFakeOpenAI } from '../../sim/openai.js';
import type { FakeOpenAI } from '../../sim/openai.js';

let fake: FakeOpenAI;
beforeAll(async () => {
  fake = await startFakeOpenAI({ apiKey: 'k', replies: [reply.text('{"a":1}'), reply.rateLimited(7)] });
});
afterAll(async () => {
  await fake.stop();
});

const post = (path: string, body: unknown, key = 'k') =>
  fetch(`${fake.baseUrl.replace(/\/v1$/, '')}${path}`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
const chat = { model: 'm', messages: [{ role: 'user', content: 'hi' }] };

describe('fake OpenAI', () => {
  it('answers scripted replies in order with the chat.completion shape, then errors with Retry-After', async () => {
    const ok = await post('/v1/chat/completions', chat);
    expect(ok.status).toBe(200);
    const body = (await ok.json()) as { object: string; model: string; choices: { message: { content: string }; finish_reason: string }[]; usage: { total_tokens: number } };
    expect(body).toMatchObject({ object: 'chat.completion', model: 'm', choices: [{ message: { content: '{"a":1}' }, finish_reason: 'stop' }], usage: { total_tokens: 1350 } });
    const limited = await post('/v1/chat/completions', chat);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('7');
    expect(await limited.json()).toMatchObject({ error: { type: 'requests', code: 'rate_limit_exceeded', param: null } });
    // Queue empty: an unscripted call is a 500, so a test never passes by accident.
    expect((await post('/v1/chat/completions', chat)).status).toBe(500);
  });

  it('refuses what OpenAI refuses: wrong key, unknown route, missing model or messages, broken JSON', async () => {
    expect((await post('/v1/chat/completions', chat, 'wrong')).status).toBe(401);
    expect((await post('/v1/responses', chat)).status).toBe(404);
    expect((await post('/v1/chat/completions', { messages: chat.messages })).status).toBe(400);
    expect((await post('/v1/chat/completions', { model: 'm', messages: [] })).status).toBe(400);
    expect((await post('/v1/chat/completions', '{not json')).status).toBe(400);
    expect(fake.requests.at(-1)).toMatchObject({ method: 'POST', path: '/v1/chat/completions', body: null });
  });

  it('closes a hung request on stop', async () => {
    const hung = await startFakeOpenAI({ replies: [reply.hang()] });
    const pending = fetch(`${hung.baseUrl}/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${hung.apiKey}` }, body: JSON.stringify(chat) });
    while (hung.requests.length === 0) await new Promise((r) => setImmediate(r));
    await hung.stop();
    await expect(pending).rejects.toThrow();
  });
});
