// The fake workspace keeps the vendor's contract (limits, paging, filters, truncation, auth, error bodies), and
// the data generator is deterministic and covers the cases collectors must handle.
import { afterEach, describe, expect, it } from '@jest/globals';
import { generateDatabricksData, type SimRun } from '../../sim/databricks-data.js';
import type { DatabricksSimulator } from '../../sim/databricks.js';
import { HttpError } from '../../errors.js';
import { contractViolations, harness, TOKEN } from '../helpers/databricks-harness.js';

const NOW = new Date('2026-03-01T12:00:00Z');
const H = 3_600_000;
const h = harness();
const auth = { getToken: async () => TOKEN, invalidate: () => {} };

afterEach(async () => {
  expect(await h.finish()).toEqual([]);
});

type Page = { runs?: SimRun[]; has_more?: boolean; next_page_token?: string; tasks?: unknown[] };

async function get(sim: DatabricksSimulator, path: string, query: Record<string, string | number | boolean | undefined>, withAuth = true): Promise<Page> {
  const tc = h.context(sim);
  const res = await tc.ctx.http.request({ url: `${sim.url}${path}`, query, retry: false, ...(withAuth ? { auth } : {}) });
  return res.body as Page;
}
const fails = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => e as HttpError);

describe('Databricks simulator contract', () => {
  const data = generateDatabricksData({ now: NOW, seed: 3, jobs: 10, runs: 300, days: 3 });

  it('refuses a page size above 25 with INVALID_PARAMETER_VALUE', async () => {
    const sim = await h.sim(data);
    const err = await fails(get(sim, '/api/2.2/jobs/runs/list', { limit: 26 }));
    expect(err).toBeInstanceOf(HttpError);
    expect(err?.status).toBe(400);
    expect(err?.bodySnippet).toContain('"error_code":"INVALID_PARAMETER_VALUE"');
    expect((await get(sim, '/api/2.2/jobs/runs/list', { limit: 25 })).runs).toHaveLength(25);
  });

  it('pages a start-time range most recent first with opaque tokens, omitting runs when empty', async () => {
    const sim = await h.sim(data);
    const from = NOW.getTime() - 30 * H;
    const to = NOW.getTime() - 6 * H;
    const seen: SimRun[] = [];
    let token: string | undefined;
    do {
      const page = await get(sim, '/api/2.2/jobs/runs/list', { limit: 25, start_time_from: from, start_time_to: to, page_token: token });
      seen.push(...(page.runs ?? []));
      token = page.next_page_token;
      expect(page.has_more).toBe(token !== undefined);
    } while (token);
    const expected = data.runs.filter((r) => r.start_time! >= from && r.start_time! <= to).sort((a, b) => b.start_time! - a.start_time!);
    expect(seen.map((r) => r.run_id)).toEqual(expected.map((r) => r.run_id));
    const empty = await get(sim, '/api/2.2/jobs/runs/list', { start_time_from: NOW.getTime() + H });
    expect(empty).toEqual({ has_more: false });
  });

  it('lists only active runs with active_only', async () => {
    const sim = await h.sim(data);
    const page = await get(sim, '/api/2.2/jobs/runs/list', { active_only: true, limit: 25 });
    const states = (page.runs ?? []).map((r) => (r.status as { state: string }).state);
    expect(states.length).toBeGreaterThan(0);
    expect(states.every((s) => ['RUNNING', 'QUEUED', 'PENDING', 'TERMINATING'].includes(s))).toBe(true);
    expect(page.runs?.map((r) => r.run_id)).toContain(data.notable.longRunning);
  });

  it('truncates tasks at 100 with has_more and pages the rest through runs/get', async () => {
    const sim = await h.sim(data);
    const id = data.notable.manyTasks;
    const start = data.runs.find((r) => r.run_id === id)!.start_time!;
    const listed = await get(sim, '/api/2.2/jobs/runs/list', { start_time_from: start, start_time_to: start, expand_tasks: true });
    expect(listed.runs?.[0]).toMatchObject({ run_id: id, has_more: true });
    expect(listed.runs?.[0]?.tasks).toHaveLength(100);
    const unexpanded = await get(sim, '/api/2.2/jobs/runs/list', { start_time_from: start, start_time_to: start });
    expect(unexpanded.runs?.[0]?.tasks).toBeUndefined();
    const first = await get(sim, '/api/2.2/jobs/runs/get', { run_id: id });
    expect(first.tasks).toHaveLength(100);
    const second = await get(sim, '/api/2.2/jobs/runs/get', { run_id: id, page_token: first.next_page_token });
    expect(second.tasks).toHaveLength(30);
    expect(second.next_page_token).toBeUndefined();
    const missing = await fails(get(sim, '/api/2.2/jobs/runs/get', { run_id: 1 }));
    expect(missing?.status).toBe(400);
  });

  it('answers 401 with the vendor error body without a valid bearer token, and issues OAuth tokens', async () => {
    const sim = await h.sim(data, { clientId: 'sp', clientSecret: 's' });
    const err = await fails(get(sim, '/api/2.2/jobs/list', {}, false));
    expect(err?.status).toBe(401);
    expect(err?.bodySnippet).toContain('UNAUTHENTICATED');
    const tc = h.context(sim);
    const res = await tc.ctx.http.request({
      method: 'POST',
      url: `${sim.url}/oidc/v1/token`,
      headers: { authorization: `Basic ${Buffer.from('sp:s').toString('base64')}` },
      form: { grant_type: 'client_credentials', scope: 'all-apis' },
    });
    expect(res.body).toMatchObject({ token_type: 'Bearer', expires_in: 3600, access_token: expect.any(String) });
    const issued = { getToken: async () => (res.body as { access_token: string }).access_token, invalidate: () => {} };
    const jobs = { url: `${sim.url}/api/2.2/jobs/list`, auth: issued, retry: false };
    expect((await tc.ctx.http.request(jobs)).status).toBe(200);
    sim.revokeTokens();
    expect((await fails(tc.ctx.http.request(jobs)))?.status).toBe(401);
    expect(sim.stats.tokensIssued).toBe(1);
  });

  it('flags a response that breaks the contract', () => {
    const sent = [
      { path: '/api/2.2/jobs/runs/list', status: 200, raw: false, body: { runs: [{ run_id: 'x', status: { state: 'TERMINATED', termination_details: { code: 'QUANTUM_FLUX' } } }] } },
      { path: '/api/2.2/jobs/list', status: 400, raw: false, body: { message: 'no code' } },
    ];
    expect(contractViolations({ sent })).toEqual(['/api/2.2/jobs/runs/list 200: /runs/0/run_id must be integer', '/api/2.2/jobs/list 400: error body lacks error_code/message']);
  });
});

