// Auth and transport failures between databricksCollector and the fake workspace: OAuth M2M tokens and their
// refresh, 401/429/5xx, a stalled response and a malformed body, over real sockets.
import { afterEach, describe, expect, it } from '@jest/globals';
import { collectAll } from '../../../collectors/stream.js';
import { databricksCollector } from '../../../collectors/databricks/collector.js';
import { generateDatabricksData } from '../../../sim/databricks-data.js';
import { CollectorError, HttpError } from '../../../errors.js';
import { harness, TOKEN } from '../../helpers/databricks-harness.js';
import { createMemo } from '../../../collectors/memo.js';

const NOW = new Date('2026-03-01T12:00:00Z');
const window = { start: new Date(NOW.getTime() - 12 * 3_600_000), end: NOW };
const data = generateDatabricksData({ now: NOW, seed: 11, jobs: 10, runs: 120, days: 1 });
const RUNS = '/api/2.2/jobs/runs/list';
const oauth = { clientId: 'sp-3f1e-audit', clientSecret: 'dose-secret+/=value' };
const h = harness();

afterEach(async () => {
  expect(await h.finish()).toEqual([]);
});

describe('databricks auth', () => {
  it('gets one OAuth M2M token (Basic client credentials) and shares it across requests', async () => {
    const sim = await h.sim(data, { ...oauth });
    const runs = await collectAll(databricksCollector, h.context(sim, oauth).ctx, window);
    expect(runs.length).toBeGreaterThan(25);
    expect(sim.stats.tokensIssued).toBe(1);
    expect(sim.stats.unauthorized).toBe(0);
  });

  it('refreshes the OAuth token before it expires', async () => {
    let clock = NOW.getTime();
    // The collector's clock moves 25 minutes each time it is read, so it refreshes its one-hour token every few
    // requests. The workspace's clock runs 8 times slower: with four requests in flight, the other requests' clock
    // reads would otherwise age a token between the collector's check and the workspace's, whatever the order.
    const sim = await h.sim(data, { ...oauth, tokenTtlSeconds: 3600, now: () => new Date(NOW.getTime() + (clock - NOW.getTime()) / 8) });
    const tc = h.context(sim, oauth, { now: () => new Date((clock += 25 * 60_000)) });
    await collectAll(databricksCollector, tc.ctx, window);
    expect(sim.stats.tokensIssued).toBeGreaterThanOrEqual(2);
    expect(sim.stats.unauthorized).toBe(0);
  });

  it('fetches a new token once after a 401 and carries on', async () => {
    const sim = await h.sim(data, { ...oauth });
    sim.failNext(RUNS, { status: 401, body: { error_code: 'UNAUTHENTICATED', message: 'Token expired.' } });
    const tc = h.context(sim, oauth);
    const runs = await collectAll(databricksCollector, tc.ctx, window);
    expect(runs.length).toBeGreaterThan(25);
    expect(sim.stats.tokensIssued).toBe(2);
    expect(tc.incomplete).toEqual([]);
  });

  it('gives up on a refused PAT after one resend, with an HttpError 401', async () => {
    const sim = await h.sim(data);
    const tc = h.context(sim, { token: 'dapi-wrong-token-000' });
    // listJobs: one listing, so the request count is exact.
    const err = await databricksCollector.listJobs(tc.ctx).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpError);
    expect((err as HttpError).status).toBe(401);
    expect((err as HttpError).message).toMatch(/check the token or client secret/);
    expect(sim.stats.requests['/api/2.2/jobs/list']).toBe(2);
    await expect(collectAll(databricksCollector, tc.ctx, window)).rejects.toMatchObject({ status: 401 });
  });

  it('reports refused client credentials from the token endpoint', async () => {
    const sim = await h.sim(data, { ...oauth });
    const tc = h.context(sim, { clientId: oauth.clientId, clientSecret: 'wrong' });
    const err = await collectAll(databricksCollector, tc.ctx, window).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpError);
    expect((err as HttpError).status).toBe(401);
    expect((err as HttpError).url).toContain('/oidc/v1/token');
    expect(sim.stats.requests[RUNS]).toBeUndefined();
  });
});

