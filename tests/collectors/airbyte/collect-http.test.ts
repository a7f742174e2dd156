// Auth and transport failures between airbyteCollector and the fake Airbyte server over real sockets: application
// tokens (JWT exp shorter than expires_in) and their refresh, 401/403/429/5xx, a stalled response, malformed JSON.
import { afterEach, describe, expect, it } from '@jest/globals';
import { collectAll } from '../../../collectors/stream.js';
import { airbyteCollector } from '../../../collectors/airbyte/collector.js';
import { generateAirbyteData } from '../../../sim/airbyte-data.js';
import { CollectorError, HttpError } from '../../../errors.js';
import { APP, harness, jobsInWindow } from '../../helpers/airbyte-harness.js';
import { createMemo } from '../../../collectors/memo.js';

const NOW = new Date('2026-11-23T12:00:00Z');
const window = { start: new Date(NOW.getTime() - 12 * 3_600_000), end: NOW };
const data = generateAirbyteData({ now: NOW, seed: 11, jobs: 300, days: 1 });
const expected = jobsInWindow(data, window).length;
const JOBS = '/v1/jobs';
const h = harness();

afterEach(async () => {
  expect(await h.finish()).toEqual([]);
});

describe('airbyte auth', () => {
  it('exchanges application credentials for one token shared by all requests', async () => {
    const sim = await h.sim(data, { ...APP });
    const runs = await collectAll(airbyteCollector, h.context(sim, APP).ctx, window);
    expect(runs).toHaveLength(expected);
    expect(sim.stats.tokensIssued).toBe(1);
    expect(sim.stats.unauthorized).toBe(0);
    const tokenCall = sim.log.find((r) => r.path === '/v1/applications/token');
    expect(tokenCall?.method).toBe('POST');
  });

  it('refreshes before the JWT exp, which comes before expires_in says', async () => {
    let clock = Date.now();
    // The server issues tokens that say 900 s but whose JWT dies after 120 s; the collector's clock moves 40 s
    // each time it is read. Trusting expires_in would send dead tokens (401s); reading exp refreshes in time.
    const sim = await h.sim(data, { ...APP, tokenTtlSeconds: 900, jwtExpSeconds: 120, now: () => new Date(clock) });
    const tc = h.context(sim, APP, { now: () => new Date((clock += 40_000)) });
    const runs = await collectAll(airbyteCollector, tc.ctx, window);
    expect(runs).toHaveLength(expected);
    expect(sim.stats.tokensIssued).toBeGreaterThanOrEqual(2);
    expect(sim.stats.unauthorized).toBe(0);
  });

  it('fetches a new token once after a 401 and carries on', async () => {
    const sim = await h.sim(data, { ...APP });
    sim.failNext(JOBS, { status: 401, body: { type: 'https://reference.airbyte.com/reference/errors#invalid-api-key', title: 'invalid-api-key', status: 401 } });
    const tc = h.context(sim, APP);
    expect(await collectAll(airbyteCollector, tc.ctx, window)).toHaveLength(expected);
    expect(sim.stats.tokensIssued).toBe(2);
    expect(tc.incomplete).toEqual([]);
  });

  it('gives up on a refused static key after one resend, with an HttpError 401', async () => {
    const sim = await h.sim(data);
    const err = await collectAll(airbyteCollector, h.context(sim, { apiKey: 'ab-wrong-key-000' }).ctx, window).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpError);
    expect((err as HttpError).status).toBe(401);
    expect(sim.stats.requests['/v1/connections']).toBe(2);
  });

  it('reports refused client credentials from the token endpoint without calling the API', async () => {
    const sim = await h.sim(data, { ...APP });
    const err = await collectAll(airbyteCollector, h.context(sim, { clientId: APP.clientId, clientSecret: 'wrong' }).ctx, window).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpError);
    expect((err as HttpError).status).toBe(401);
    expect((err as HttpError).url).toContain('/applications/token');
    // The whole error, message and cause chain included (JSON.stringify would drop both).
    const chain: string[] = [];
    for (let e: unknown = err; e instanceof Error; e = e.cause) chain.push(e.message, e.stack ?? '', JSON.stringify(e));
    expect(chain.join('\n')).not.toContain('wrong');
    expect(sim.stats.requests[JOBS]).toBeUndefined();
  });
});

