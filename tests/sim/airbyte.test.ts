// The fake Airbyte server keeps the vendor's contract and quirks (default order, orderBy/limit validation, `next`
// links that drop filters, problem JSON, Java timestamps, JWT tokens, the config API), and the data generator is
// deterministic and covers the cases collectors must handle.
import { afterEach, describe, expect, it } from '@jest/globals';
import { AIRBYTE_UNKNOWN_STATUS, generateAirbyteData, javaDuration, javaTime } from '../../sim/airbyte-data.js';
import type { AirbyteSimulator } from '../../sim/airbyte.js';
import { jwtExpiry } from '../../collectors/airbyte/auth.js';
import { HttpError } from '../../errors.js';
import { contractViolations } from '../helpers/airbyte-contract.js';
import { API_KEY, APP, harness, jobsInWindow } from '../helpers/airbyte-harness.js';

const NOW = new Date('2026-11-23T12:00:00Z');
const H = 3_600_000;
const h = harness();
const auth = { getToken: async () => API_KEY, invalidate: () => {} };

afterEach(async () => {
  expect(await h.finish()).toEqual([]);
});

type Page = { data: Record<string, unknown>[]; next: string; previous?: string };

async function get(sim: AirbyteSimulator, path: string, query: Record<string, string | number | readonly string[] | undefined>): Promise<Page> {
  const tc = h.context(sim);
  const res = await tc.ctx.http.request({ url: `${sim.url}${path}`, query, retry: false, auth });
  return res.body as Page;
}
const fails = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => e as HttpError);

describe('Airbyte data generator', () => {
  it('is deterministic and covers every status, job type and connection state', () => {
    const a = generateAirbyteData({ now: NOW, seed: 5, jobs: 400, days: 3, hostile: true });
    const b = generateAirbyteData({ now: NOW, seed: 5, jobs: 400, days: 3, hostile: true });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    const statuses = new Set(a.jobs.map((j) => j.status));
    for (const s of ['pending', 'queued', 'running', 'incomplete', 'failed', 'succeeded', 'cancelled', AIRBYTE_UNKNOWN_STATUS]) expect(statuses).toContain(s);
    expect(new Set(a.jobs.map((j) => j.jobType))).toEqual(new Set(['sync', 'reset', 'refresh', 'clear']));
    expect(new Set(a.connections.map((c) => c.status))).toEqual(new Set(['active', 'inactive', 'locked', 'deprecated']));
    expect(a.connections[0]?.name).toContain('<img');
    expect(a.jobs.every((j) => j.updatedAt >= j.createdAt && j.updatedAt <= NOW.getTime())).toBe(true);
  });

  it('prints times and durations the way Java does', () => {
    expect(javaTime(Date.parse('2026-11-23T10:15:00Z'))).toBe('2026-11-23T10:15Z');
    expect(javaTime(Date.parse('2026-11-23T10:15:07Z'))).toBe('2026-11-23T10:15:07Z');
    expect(javaDuration((8 * 3600 + 6 * 60 + 12) * 1000)).toBe('PT8H6M12S');
    expect(javaDuration(0)).toBe('PT0S');
  });

  it('scales to 100,000 jobs and filters a window by binary search', async () => {
    const data = generateAirbyteData({ now: NOW, seed: 9, jobs: 100_000, days: 30 });
    const sim = await h.sim(data);
    const window = { start: new Date(NOW.getTime() - 6 * H), end: new Date(NOW.getTime() - 5 * H) };
    const expected = jobsInWindow(data, window);
    const page = await get(sim, '/jobs', { updatedAtStart: window.start.toISOString(), updatedAtEnd: window.end.toISOString(), orderBy: 'updatedAt|DESC', limit: 100 });
    expect(expected.length).toBeGreaterThan(100);
    expect(page.data).toHaveLength(100);
    for (const j of page.data) expect(expected).toContain(j.jobId);
  });
});

describe('Airbyte simulator: GET /jobs', () => {
  const data = generateAirbyteData({ now: NOW, seed: 3, jobs: 300, days: 2 });

  it('lists oldest first when orderBy is absent (the controller default)', async () => {
    const sim = await h.sim(data);
    const page = await get(sim, '/jobs', { limit: 5 });
    const oldest = [...data.jobs].sort((a, b) => a.createdAt - b.createdAt)[0];
    expect(page.data[0]?.jobId).toBe(oldest?.jobId);
  });

  it('answers 400 problem JSON for a malformed orderBy and a limit above 100', async () => {
    const sim = await h.sim(data);
    const bad = await fails(get(sim, '/jobs', { orderBy: 'updatedAt DESC' }));
    expect(bad?.status).toBe(400);
    expect(bad?.bodySnippet).toContain('"title":"bad-request"');
    expect((await fails(get(sim, '/jobs', { orderBy: 'jobId|DESC' })))?.status).toBe(400);
    expect((await fails(get(sim, '/jobs', { limit: 101 })))?.status).toBe(400);
    expect((await fails(get(sim, '/jobs', { limit: 0 })))?.status).toBe(400);
  });

  it('builds `next` without the time filters and the order, and leaves it empty only on an empty page', async () => {
    const sim = await h.sim(data);
    const q = { updatedAtStart: new Date(NOW.getTime() - 3 * H).toISOString(), orderBy: 'updatedAt|DESC', limit: 100 };
    const first = await get(sim, '/jobs', q);
    const next = new URL(first.next);
    expect(next.searchParams.get('offset')).toBe('100');
    expect(next.searchParams.has('updatedAtStart')).toBe(false);
    expect(next.searchParams.has('orderBy')).toBe(false);
    const short = await get(sim, '/jobs', { ...q, offset: 0, limit: 100, updatedAtStart: new Date(NOW.getTime() - 10 * 60_000).toISOString() });
    expect(short.data.length).toBeLessThan(100);
    expect(short.next).not.toBe('');
    expect((await get(sim, '/jobs', { ...q, offset: 10_000 })).next).toBe('');
  });

  it('prints Java timestamps, lastUpdatedAt only for terminal jobs, and no duration while pending', async () => {
    const sim = await h.sim(data);
    const all: Record<string, unknown>[] = [];
    for (let offset = 0; offset < 300; offset += 100) all.push(...(await get(sim, '/jobs', { limit: 100, offset })).data);
    expect(all.some((j) => /T\d{2}:\d{2}Z$/.test(String(j.startTime)))).toBe(true);
    for (const j of all) expect('lastUpdatedAt' in j).toBe(['failed', 'succeeded', 'cancelled'].includes(String(j.status)));
    expect(all.find((j) => j.status === 'pending')?.duration).toBeUndefined();
  });

  it('refuses a forbidden workspace with 403 and hides it from unfiltered listings', async () => {
    const ws = data.workspaces[1]?.workspaceId ?? '';
    const sim = await h.sim(data, { forbiddenWorkspaces: [ws] });
    const err = await fails(get(sim, '/jobs', { workspaceIds: [ws] }));
    expect(err?.status).toBe(403);
    const conns = await get(sim, '/connections', { limit: 100, includeDeleted: 'true' });
    expect(conns.data.every((c) => c.workspaceId !== ws)).toBe(true);
  });
});

