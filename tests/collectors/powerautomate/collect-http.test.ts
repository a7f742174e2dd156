// Auth and transport: tokens from the https fake Entra (cache, renewal near expiry, a new token once after a 401,
// a wrong secret, an untrusted authority), Dataverse throttling and failures, one environment failing alone.
import { afterEach, describe, expect, it } from '@jest/globals';
import { collectAll } from '../../../collectors/stream.js';
import { powerAutomateCollector } from '../../../collectors/powerautomate/collector.js';
import { generateDataverseData, type DataverseSimData } from '../../../sim/dataverse-data.js';
import { CollectorError, HttpError } from '../../../errors.js';
import { harness, runsInWindow } from '../../helpers/powerautomate-harness.js';
import { createMemo } from '../../../collectors/memo.js';

const NOW = new Date('2026-11-23T12:00:00Z');
const DAY = 86_400_000;
const window = { start: new Date(NOW.getTime() - 2 * DAY), end: NOW };
const data = (runs = 20): DataverseSimData => generateDataverseData({ now: NOW, seed: 7, flows: 6, runs, days: 2 });
const RUNS_PATH = '/api/data/v9.2/flowruns';
const FLOWS_PATH = '/api/data/v9.2/workflows';
const THROTTLED = { error: { code: '0x80072322', message: 'Number of requests exceeded the limit of 6000 over time window of 300 seconds.' } };
const failure = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => e as Error);
const h = harness();

afterEach(async () => {
  expect(await h.finish()).toEqual([]);
});

