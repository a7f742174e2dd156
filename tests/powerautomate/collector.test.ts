import { afterEach, describe, expect, it } from '@jest/globals';
import { powerAutomateCollector } from '../../collectors/powerautomate.js';
import { generateDataverseData, DATAVERSE_HOSTILE_NAME, DATAVERSE_UNKNOWN_STATUS, type DataverseSimData } from '../../collectors/sim/dataverse-data.js';
import { CollectorError, HttpError } from '../../errors.js';
import { RunObservationSchema } from '../../normalize/schema.js';
import { flowErrorText, flowRunUrl } from '../../normalize/powerautomate.js';
import { flowrunViolations, harness, type Harness } from './harness.js';

const NOW = new Date('2026-11-23T12:00:00Z');
const DAY = 86_400_000;
const window = { start: new Date(NOW.getTime() - 2 * DAY), end: NOW };
const data = (runs = 40, extra: Partial<Parameters<typeof generateDataverseData>[0]> = {}): DataverseSimData =>
  generateDataverseData({ now: NOW, seed: 11, flows: 6, runs, days: 2, ...extra });

let h: Harness;

describe('Power Automate collector', () => {
  afterEach(async () => {
    const violations = await h.finish();
    expect(violations).toEqual([]);
  });

  it('pages the window with nextLink followed verbatim and Prefer on every page; every run valid and kept', async () => {
    h = harness();
    const e = await h.entra();
    const d = await h.dataverse(data(12_000, { days: 2 }));
    const tc = h.context(e, d);
    const runs = await powerAutomateCollector.collectRuns(tc.ctx, window);
    const pages = d.log.filter((l) => l.path.endsWith('/flowruns'));
    expect(pages.length).toBeGreaterThanOrEqual(3);
    expect(pages.every((p) => p.prefer === 'odata.maxpagesize=5000' && p.authorization)).toBe(true);
    // Pages after the first are requested exactly as the server's nextLink said.
    expect(pages.slice(1).every((p) => p.query.includes('%24skiptoken') || p.query.includes('$skiptoken'))).toBe(true);
    const inWindow = d.log.length > 0 ? data(12_000, { days: 2 }).flowruns.filter((r) => String(r.modifiedon) >= '2026-11-21T12:00:00Z' && String(r.modifiedon) <= '2026-11-23T12:00:00Z') : [];
    expect(runs).toHaveLength(inWindow.length);
    for (const r of runs) expect(RunObservationSchema.safeParse(r).success).toBe(true);
    expect(tc.incomplete).toEqual([]);
    expect(e.stats.scopes).toEqual([`${d.url}/.default`]);
  });

  it('maps statuses case-insensitively, keeps unknown ones raw, parses JSON error messages, links child runs', async () => {
    h = harness();
    const e = await h.entra();
    const d = await h.dataverse(data(60));
    const tc = h.context(e, d);
    const runs = await powerAutomateCollector.collectRuns(tc.ctx, window);
    const byRaw = (s: string) => runs.filter((r) => r.status.raw === s);
    expect(byRaw('Running')[0]!.status.category).toBe('running');
    expect(byRaw('TimedOut')[0]!.status).toEqual({ category: 'failed', detail: 'timed_out', raw: 'TimedOut' });
    expect(byRaw('Cancelled')[0]!.status.category).toBe('canceled');
    expect(byRaw(DATAVERSE_UNKNOWN_STATUS)[0]!.status.category).toBe('unknown');
    expect(tc.warnings.some((w) => w.code === 'unknown-status')).toBe(true);
    const child = runs.find((r) => r.parentRunId !== null)!;
    expect(child.raw).toMatchObject({ isChildRun: true });
    for (const r of runs.filter((x) => x.status.category === 'failed')) {
      expect(r.errorMessage).not.toMatch(/^\{/); // JSON bodies are reduced to their message
      expect(r.durationMs).toBeGreaterThan(0);
    }
  });

  it('pins the portal link: environment id, the flow resourceid, the run name', async () => {
    h = harness();
    const e = await h.entra();
    const dv = data(10);
    const d = await h.dataverse(dv);
    const runs = await powerAutomateCollector.collectRuns(h.context(e, d).ctx, window);
    const run = runs[0]!;
    const flow = dv.workflows.find((w) => w.workflowid === run.jobId)!;
    const row = dv.flowruns.find((r) => r.flowrunid === run.runId)!;
    expect(run.url).toBe(`https://make.powerautomate.com/environments/Default-env-0001/flows/${String(flow.resourceid)}/runs/${String(row.name)}`);
    expect(flowRunUrl(null, undefined, 'wf', 'run')).toBeNull();
    expect(flowRunUrl('env', undefined, 'wf-id', 'run-1')).toBe('https://make.powerautomate.com/environments/env/flows/wf-id/runs/run-1');
  });

  it('lists flows with their state: a suspended flow is visible even without a failed run', async () => {
    h = harness();
    const e = await h.entra();
    const d = await h.dataverse(data(5, { hostile: true }));
    const jobs = await powerAutomateCollector.listJobs(h.context(e, d).ctx);
    expect(jobs.map((j) => j.state)).toEqual(expect.arrayContaining(['on', 'off', 'suspended']));
    expect(jobs.find((j) => j.state === 'suspended')!.paused).toBe(true);
    const hostile = jobs.find((j) => j.name === DATAVERSE_HOSTILE_NAME);
    expect(hostile?.owner).toBe('Kiana Anderson');
  });

  it('falls back to no $orderby when the table refuses it, and sorts locally', async () => {
    h = harness();
    const e = await h.entra();
    const d = await h.dataverse(data(30));
    d.refuseOrderBy(true);
    const tc = h.context(e, d);
    const runs = await powerAutomateCollector.collectRuns(tc.ctx, window);
    expect(runs.length).toBeGreaterThan(20);
    const mods = runs.map((r) => r.updatedAt!.getTime());
    expect(mods).toEqual([...mods].sort((a, b) => a - b));
    expect(tc.warnings.map((w) => w.code)).toContain('orderby-refused');
  });

  it('loses nothing when rows move between pages while paging (repeats deduplicated)', async () => {
    h = harness();
    const e = await h.entra();
    const dv = data(11_000);
    const d = await h.dataverse(dv);
    // Before page 1 is served, a run already read on page 0 is modified: it moves to the end, behind the others.
    d.onPage(1, (x) => {
      const moved = x.flowruns.find((r) => String(r.modifiedon) >= '2026-11-21T12:00:00Z')!;
      moved.modifiedon = '2026-11-23T11:59:59Z';
      moved.status = 'Failed';
    });
    const runs = await powerAutomateCollector.collectRuns(h.context(e, d).ctx, window);
    const ids = runs.map((r) => r.runId);
    expect(new Set(ids).size).toBe(ids.length);
    const expected = dv.flowruns.filter((r) => String(r.modifiedon) >= '2026-11-21T12:00:00Z' && String(r.modifiedon) <= '2026-11-23T12:00:00Z');
    expect(runs.length).toBe(expected.length);
    expect(runs.filter((r) => r.status.raw === 'Failed').length).toBe(expected.filter((r) => r.status === 'Failed').length);
  });

  it('honours 429 with and without Retry-After, retries 5xx, and survives a stalled answer', async () => {
    h = harness();
    const e = await h.entra();
    const d = await h.dataverse(data(20));
    const path = '/api/data/v9.2/flowruns';
    d.failNext(path, { status: 429, headers: { 'Retry-After': '1' }, body: { error: { code: '0x80072322', message: 'Number of requests exceeded the limit of 6000 over time window of 300 seconds.' } } });
    d.failNext(path, { status: 429, body: { error: { code: '0x80072326', message: 'Combined execution time of incoming requests exceeded limit.' } } });
    d.failNext(path, { status: 503 });
    d.stallNext(path, 1_500);
    const tc = h.context(e, d, {}, { http: { retries: 5, requestTimeoutMs: 700 } });
    const runs = await powerAutomateCollector.collectRuns(tc.ctx, window);
    expect(runs.length).toBeGreaterThan(10);
    expect(tc.ctx.http.stats.throttled).toBe(2);
    expect(tc.ctx.http.stats.retries).toBeGreaterThanOrEqual(4);
  });

  it('gets a new token when the previous one nears expiry (MSAL renews under ~5 minutes left)', async () => {
    h = harness();
    const e = await h.entra({ expiresIn: 60 });
    const d = await h.dataverse(data(10));
    await powerAutomateCollector.collectRuns(h.context(e, d).ctx, window);
    const dataverseRequests = d.log.length;
    expect(dataverseRequests).toBeGreaterThanOrEqual(2);
    expect(e.stats.tokensIssued).toBe(dataverseRequests);
  });

  it('gets a new token once after a 401 and fails clearly on malformed JSON', async () => {
    h = harness();
    const e = await h.entra();
    const d = await h.dataverse(data(10));
    d.failNext('/api/data/v9.2/workflows', { status: 401, body: { error: { code: '0x80072560', message: 'token expired' } } });
    const tc = h.context(e, d);
    await powerAutomateCollector.collectRuns(tc.ctx, window);
    expect(e.stats.tokensIssued).toBe(2);
    d.rawNext('/api/data/v9.2/flowruns', '{"value": [ truncated');
    await expect(powerAutomateCollector.collectRuns(tc.ctx, window)).rejects.toBeInstanceOf(HttpError);
  });

  it('counts an invalid row as a warning and keeps the rest', async () => {
    h = harness();
    const e = await h.entra();
    const dv = data(10);
    (dv.flowruns[3] as Record<string, unknown>).flowrunid = 12345;
    const d = await h.dataverse(dv);
    const tc = h.context(e, d);
    const runs = await powerAutomateCollector.collectRuns(tc.ctx, window);
    expect(tc.warnings.filter((w) => w.code === 'invalid-item')).toHaveLength(1);
    expect(runs.length).toBe(dv.flowruns.filter((r) => typeof r.flowrunid === 'string' && String(r.modifiedon) >= '2026-11-21T12:00:00Z' && String(r.modifiedon) <= '2026-11-23T12:00:00Z').length);
    // The fake served the broken row on purpose: its only contract violation is that one.
    expect(await h.finish()).toEqual(['flowrunid: not a GUID (12345)']);
    h = harness();
  });

  it('a 403 on one environment fails that scope only', async () => {
    h = harness();
    const e = await h.entra();
    const ok = await h.dataverse(data(10));
    const denied = await h.dataverse(data(10));
    denied.failNext('/api/data/v9.2/workflows', { status: 403, times: 5, body: { error: { code: '0x80040220', message: 'Principal user is missing prvReadWorkflow privilege' } } });
    const [a, b] = await Promise.allSettled([
      powerAutomateCollector.collectRuns(h.context(e, ok).ctx, window),
      powerAutomateCollector.collectRuns(h.context(e, denied).ctx, window),
    ]);
    expect(a.status).toBe('fulfilled');
    expect(b.status).toBe('rejected');
    expect(String((b as PromiseRejectedResult).reason.message)).toMatch(/403/);
  });

  it('reports a wrong client secret clearly, without the secret', async () => {
    h = harness();
    const e = await h.entra();
    const d = await h.dataverse(data(5));
    const tc = h.context(e, d, { clientSecret: 'wrong-secret-value-123' });
    const err = await powerAutomateCollector.collectRuns(tc.ctx, window).then(
      () => null,
      (x: unknown) => x,
    );
    expect(err).toBeInstanceOf(CollectorError);
    expect(String((err as Error).message)).toMatch(/AADSTS7000215/);
    expect(String((err as Error).message)).not.toContain('wrong-secret-value-123');
    const check = await powerAutomateCollector.check(tc.ctx);
    expect(check.ok).toBe(false);
    expect(check.fix).toMatch(/client secret/);
  });

  it('check() reports the token, read access and the visible flows', async () => {
    h = harness();
    const e = await h.entra();
    const d = await h.dataverse(data(5));
    const r = await powerAutomateCollector.check(h.context(e, d).ctx);
    expect(r).toMatchObject({ ok: true, jobsVisible: 6 });
    expect(r.message).toMatch(/1 suspended/);
  });
});

describe('Power Automate normalization pieces', () => {
  it('bounds and reduces error messages that hold JSON, and redacts secrets', () => {
    expect(flowErrorText('{"error":{"code":"X","message":"Bad gateway password=hunter2"}}')).toBe('Bad gateway password=[REDACTED]');
    expect(flowErrorText('{"not json')).toBe('{"not json');
    expect(flowErrorText('x'.repeat(30_000))!.length).toBeLessThanOrEqual(4000);
  });

  it('the contract checker flags a row that breaks the flowrun metadata', () => {
    expect(flowrunViolations({ flowrunid: 'not-a-guid', status: 5, starttime: '23/11/2026', bogus: 1 })).toHaveLength(4);
  });
});