describe('Databricks data generator', () => {
  it('is deterministic for a seed and a clock', () => {
    const a = generateDatabricksData({ now: NOW, seed: 9, jobs: 12, runs: 200, days: 2, hostile: true });
    const b = generateDatabricksData({ now: NOW, seed: 9, jobs: 12, runs: 200, days: 2, hostile: true });
    const c = generateDatabricksData({ now: NOW, seed: 10, jobs: 12, runs: 200, days: 2, hostile: true });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(JSON.stringify(a)).not.toBe(JSON.stringify(c));
  });

  it('produces the requested size with every notable case, all within the contract', async () => {
    const d = generateDatabricksData({ now: NOW, seed: 1, jobs: 50, runs: 100_000, days: 30, hostile: true });
    expect(d.runs).toHaveLength(100_000);
    expect(new Set(d.runs.map((r) => r.run_id)).size).toBe(100_000);
    const ids = new Set(d.runs.map((r) => r.run_id));
    for (const v of Object.values(d.notable).flat()) expect(ids.has(v as number)).toBe(true);
    expect(d.runs.every((r) => r.start_time! <= NOW.getTime() && r.start_time! >= NOW.getTime() - 31 * 24 * H)).toBe(true);
    // A page of the big workspace, checked against the contract in afterEach.
    const sim = await h.sim(d);
    const page = await get(sim, '/api/2.2/jobs/runs/list', { limit: 25, expand_tasks: true, start_time_from: NOW.getTime() - 24 * H });
    expect(page.runs).toHaveLength(25);
    const hostileJob = d.jobs[0]?.settings as { name: string };
    expect(hostileJob.name).toMatch(/<img.*DROP TABLE.*IGNORE ALL PREVIOUS INSTRUCTIONS/);
  });
});