describe('Power Automate auth', () => {
  it('gets one token from the https authority for the environment scope, while the API is elsewhere', async () => {
    const [e, d] = await Promise.all([h.entra(), h.dataverse(data())]);
    const tc = h.context(e, d, { environmentUrl: 'https://contoso.crm4.dynamics.com', apiUrl: d.apiUrl });
    expect(powerAutomateCollector.scopeId(tc.ctx.scope)).toBe('contoso.crm4.dynamics.com');
    const runs = await collectAll(powerAutomateCollector, tc.ctx, window);
    expect(runs.length).toBeGreaterThan(0);
    expect(e.authorityHost).toMatch(/^https:\/\//);
    expect(e.stats).toMatchObject({ openidRequests: 1, tokensIssued: 1, scopes: ['https://contoso.crm4.dynamics.com/.default'] });
    expect(d.log.every((l) => l.authorization)).toBe(true);
  });

  it('gets a new token when the cached one nears expiry (MSAL renews under ~5 minutes left)', async () => {
    const [e, d] = await Promise.all([h.entra({ expiresIn: 60 }), h.dataverse(data())]);
    await collectAll(powerAutomateCollector, h.context(e, d).ctx, window);
    expect(d.log.length).toBeGreaterThanOrEqual(2);
    expect(e.stats.tokensIssued).toBe(d.log.length);
  });

  it('after a 401 (token revoked mid-listing) gets a new token once and carries on', async () => {
    const dv = data(12_000);
    const [e, d] = await Promise.all([h.entra(), h.dataverse(dv)]);
    d.onPage(1, () => d.rejectTokens('seen'));
    const runs = await collectAll(powerAutomateCollector, h.context(e, d).ctx, window);
    expect(runs).toHaveLength(runsInWindow(dv, window).length);
    expect(d.log.filter((l) => l.status === 401)).toHaveLength(1);
    expect(e.stats.tokensIssued).toBe(2);
  });

  it('a token the environment keeps refusing fails after one new token, with the app-user hint in check()', async () => {
    const [e, d] = await Promise.all([h.entra(), h.dataverse(data())]);
    d.rejectTokens('all');
    const tc = h.context(e, d);
    const err = await failure(collectAll(powerAutomateCollector, tc.ctx, window));
    expect(err).toBeInstanceOf(HttpError);
    expect((err as HttpError).status).toBe(401);
    expect(d.log).toHaveLength(2);
    expect(e.stats.tokensIssued).toBe(2);
    const check = await powerAutomateCollector.check(tc.ctx);
    expect(check).toMatchObject({ ok: false, fix: expect.stringContaining('application user') });
  });

  it('reports a wrong client secret clearly, naming tenant and client, never the secret', async () => {
    const [e, d] = await Promise.all([h.entra(), h.dataverse(data())]);
    const tc = h.context(e, d, { clientSecret: 'wrong-secret-value-123' });
    const err = await failure(collectAll(powerAutomateCollector, tc.ctx, window));
    expect(err).toBeInstanceOf(CollectorError);
    expect(err!.message).toMatch(/AADSTS7000215/);
    expect(err!.message).toContain(e.clientId);
    expect(err!.message).toContain(e.tenantId);
    expect(`${err!.message} ${String(err!.stack)}`).not.toContain('wrong-secret-value-123');
    expect(d.log).toHaveLength(0);
    const check = await powerAutomateCollector.check(tc.ctx);
    expect(check.ok).toBe(false);
    expect(check.message).toMatch(/^token: /);
    expect(check.fix).toMatch(/client secret/);
    expect(JSON.stringify(check)).not.toContain('wrong-secret-value-123');
  });

  it('an unknown client id gets its own hint', async () => {
    const [e, d] = await Promise.all([h.entra(), h.dataverse(data())]);
    const check = await powerAutomateCollector.check(h.context(e, d, { clientId: 'ffffffff-0000-4000-8000-000000000000' }).ctx);
    expect(check).toMatchObject({ ok: false, message: expect.stringContaining('AADSTS700016'), fix: expect.stringContaining('client id') });
  });

  it('an authority whose certificate is not trusted fails clearly (no CA given)', async () => {
    const [e, d] = await Promise.all([h.entra(), h.dataverse(data())]);
    const err = await failure(collectAll(powerAutomateCollector, h.context(e, d, { authorityCaPem: undefined }).ctx, window));
    expect(err).toBeInstanceOf(CollectorError);
    expect(err!.message).toContain(`could not get a token for client ${e.clientId} in tenant ${e.tenantId} from ${e.authorityHost}`);
    expect(err!.message).toContain('authorityCaPem');
    expect(e.stats.tokenRequests).toBe(0);
  });

  it('rides out a 503 from the authority (identity retries it)', async () => {
    const [e, d] = await Promise.all([h.entra(), h.dataverse(data())]);
    e.failNext(503, { error: 'temporarily_unavailable', error_description: 'AADSTS90033: A transient error has occurred.' }, 1, { 'retry-after': '0' });
    const runs = await collectAll(powerAutomateCollector, h.context(e, d).ctx, window);
    expect(runs.length).toBeGreaterThan(0);
    expect(e.stats).toMatchObject({ tokenRequests: 2, tokensIssued: 1 });
  });
});

describe('Power Automate transport failures', () => {
  it('waits what a 429 Retry-After asks, retries a 429 without it, a 5xx and a stalled answer', async () => {
    const dv = data();
    const [e, d] = await Promise.all([h.entra(), h.dataverse(dv)]);
    d.failNext(RUNS_PATH, { status: 429, headers: { 'Retry-After': '1' }, body: THROTTLED });
    d.failNext(RUNS_PATH, { status: 429, body: { error: { code: '0x80072326', message: 'Number of concurrent requests exceeded the limit of 52.' } } });
    d.failNext(RUNS_PATH, { status: 503 });
    d.stallNext(RUNS_PATH, 1_500);
    const tc = h.context(e, d, {}, { http: { retries: 5, requestTimeoutMs: 700 } });
    const runs = await collectAll(powerAutomateCollector, tc.ctx, window);
    expect(runs).toHaveLength(runsInWindow(dv, window).length);
    const listing = d.log.filter((l) => l.path === RUNS_PATH);
    expect(listing.map((l) => l.status)).toEqual([429, 429, 503, 0, 200]); // 0: the stalled answer, abandoned
    // The wait after the first 429 covers the second it asked for (the second 429 had no Retry-After).
    expect(listing[1]!.at - listing[0]!.at).toBeGreaterThanOrEqual(950);
    expect(tc.ctx.http.stats).toMatchObject({ throttled: 2, retries: 4 });
  });

  it('fails clearly on malformed JSON and on JSON that is not an OData collection', async () => {
    const [e, d] = await Promise.all([h.entra(), h.dataverse(data())]);
    const tc = h.context(e, d);
    d.rawNext(RUNS_PATH, '{"value": [ {"flowrunid": "trunc');
    const bad = await failure(collectAll(powerAutomateCollector, tc.ctx, window));
    expect(bad).toBeInstanceOf(HttpError);
    expect(bad!.message).toMatch(/not JSON/);
    d.rawNext(RUNS_PATH, '{"items": []}');
    const odd = await failure(collectAll(powerAutomateCollector, tc.ctx, window));
    expect(odd).toBeInstanceOf(CollectorError);
    expect(odd!.message).toMatch(/not an OData collection/);
  });

  it('a 403 on one environment fails that scope only; the other is read in full', async () => {
    const [e, ok, denied] = await Promise.all([h.entra(), h.dataverse(data()), h.dataverse(data())]);
    denied.failNext(RUNS_PATH, { status: 403, times: 5, body: { error: { code: '0x80040220', message: "Principal user (Id=3f2a…, type=8) is missing prvReadflowrun privilege (Id=…) on OTC=10206 for entity 'flowrun'." } } });
    const [a, b] = await Promise.allSettled([
      collectAll(powerAutomateCollector, h.context(e, ok).ctx, window),
      collectAll(powerAutomateCollector, h.context(e, denied).ctx, window),
    ]);
    expect(a.status === 'fulfilled' && a.value.length).toBe(runsInWindow(data(), window).length);
    expect(b.status).toBe('rejected');
    const reason = (b as PromiseRejectedResult).reason as HttpError;
    expect(reason).toBeInstanceOf(HttpError);
    expect(reason.status).toBe(403);
    expect(reason.bodySnippet).toContain('prvReadflowrun');
  });

  it('collects runs without names when the flows cannot be read (403 on workflows), and says why', async () => {
    const [e, d] = await Promise.all([h.entra(), h.dataverse(data())]);
    d.failNext(FLOWS_PATH, { status: 403, body: { error: { code: '0x80040220', message: 'Principal user is missing prvReadWorkflow privilege' } } });
    const tc = h.context(e, d);
    const runs = await collectAll(powerAutomateCollector, tc.ctx, window);
    expect(runs.length).toBeGreaterThan(0);
    expect(runs.every((r) => r.jobName === null)).toBe(true);
    expect(tc.warnings).toContainEqual(expect.objectContaining({ code: 'names-unavailable', message: expect.stringContaining('read on Process') }));
    expect(tc.incomplete).toEqual([]);
  });

  it('keeps the runs, unnamed, when the flow listing fails with a server error (names are optional)', async () => {
    const [e, d] = await Promise.all([h.entra(), h.dataverse(data())]);
    d.failNext(FLOWS_PATH, { status: 500, times: 4 }); // the first try and 3 retries
    const tc = h.context(e, d);
    const runs = await collectAll(powerAutomateCollector, tc.ctx, window);
    expect(runs).toHaveLength(runsInWindow(data(), window).length);
    expect(runs.every((r) => r.jobName === null)).toBe(true);
    expect(tc.warnings.filter((w) => w.code === 'names-unavailable')).toEqual([
      expect.objectContaining({ message: expect.stringMatching(/HTTP 500.*the platform said: 0x80040216: An unexpected error occurred/) }),
    ]);
    expect(tc.incomplete).toEqual([]);
  });

  it('stops a flowruns listing whose nextLink repeats, as incomplete, after two pages', async () => {
    const [e, d] = await Promise.all([h.entra(), h.dataverse(data())]);
    const loop = JSON.stringify({ value: [], '@odata.nextLink': `${d.apiUrl}/flowruns?$skiptoken=${encodeURIComponent('<cookie pagenumber="2" />')}` });
    d.rawNext(RUNS_PATH, loop, 1000);
    const tc = h.context(e, d);
    await collectAll(powerAutomateCollector, tc.ctx, window);
    expect(d.stats.requests[RUNS_PATH]).toBe(2);
    expect(tc.incomplete).toEqual([expect.stringMatching(/^dataverse flowruns: the vendor repeated a page token/)]);
  });

  it('a repeating nextLink on the flow listing costs names only: a warning, runs complete', async () => {
    const [e, d] = await Promise.all([h.entra(), h.dataverse(data())]);
    d.rawNext(FLOWS_PATH, JSON.stringify({ value: [], '@odata.nextLink': `${d.apiUrl}/workflows?$skiptoken=same` }), 1000);
    const tc = h.context(e, d);
    const runs = await collectAll(powerAutomateCollector, tc.ctx, window);
    expect(runs).toHaveLength(runsInWindow(data(), window).length);
    expect(d.stats.requests[FLOWS_PATH]).toBe(2);
    expect(tc.incomplete).toEqual([]);
    expect(tc.warnings).toContainEqual(expect.objectContaining({ code: 'names-unavailable', message: expect.stringContaining('repeated a page token') }));
  });
});

describe('Power Automate token reuse across chunks', () => {
  const chunks = [0, 1, 2].map((i) => ({ start: new Date(NOW.getTime() - (3 - i) * 8 * 3_600_000), end: new Date(NOW.getTime() - (2 - i) * 8 * 3_600_000) }));

  it('asks Entra once for three catch-up chunks sharing the scope memo', async () => {
    const [e, d] = await Promise.all([h.entra(), h.dataverse(data())]);
    const tc = h.context(e, d);
    const memo = createMemo();
    for (const [i, w] of chunks.entries()) await collectAll(powerAutomateCollector, { ...tc.ctx, memo }, i > 0 ? { ...w, continuation: true } : w);
    expect(e.stats.tokensIssued).toBe(1);
    expect(d.log.length).toBeGreaterThanOrEqual(6);
  });

  it('without a memo, each chunk gets its own token (the default: no caching)', async () => {
    const [e, d] = await Promise.all([h.entra(), h.dataverse(data())]);
    const tc = h.context(e, d);
    for (const w of chunks) await collectAll(powerAutomateCollector, tc.ctx, w);
    expect(e.stats.tokensIssued).toBe(3);
  });
});
