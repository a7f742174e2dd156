// collectRuns against the https fake Entra and the fake Dataverse: the window filter, nextLink paging with Prefer
// on every page, rows moving between pages, the $orderby fallback, statuses, child runs, hostile text, bad rows.
import { afterEach, describe, expect, it } from '@jest/globals';
import { collectAll } from '../../../collectors/stream.js';
import { powerAutomateCollector } from '../../../collectors/powerautomate/collector.js';
import { DATAVERSE_HOSTILE_ERROR, DATAVERSE_HOSTILE_NAME, DATAVERSE_UNKNOWN_STATUS, generateDataverseData, type DataverseSimData } from '../../../sim/dataverse-data.js';
import { RunObservationSchema } from '../../../normalize/schema.js';
import { harness, runsInWindow } from '../../helpers/powerautomate-harness.js';

const NOW = new Date('2026-11-23T12:00:00Z');
const DAY = 86_400_000;
const window = { start: new Date(NOW.getTime() - 2 * DAY), end: NOW };
const data = (runs: number, extra: Partial<Parameters<typeof generateDataverseData>[0]> = {}): DataverseSimData =>
  generateDataverseData({ now: NOW, seed: 11, flows: 6, runs, days: 3, ...extra });
const RUNS_PATH = '/api/data/v9.2/flowruns';
const h = harness();

afterEach(async () => {
  expect(await h.finish()).toEqual([]);
});