describe('databricks transport failures', () => {
  it('waits out a 429 with Retry-After, then succeeds', async () => {
    const sim = await h.sim(data);
    sim.failNext(RUNS, { status: 429, headers: { 'retry-after': '1' }, body: { error_code: 'REQUEST_LIMIT_EXCEEDED', message: 'Too many requests' } });
    const tc = h.context(sim);
    const runs = await collectAll(databricksCollector, tc.ctx, window);
    expect(runs.length).toBeGreaterThan(25);
    expect(tc.ctx.http.stats.throttled).toBe(1);
    expect(tc.ctx.http.stats.retries).toBe(1);
  });

  it('retries 5xx answers, then succeeds', async () => {
    const sim = await h.sim(data);
    sim.failNext(RUNS, { status: 503, times: 2, body: { error_code: 'TEMPORARILY_UNAVAILABLE', message: 'The service is temporarily unavailable' } });
    const tc = h.context(sim);
    const runs = await collectAll(databricksCollector, tc.ctx, window);
    expect(runs.length).toBeGreaterThan(25);
    expect(tc.ctx.http.stats.retries).toBe(2);
  });

  it('retries a stalled response after the request timeout', async () => {
    const sim = await h.sim(data);
    sim.stallNext(RUNS, 3_000);
    const tc = h.context(sim, { token: TOKEN }, { http: { requestTimeoutMs: 300 } });
    const runs = await collectAll(databricksCollector, tc.ctx, window);
    expect(runs.length).toBeGreaterThan(25);
    expect(tc.ctx.http.stats.retries).toBe(1);
  });

  it('fails with a clear message when every attempt stalls', async () => {
    const sim = await h.sim(data);
    sim.stallNext(RUNS, 3_000, 10);
    const tc = h.context(sim, { token: TOKEN }, { http: { requestTimeoutMs: 200, retries: 1 } });
    const err = await collectAll(databricksCollector, tc.ctx, window).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpError);
    expect((err as HttpError).message).toMatch(/runs\/list.*failed before a response/);
  });

  it('lets a malformed JSON body propagate as an HttpError', async () => {
    const sim = await h.sim(data);
    sim.rawNext(RUNS, '{"runs": [{"run_id": 1, "start_time": ');
    const err = await collectAll(databricksCollector, h.context(sim).ctx, window).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpError);
    expect((err as HttpError).message).toMatch(/not JSON/);
  });

  it('rejects a JSON body that is not a runs page', async () => {
    const sim = await h.sim(data);
    sim.rawNext(RUNS, '{"runs": "nope"}');
    const err = await collectAll(databricksCollector, h.context(sim).ctx, window).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CollectorError);
    expect((err as CollectorError).message).toMatch(/jobs\/runs\/list answered JSON that is not a page \(runs:/);
  });
});

describe('databricks repeating page tokens', () => {
  const loop = JSON.stringify({ jobs: [], runs: [], next_page_token: 'CAEQ-same-token' });

  it('stops jobs/list when the workspace repeats its page token: two requests, incomplete', async () => {
    const sim = await h.sim(data);
    sim.rawNext('/api/2.2/jobs/list', loop, 1000);
    const tc = h.context(sim);
    await databricksCollector.listJobs(tc.ctx);
    expect(sim.stats.requests['/api/2.2/jobs/list']).toBe(2);
    expect(tc.incomplete).toEqual([expect.stringMatching(/^databricks jobs\/list: the vendor repeated a page token/)]);
  });

  it('stops every runs/list listing of a chunk after two pages each, incomplete', async () => {
    const sim = await h.sim(data);
    sim.rawNext(RUNS, loop, 1000);
    const tc = h.context(sim);
    await collectAll(databricksCollector, tc.ctx, window);
    // The active listing and three start-time slices: two pages each.
    expect(sim.stats.requests[RUNS]).toBe(8);
    expect(tc.incomplete).toHaveLength(4);
    expect(tc.incomplete.every((m) => /repeated a page token/.test(m))).toBe(true);
  });

  it('stops runs/get paging of a truncated failed run when its token repeats, keeping the run', async () => {
    const d = generateDatabricksData({ now: NOW, seed: 7, jobs: 20, runs: 160, days: 2 });
    const sim = await h.sim(d);
    sim.rawNext('/api/2.2/jobs/runs/get', JSON.stringify({ tasks: [], next_page_token: 'tasks-again' }), 1000);
    const tc = h.context(sim);
    const runs = await collectAll(databricksCollector, tc.ctx, { start: new Date(NOW.getTime() - 24 * 3_600_000), end: NOW });
    expect(sim.stats.requests['/api/2.2/jobs/runs/get']).toBe(2);
    const many = runs.find((r) => r.runId === String(d.notable.manyTasks));
    expect(many?.raw).toMatchObject({ tasks_complete: false });
    expect(tc.warnings).toContainEqual(expect.objectContaining({ code: 'detail-failed', itemId: String(d.notable.manyTasks), message: expect.stringContaining('repeated a page token') }));
  });
});

describe('databricks OAuth token reuse across chunks', () => {
  const chunks = [0, 1, 2].map((i) => ({ start: new Date(NOW.getTime() - (3 - i) * 4 * 3_600_000), end: new Date(NOW.getTime() - (2 - i) * 4 * 3_600_000) }));

  it('asks the OIDC endpoint once for three catch-up chunks sharing the scope memo', async () => {
    const sim = await h.sim(data, { ...oauth });
    const tc = h.context(sim, oauth);
    const memo = createMemo();
    for (const [i, w] of chunks.entries()) await collectAll(databricksCollector, { ...tc.ctx, memo }, i > 0 ? { ...w, continuation: true } : w);
    expect(sim.stats.tokensIssued).toBe(1);
    expect(sim.stats.requests[RUNS]).toBeGreaterThanOrEqual(7);
  });

  it('without a memo, each chunk asks for its own token (the default: no caching)', async () => {
    const sim = await h.sim(data, { ...oauth });
    const tc = h.context(sim, oauth);
    for (const w of chunks) await collectAll(databricksCollector, tc.ctx, w);
    expect(sim.stats.tokensIssued).toBe(3);
  });
});