describe('Airbyte contract check', () => {
  it('flags bodies that break the OpenAPI contracts', () => {
    const sent = (path: string, status: number, body: unknown) => ({ sent: [{ path, status, body, raw: false }] });
    expect(contractViolations(sent('/v1/jobs', 200, { data: [{ jobId: 'x', status: 'succeeded', jobType: 'sync', startTime: 't', connectionId: 'c' }] }))).not.toEqual([]);
    expect(contractViolations(sent('/v1/jobs', 200, { next: '' }))).not.toEqual([]);
    expect(contractViolations(sent('/v1/connections', 200, { data: [{ connectionId: 'not-a-uuid' }] }))).not.toEqual([]);
    expect(contractViolations(sent('/v1/jobs', 400, { detail: 'no type nor title' }))).not.toEqual([]);
    expect(contractViolations(sent('/api/v1/jobs/get', 200, { job: { id: 1 } }))).not.toEqual([]);
    expect(contractViolations(sent('/v1/jobs', 429, { message: 'Too many requests' }))).toEqual([]);
  });
});

describe('Airbyte simulator: tokens and the config API', () => {
  const data = generateAirbyteData({ now: NOW, seed: 4, jobs: 50, days: 1 });

  it('issues JWTs whose exp can be earlier than expires_in says', async () => {
    const sim = await h.sim(data, { ...APP, tokenTtlSeconds: 900, jwtExpSeconds: 180 });
    const tc = h.context(sim);
    const res = await tc.ctx.http.request({ method: 'POST', url: `${sim.url}/applications/token`, json: { client_id: APP.clientId, client_secret: APP.clientSecret, grant_type: 'client_credentials' } });
    const body = res.body as { access_token: string; expires_in: number };
    expect(body.expires_in).toBe(900);
    const exp = jwtExpiry(body.access_token) ?? 0;
    expect(exp - Date.now()).toBeLessThanOrEqual(180_000);
    expect(exp - Date.now()).toBeGreaterThan(170_000);
  });

  it('serves JobInfoRead with failure summaries; get adds logs', async () => {
    const sim = await h.sim(data);
    const failed = data.jobs.find((j) => j.status === 'failed');
    const tc = h.context(sim);
    const light = await tc.ctx.http.request({ method: 'POST', url: `${sim.configApiUrl}/v1/jobs/get_without_logs`, json: { id: failed?.jobId }, auth });
    const withLogs = await tc.ctx.http.request({ method: 'POST', url: `${sim.configApiUrl}/v1/jobs/get`, json: { id: failed?.jobId }, auth });
    expect(JSON.stringify(light.body)).toContain('failureSummary');
    expect(JSON.stringify(light.body)).not.toContain('logLines');
    expect(JSON.stringify(withLogs.body)).toContain('logLines');
    const missing = await fails(tc.ctx.http.request({ method: 'POST', url: `${sim.configApiUrl}/v1/jobs/get`, json: { id: 1 }, auth, retry: false }));
    expect(missing?.status).toBe(404);
  });
});

describe('Airbyte simulator: a new dataset on the same server', () => {
  it('replaceJobs serves the new jobs, as often as it is called, and updateJob finds them', async () => {
    const first = generateAirbyteData({ now: NOW, seed: 3, jobs: 30, days: 1 });
    const sim = await h.sim(first);
    for (const seed of [4, 5]) {
      // The same seed keeps the same connections (the server's); a later `now` gives other jobs.
      const next = generateAirbyteData({ now: new Date(NOW.getTime() + seed * H), seed: 3, jobs: 30, days: 1 });
      sim.replaceJobs(next.jobs.map((j) => ({ ...j, jobId: j.jobId + seed * 1_000_000 })));
      const page = await get(sim, '/jobs', { orderBy: 'updatedAt|DESC', limit: 100 });
      expect(page.data.map((j) => Number(j.jobId)).sort()).toEqual(next.jobs.map((j) => j.jobId + seed * 1_000_000).sort());
      const last = sim.data.jobs[0]!;
      expect(() => sim.updateJob(last.jobId, { status: 'failed' })).not.toThrow();
    }
  });
});