describe('Power Automate runs', () => {
  it('reads a window over several pages, following nextLink verbatim with Prefer resent on every page', async () => {
    const dv = data(16_000);
    const [e, d] = await Promise.all([h.entra(), h.dataverse(dv)]);
    const tc = h.context(e, d);
    const runs = await collectAll(powerAutomateCollector, tc.ctx, window);

    const pages = d.log.filter((l) => l.path === RUNS_PATH);
    const bodies = d.sent.filter((s) => s.path === RUNS_PATH).map((s) => s.body as { '@odata.nextLink'?: string });
    expect(pages.length).toBeGreaterThanOrEqual(3);
    for (const p of pages) expect(p).toMatchObject({ prefer: 'odata.maxpagesize=5000', authorization: true, status: 200 });
    // Page n+1 is requested with exactly the URL page n gave; the last page gives none.
    for (let i = 1; i < pages.length; i++) expect(pages[i]!.url).toBe(bodies[i - 1]!['@odata.nextLink']);
    expect(bodies[bodies.length - 1]!['@odata.nextLink']).toBeUndefined();
    // The first request carries the window, the order and only the columns used.
    const first = new URL(pages[0]!.url);
    expect(first.searchParams.get('$filter')).toBe('modifiedon ge 2026-11-21T12:00:00Z and modifiedon le 2026-11-23T12:00:00Z');
    expect(first.searchParams.get('$orderby')).toBe('modifiedon asc');
    expect(first.searchParams.get('$select')!.split(',')).not.toContain('duration');

    const expected = runsInWindow(dv, window);
    expect(runs.map((r) => r.runId).sort()).toEqual(expected.map((r) => String(r.flowrunid)).sort());
    for (const r of runs) expect(RunObservationSchema.safeParse(r).success).toBe(true);
    expect(tc.incomplete).toEqual([]);
    expect(e.stats.scopes).toEqual([`${d.url}/.default`]);
  });

  it('stops at the page cap and reports the collection incomplete', async () => {
    const [e, d] = await Promise.all([h.entra(), h.dataverse(data(16_000))]);
    const tc = h.context(e, d, {}, { limits: { maxPages: 2 } });
    const runs = await collectAll(powerAutomateCollector, tc.ctx, window);
    expect(runs).toHaveLength(10_000);
    expect(tc.incomplete).toEqual([expect.stringContaining('page cap')]);
  });

  it('loses nothing when rows move between pages while paging, and keeps each run once in its newest state', async () => {
    const dv = data(12_000);
    const expected = runsInWindow(dv, window).map((r) => String(r.flowrunid));
    const [e, d] = await Promise.all([h.entra(), h.dataverse(dv)]);
    // Before page 1 is served, a run already read on page 0 fails: its modifiedon moves behind every other row.
    let movedId = '';
    d.onPage(1, (x) => {
      const moved = runsInWindow(x, window)[0]!;
      movedId = String(moved.flowrunid);
      Object.assign(moved, { modifiedon: '2026-11-23T11:59:59Z', status: 'Failed', errorcode: 'ActionFailed', errormessage: 'late failure' });
    });
    const runs = await collectAll(powerAutomateCollector, h.context(e, d).ctx, window);
    const ids = runs.map((r) => r.runId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.sort()).toEqual(expected.sort());
    expect(runs.find((r) => r.runId === movedId)).toMatchObject({ status: { category: 'failed' }, errorMessage: 'late failure' });
  });

  it('falls back to no $orderby when the table refuses it (once), and sorts each page locally', async () => {
    const dv = data(16_000);
    const [e, d] = await Promise.all([h.entra(), h.dataverse(dv)]);
    d.refuseOrderBy(true);
    const tc = h.context(e, d);
    const runs = await collectAll(powerAutomateCollector, tc.ctx, window);
    const listings = d.log.filter((l) => l.path === RUNS_PATH);
    expect(listings[0]).toMatchObject({ status: 400 });
    expect(listings.filter((l) => l.query.includes('orderby'))).toHaveLength(1);
    expect(listings.length).toBeGreaterThanOrEqual(4); // the refused request, then three unordered pages
    expect(runs).toHaveLength(runsInWindow(dv, window).length);
    // Runs are handed over a page at a time, so the order holds within each page (5,000 rows), not across them.
    const mods = runs.slice(0, 5000).map((r) => r.updatedAt!.getTime());
    expect(mods).toEqual([...mods].sort((a, b) => a - b));
    expect(tc.warnings.filter((w) => w.code === 'orderby-refused')).toHaveLength(1);
  });

  it('maps statuses, keeps an unknown one raw with a warning, links a child run to its parent', async () => {
    const dv = data(60);
    const [e, d] = await Promise.all([h.entra(), h.dataverse(dv)]);
    const tc = h.context(e, d);
    const runs = await collectAll(powerAutomateCollector, tc.ctx, window);
    const byRaw = (s: string) => runs.find((r) => r.status.raw === s)!;
    expect(byRaw('Running').status.category).toBe('running');
    expect(byRaw('TimedOut').status).toEqual({ category: 'failed', detail: 'timed_out', raw: 'TimedOut' });
    expect(byRaw('Cancelled').status.category).toBe('canceled');
    expect(byRaw('Succeeded').status.category).toBe('succeeded');
    const unknown = byRaw(DATAVERSE_UNKNOWN_STATUS);
    expect(unknown.status).toEqual({ category: 'unknown', detail: null, raw: DATAVERSE_UNKNOWN_STATUS });
    expect(tc.warnings).toContainEqual(expect.objectContaining({ code: 'unknown-status', itemId: unknown.runId }));

    const [parentRow, childRow] = [dv.flowruns[5]!, dv.flowruns[6]!];
    const child = runs.find((r) => r.runId === childRow.flowrunid)!;
    const parent = runs.find((r) => r.runId === parentRow.flowrunid)!;
    expect(child.parentRunId).toBe(parent.raw!.name);
    expect(child.raw).toMatchObject({ isChildRun: true });
    expect(parent.raw).toMatchObject({ isChildRun: false });
    expect(parent.parentRunId).toBeNull();
    for (const r of runs.filter((x) => x.status.category === 'failed')) {
      expect(r.errorMessage).toBeTruthy();
      expect(r.durationMs).toBeGreaterThan(0);
    }
  });

  it('keeps a hostile flow name verbatim, reduces a JSON error to its bounded message, redacts secrets in errors', async () => {
    const dv = data(60, { hostile: true });
    const [e, d] = await Promise.all([h.entra(), h.dataverse(dv)]);
    const runs = await collectAll(powerAutomateCollector, h.context(e, d).ctx, window);
    const hostileFlow = String(dv.workflows[0]!.workflowid);
    const ofHostile = runs.filter((r) => r.jobId === hostileFlow);
    expect(ofHostile.length).toBeGreaterThan(0);
    for (const r of ofHostile) expect(r.jobName).toBe(DATAVERSE_HOSTILE_NAME);
    const plain = runs.find((r) => r.runId === dv.flowruns[8]!.flowrunid)!;
    expect(plain.errorMessage).toContain('<script>alert(1)</script>');
    expect(plain.errorMessage).toContain('client_secret=[REDACTED]');
    expect(plain.errorMessage).not.toContain('abc123XYZsecret');
    expect(DATAVERSE_HOSTILE_ERROR).toContain('abc123XYZsecret');
    const huge = runs.find((r) => r.runId === dv.flowruns[9]!.flowrunid)!;
    expect(String(dv.flowruns[9]!.errormessage).length).toBeGreaterThan(19_000);
    expect(huge.errorMessage!.length).toBeLessThanOrEqual(4000);
    expect(huge.errorMessage).toMatch(/^upstream said: x+/);
    expect(huge.errorMessage).toMatch(/characters cut[\s\S]*END$/);
  });

  it('pins the portal link: environment id, the flow resourceid (not workflowid), the run name', async () => {
    const dv = data(10);
    const [e, d] = await Promise.all([h.entra(), h.dataverse(dv)]);
    const runs = await collectAll(powerAutomateCollector, h.context(e, d).ctx, window);
    for (const run of runs) {
      const flow = dv.workflows.find((w) => w.workflowid === run.jobId)!;
      const row = dv.flowruns.find((r) => r.flowrunid === run.runId)!;
      expect(flow.resourceid).not.toBe(flow.workflowid);
      expect(run.url).toBe(`https://make.powerautomate.com/environments/Default-env-0001/flows/${String(flow.resourceid)}/runs/${String(row.name)}`);
    }
    const withoutEnv = await collectAll(powerAutomateCollector, h.context(e, d, { environmentId: undefined }).ctx, window);
    expect(withoutEnv.every((r) => r.url === null)).toBe(true);
  });

  it('turns an invalid row into a warning naming it and keeps the rest', async () => {
    const dv = data(10);
    const broken = dv.flowruns[3]!;
    broken.starttime = 1_700_000_000; // a number where the table has a DateTimeOffset
    const [e, d] = await Promise.all([h.entra(), h.dataverse(dv)]);
    const tc = h.context(e, d);
    const runs = await collectAll(powerAutomateCollector, tc.ctx, window);
    expect(tc.warnings.filter((w) => w.code === 'invalid-item')).toEqual([expect.objectContaining({ itemId: broken.flowrunid, message: expect.stringContaining('starttime') })]);
    expect(runs.map((r) => r.runId).sort()).toEqual(runsInWindow(dv, window).filter((r) => r !== broken).map((r) => String(r.flowrunid)).sort());
    // The fake served the broken row on purpose: it is the one contract violation.
    expect(await h.finish()).toEqual(['starttime: not a UTC DateTimeOffset (1700000000)']);
  });
});