describe('airbyte scopes', () => {
  it('fails the scope whose workspace answers 403 while another scope on the same host succeeds', async () => {
    const [allowed, denied] = data.workspaces.map((w) => w.workspaceId) as [string, string];
    const sim = await h.sim(data, { forbiddenWorkspaces: [denied] });
    const a = h.context(sim, { apiKey: 'ab-static-key-7f3c91d2e4', workspaceIds: [denied] });
    const b = h.context(sim, { apiKey: 'ab-static-key-7f3c91d2e4', workspaceIds: [allowed] });
    expect(a.ctx.scopeId).not.toBe(b.ctx.scopeId);
    const [ra, rb] = await Promise.allSettled([collectAll(airbyteCollector, a.ctx, window), collectAll(airbyteCollector, b.ctx, window)]);
    expect(ra.status).toBe('rejected');
    expect(ra.status === 'rejected' && (ra.reason as HttpError).status).toBe(403);
    expect(rb.status === 'fulfilled' && rb.value.length).toBe(jobsInWindow(data, window, [allowed]).length);
    if (rb.status === 'fulfilled') for (const r of rb.value) expect(r.raw?.workspaceId).toBe(allowed);
    // Workspaces are sent as repeated query values, never resolved by following `next`.
    expect(sim.log.filter((r) => r.path === JOBS).every((r) => r.query.getAll('workspaceIds').length === 1)).toBe(true);
  });
});

describe('airbyte transport failures', () => {
  it('backs off on a load-shed 429 without Retry-After, then succeeds', async () => {
    const sim = await h.sim(data);
    sim.loadShedNext(2);
    const tc = h.context(sim);
    expect(await collectAll(airbyteCollector, tc.ctx, window)).toHaveLength(expected);
    expect(tc.ctx.http.stats.throttled).toBe(2);
    expect(tc.ctx.http.stats.retries).toBe(2);
  });

  it('waits out a 429 with Retry-After, then succeeds', async () => {
    const sim = await h.sim(data);
    sim.failNext(JOBS, { status: 429, headers: { 'retry-after': '1' }, body: { type: 'about:blank', title: 'too-many-requests', status: 429 } });
    const tc = h.context(sim);
    expect(await collectAll(airbyteCollector, tc.ctx, window)).toHaveLength(expected);
    expect(tc.ctx.http.stats.throttled).toBe(1);
    expect(tc.ctx.http.stats.retries).toBe(1);
  });

  it('retries 5xx answers, then succeeds', async () => {
    const sim = await h.sim(data);
    sim.failNext(JOBS, { status: 503, times: 2 });
    const tc = h.context(sim);
    expect(await collectAll(airbyteCollector, tc.ctx, window)).toHaveLength(expected);
    expect(tc.ctx.http.stats.retries).toBe(2);
    expect(sim.stats.requests[JOBS]).toBeGreaterThanOrEqual(3);
  });

  it('gives up on a stalled response at the request timeout and retries it', async () => {
    const sim = await h.sim(data);
    sim.stallNext(JOBS, 2_000);
    const tc = h.context(sim, undefined, { http: { requestTimeoutMs: 300, headersTimeoutMs: 300 } });
    expect(await collectAll(airbyteCollector, tc.ctx, window)).toHaveLength(expected);
    expect(tc.ctx.http.stats.retries).toBe(1);
  });

  it('fails the scope with a clear error on malformed JSON or a body that is not a page', async () => {
    const sim = await h.sim(data);
    sim.rawNext(JOBS, '{"data": [{"jobId": 1,');
    const err = await collectAll(airbyteCollector, h.context(sim).ctx, window).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpError);
    expect((err as HttpError).message).toMatch(/not JSON/);
    sim.rawNext(JOBS, '{"jobs": []}');
    const err2 = await collectAll(airbyteCollector, h.context(sim).ctx, window).catch((e: unknown) => e);
    expect(err2).toBeInstanceOf(CollectorError);
    expect((err2 as CollectorError).message).toMatch(/\/jobs answered JSON that is not a page.*api\/public\/v1/);
  });
});

describe('airbyte pages repeated by a server that ignores the offset', () => {
  it('stops /jobs after the second page answers what the first did: incomplete, requests bounded', async () => {
    expect(expected).toBeGreaterThan(100); // the first page is full, so paging goes on
    const sim = await h.sim(data);
    sim.ignoreOffset(true);
    const tc = h.context(sim);
    await collectAll(airbyteCollector, tc.ctx, window);
    expect(sim.stats.requests[JOBS]).toBe(2);
    expect(tc.incomplete).toEqual([expect.stringMatching(/^airbyte \/jobs: the vendor repeated a page \(offset 90 answered what offset 0 did/)]);
  });

  it('stops /connections the same way', async () => {
    const many = generateAirbyteData({ now: NOW, seed: 5, connections: 150, jobs: 10, days: 1 });
    const sim = await h.sim(many);
    sim.ignoreOffset(true);
    const tc = h.context(sim);
    const jobs = await airbyteCollector.listJobs(tc.ctx);
    expect(jobs).toHaveLength(100);
    expect(sim.stats.requests['/v1/connections']).toBe(2);
    expect(tc.incomplete).toEqual([expect.stringMatching(/^airbyte \/connections: the vendor repeated a page/)]);
  });
});

describe('airbyte application token reuse across chunks', () => {
  const chunks = [0, 1, 2].map((i) => ({ start: new Date(NOW.getTime() - (3 - i) * 4 * 3_600_000), end: new Date(NOW.getTime() - (2 - i) * 4 * 3_600_000) }));

  it('asks /applications/token once for three catch-up chunks sharing the scope memo', async () => {
    const sim = await h.sim(data, { ...APP });
    const tc = h.context(sim, APP);
    const memo = createMemo();
    for (const [i, w] of chunks.entries()) await collectAll(airbyteCollector, { ...tc.ctx, memo }, i > 0 ? { ...w, continuation: true } : w);
    expect(sim.stats.tokensIssued).toBe(1);
    expect(sim.stats.requests[JOBS]).toBeGreaterThanOrEqual(3);
  });

  it('lists the connections once for the inventory and every chunk sharing the memo, and a capped listing makes each chunk incomplete', async () => {
    const sim = await h.sim(data, { ...APP });
    const tc = h.context(sim, APP);
    const memo = createMemo();
    await airbyteCollector.listJobs({ ...tc.ctx, memo });
    const listed = sim.stats.requests['/v1/connections'];
    for (const [i, w] of chunks.entries()) await collectAll(airbyteCollector, { ...tc.ctx, memo }, i > 0 ? { ...w, continuation: true } : w);
    expect(sim.stats.requests['/v1/connections']).toBe(listed);
    expect(tc.incomplete).toEqual([]);

    // 150 connections: two pages, one over the cap.
    const many = await h.sim(generateAirbyteData({ now: NOW, seed: 5, connections: 150, jobs: 10, days: 1 }), { ...APP });
    const capped = h.context(many, APP, { limits: { maxPages: 1 } });
    const cappedMemo = createMemo();
    await airbyteCollector.listJobs({ ...capped.ctx, memo: cappedMemo });
    await collectAll(airbyteCollector, { ...capped.ctx, memo: cappedMemo }, chunks[0]!);
    await collectAll(airbyteCollector, { ...capped.ctx, memo: cappedMemo }, { ...chunks[1]!, continuation: true });
    expect(capped.incomplete.filter((m) => m.startsWith('airbyte /connections: stopped at the page cap'))).toHaveLength(3);
  });

  it('without a memo, each chunk asks for its own token (the default: no caching)', async () => {
    const sim = await h.sim(data, { ...APP });
    const tc = h.context(sim, APP);
    for (const w of chunks) await collectAll(airbyteCollector, tc.ctx, w);
    expect(sim.stats.tokensIssued).toBe(3);
  });
});
