// airbyteCollector.collectRuns against the fake server: windowed paging built by the collector (orderBy always,
// `next` never followed), rows moving between pages while paging, every status, hostile names, invalid items, Java
// timestamps, and failure reasons from the config API that never leak internalMessage, stacktrace or passwords.
import { afterEach, describe, expect, it } from '@jest/globals';
import { collectAll } from '../../../collectors/stream.js';
import { airbyteCollector, EDGE_OVERLAP } from '../../../collectors/airbyte/collector.js';
import { AIRBYTE_HOSTILE_NAME, AIRBYTE_SIM_SECRET, AIRBYTE_UNKNOWN_STATUS, generateAirbyteData, renderJob } from '../../../sim/airbyte-data.js';
import type { AirbyteSimulator } from '../../../sim/airbyte.js';
import { harness, jobsInWindow } from '../../helpers/airbyte-harness.js';

const NOW = new Date('2026-11-23T12:00:00Z');
const H = 3_600_000;
const h = harness();
const JOBS = '/v1/jobs';
const ids = (runs: { runId: string }[]) => runs.map((r) => Number(r.runId)).sort((a, b) => a - b);
const jobListings = (sim: AirbyteSimulator) => sim.log.filter((r) => r.path === JOBS);

afterEach(async () => {
  expect(await h.finish()).toEqual([]);
});

describe('airbyte paging', () => {
  it('reads every job updated in the window across several pages, building each page URL itself', async () => {
    const data = generateAirbyteData({ now: NOW, seed: 21, jobs: 1500, days: 2 });
    const sim = await h.sim(data);
    const window = { start: new Date(NOW.getTime() - 20 * H), end: new Date(NOW.getTime() - 2 * H) };
    const tc = h.context(sim);
    const runs = await collectAll(airbyteCollector, tc.ctx, window);
    const expected = jobsInWindow(data, window);
    expect(expected.length).toBeGreaterThan(300);
    expect(ids(runs)).toEqual(expected);
    const log = jobListings(sim);
    expect(log.length).toBeGreaterThan(3);
    // orderBy and the window on every request; offsets step by a page minus the re-read edge, never `next`'s.
    for (const r of log) {
      expect(r.query.get('orderBy')).toBe('updatedAt|DESC');
      expect(r.query.get('updatedAtStart')).toBe(window.start.toISOString());
      expect(r.query.get('updatedAtEnd')).toBe(window.end.toISOString());
      expect(r.query.get('limit')).toBe('100');
    }
    expect(log.map((r) => Number(r.query.get('offset')))).toEqual(log.map((_, i) => i * (100 - EDGE_OVERLAP)));
    expect(tc.incomplete).toEqual([]);
    expect(tc.warnings.filter((w) => w.code === 'invalid-item')).toEqual([]);
  });

  it('loses no job when jobs ahead of the page edge leave the window while paging', async () => {
    const data = generateAirbyteData({ now: NOW, seed: 22, jobs: 1200, days: 2 });
    const sim = await h.sim(data);
    const window = { start: new Date(NOW.getTime() - 30 * H), end: new Date(NOW.getTime() - 3 * H) };
    const before = jobsInWindow(data, window);
    const newestFirst = [...data.jobs].filter((j) => before.includes(j.jobId)).sort((a, b) => b.updatedAt - a.updatedAt || b.jobId - a.jobId);
    // Before page 2 is read, five jobs of page 1 are updated (past the window end): every later row moves up five.
    const moved = newestFirst.slice(20, 25).map((j) => j.jobId);
    sim.onPage(2, (s) => moved.forEach((id) => s.updateJob(id, { updatedAt: NOW.getTime() })));
    const tc = h.context(sim);
    const runs = await collectAll(airbyteCollector, tc.ctx, window);
    expect(ids(runs)).toEqual(before); // the moved jobs were read on page 1; nothing behind them was skipped
    expect(new Set(runs.map((r) => r.runId)).size).toBe(runs.length);
    expect(tc.incomplete).toEqual([]);
  });

  it('re-reads from the previous offset when more jobs moved than the overlap absorbs', async () => {
    const data = generateAirbyteData({ now: NOW, seed: 23, jobs: 1200, days: 2 });
    const sim = await h.sim(data);
    const window = { start: new Date(NOW.getTime() - 30 * H), end: new Date(NOW.getTime() - 3 * H) };
    const before = jobsInWindow(data, window);
    const newestFirst = [...data.jobs].filter((j) => before.includes(j.jobId)).sort((a, b) => b.updatedAt - a.updatedAt || b.jobId - a.jobId);
    const moved = newestFirst.slice(10, 10 + 3 * EDGE_OVERLAP).map((j) => j.jobId);
    sim.onPage(2, (s) => moved.forEach((id) => s.updateJob(id, { updatedAt: NOW.getTime() })));
    const tc = h.context(sim);
    const runs = await collectAll(airbyteCollector, tc.ctx, window);
    expect(ids(runs)).toEqual(before);
    const offsets = jobListings(sim).map((r) => Number(r.query.get('offset')));
    expect(offsets.slice(0, 3)).toEqual([0, 100 - EDGE_OVERLAP, 0]); // page 2 had no anchor: page 1's offset read again
    expect(tc.incomplete).toEqual([]);
  });

  it('absorbs duplicates when a job moves to the top while paging', async () => {
    const data = generateAirbyteData({ now: NOW, seed: 24, jobs: 1200, days: 2 });
    const sim = await h.sim(data);
    const window = { start: new Date(NOW.getTime() - 30 * H), end: new Date(NOW.getTime() - 3 * H) };
    const before = jobsInWindow(data, window);
    const newestFirst = [...data.jobs].filter((j) => before.includes(j.jobId)).sort((a, b) => b.updatedAt - a.updatedAt || b.jobId - a.jobId);
    const jumper = newestFirst[150]?.jobId ?? 0;
    // Updated inside the window: it jumps to page 1 (already read) and pushes page 1's last rows onto page 2.
    sim.onPage(2, (s) => s.updateJob(jumper, { updatedAt: window.end.getTime() - 1000 }));
    const tc = h.context(sim);
    const runs = await collectAll(airbyteCollector, tc.ctx, window);
    expect(new Set(runs.map((r) => r.runId)).size).toBe(runs.length);
    // Every job that did not move is there; the jumper's new state is the next cycle's (overlapMs covers it).
    expect(ids(runs).filter((id) => id !== jumper)).toEqual(before.filter((id) => id !== jumper));
  });

  it('stops at the page cap and reports the collection incomplete', async () => {
    const data = generateAirbyteData({ now: NOW, seed: 25, jobs: 800, days: 1 });
    const sim = await h.sim(data);
    const tc = h.context(sim, undefined, { limits: { maxPages: 2 } });
    const runs = await collectAll(airbyteCollector, tc.ctx, { start: new Date(NOW.getTime() - 24 * H), end: NOW });
    expect(runs.length).toBe(190);
    expect(tc.incomplete.join(' ')).toMatch(/airbyte \/jobs: stopped at the page cap/);
  });
});

describe('airbyte runs: content', () => {
  const window = { start: new Date(NOW.getTime() - 30 * H), end: NOW };

  it('maps every status (incomplete as retrying, an unknown one kept raw) with names, links and Java times', async () => {
    const data = generateAirbyteData({ now: NOW, seed: 31, jobs: 400, days: 1, hostile: true });
    const sim = await h.sim(data);
    const tc = h.context(sim);
    const runs = await collectAll(airbyteCollector, tc.ctx, window);
    const byStatus = new Map(runs.map((r) => [r.status.raw, r]));
    expect(byStatus.get('incomplete')).toMatchObject({ status: { category: 'running', detail: 'attempt_failed_retrying' }, isFinalAttempt: false });
    expect(byStatus.get('cancelled')?.status.category).toBe('canceled');
    expect(byStatus.get('pending')?.status.category).toBe('queued');
    expect(byStatus.get(AIRBYTE_UNKNOWN_STATUS)?.status).toEqual({ category: 'unknown', detail: null, raw: AIRBYTE_UNKNOWN_STATUS });
    expect(tc.warnings.filter((w) => w.code === 'unknown-status').map((w) => w.itemId)).toEqual([byStatus.get(AIRBYTE_UNKNOWN_STATUS)?.runId]);
    const hostileConn = data.connections[0];
    const hostileRuns = runs.filter((r) => r.jobId === hostileConn?.connectionId);
    expect(hostileRuns.length).toBeGreaterThan(0);
    for (const r of hostileRuns) {
      expect(r.jobName).toBe(AIRBYTE_HOSTILE_NAME);
      expect(r.url).toBe(`${sim.url.replace(/\/v1$/, '')}/workspaces/${hostileConn?.workspaceId}/connections/${r.jobId}/timeline?jobId=${r.runId}&openLogs=true`);
    }
    // startTime is the creation time, printed by Java without zero seconds; each one parses to the stored instant.
    const created = new Map(data.jobs.map((j) => [String(j.jobId), j.createdAt]));
    expect(data.jobs.some((j) => /T\d{2}:\d{2}Z$/.test(String(renderJob(j).startTime)))).toBe(true);
    for (const r of runs) expect(r.startedAt?.getTime()).toBe(created.get(r.runId));
    expect(new Set(runs.map((r) => r.runType))).toEqual(new Set(['sync', 'reset', 'refresh', 'clear']));
  });

  it('warns about an item that fails validation, naming it, and keeps the others', async () => {
    const data = generateAirbyteData({ now: NOW, seed: 32, jobs: 40, days: 1 });
    const sim = await h.sim(data);
    const good = renderJob(data.jobs[0]!);
    const bad = { jobId: 987654, status: 'failed', jobType: 'sync', startTime: 1687450500000, connectionId: data.connections[0]?.connectionId };
    sim.rawNext(JOBS, JSON.stringify({ data: [good, bad], next: `${sim.url}/jobs?limit=100&offset=100` }));
    const tc = h.context(sim);
    const runs = await collectAll(airbyteCollector, tc.ctx, window);
    expect(runs.map((r) => r.runId)).toEqual([String(good.jobId)]);
    expect(tc.warnings).toEqual([expect.objectContaining({ code: 'invalid-item', itemId: '987654' })]);
    expect(tc.incomplete).toEqual([]);
  });
});

describe('airbyte failure reasons (config API)', () => {
  const window = { start: new Date(NOW.getTime() - 30 * H), end: NOW };
  const data = generateAirbyteData({ now: NOW, seed: 41, jobs: 200, days: 1, hostile: true });
  const detailCount = data.jobs.filter((j) => j.status === 'failed' || j.status === 'incomplete').length;

  it('adds origin, type and the external message of failed and incomplete jobs, and never internals or secrets', async () => {
    const sim = await h.sim(data);
    const tc = h.context(sim, { apiKey: 'ab-static-key-7f3c91d2e4', configApiUrl: sim.configApiUrl });
    const runs = await collectAll(airbyteCollector, tc.ctx, window);
    expect(sim.stats.requests['/api/v1/jobs/get_without_logs']).toBe(detailCount);
    expect(sim.stats.requests['/api/v1/jobs/get']).toBeUndefined();
    const failed = runs.filter((r) => r.status.raw === 'failed');
    expect(failed.length).toBeGreaterThan(5);
    for (const r of failed) expect(r.errorMessage && r.errorCode && r.errorClass).toBeTruthy();
    expect(runs.find((r) => r.status.raw === 'incomplete')?.errorClass).toBe('transient_error');
    expect(new Set(failed.map((r) => r.errorClass))).toContain('config_error');
    expect(runs.filter((r) => r.status.raw === 'succeeded').every((r) => r.errorMessage === null)).toBe(true);
    expect(Math.max(...runs.map((r) => r.errorMessage?.length ?? 0))).toBeLessThanOrEqual(4000);
    expect(runs.some((r) => r.errorMessage?.includes('<script>'))).toBe(true); // hostile text stored as data, verbatim
    const out = JSON.stringify({ runs, warnings: tc.warnings });
    for (const leak of [AIRBYTE_SIM_SECRET, 'internalMessage', 'stacktrace', 'jdbc:postgresql', 'WorkerException']) expect(out).not.toContain(leak);
    expect(tc.warnings).toEqual([expect.objectContaining({ code: 'unknown-status' })]);
  });

  it('falls back to jobs/get on a server without get_without_logs, still without logs or secrets', async () => {
    const sim = await h.sim(data);
    sim.failNext('/api/v1/jobs/get_without_logs', { status: 404, body: { message: 'No handler for POST /api/v1/jobs/get_without_logs' } });
    const tc = h.context(sim, { apiKey: 'ab-static-key-7f3c91d2e4', configApiUrl: sim.configApiUrl });
    const runs = await collectAll(airbyteCollector, tc.ctx, window);
    expect(sim.stats.requests['/api/v1/jobs/get_without_logs']).toBe(1);
    expect(sim.stats.requests['/api/v1/jobs/get']).toBe(detailCount);
    expect(runs.filter((r) => r.errorMessage !== null)).toHaveLength(detailCount);
    expect(JSON.stringify(runs)).not.toContain(AIRBYTE_SIM_SECRET);
    expect(JSON.stringify(runs)).not.toContain('logLines');
  });

  it('degrades to runs without reasons when the config API refuses: one warning, collection complete', async () => {
    for (const refusal of [{ configApiEnabled: false }, { status: 403 }, { status: 500 }]) {
      const sim = await h.sim(data, 'configApiEnabled' in refusal ? refusal : {});
      if ('status' in refusal) sim.failNext('/api/v1/jobs/', { status: refusal.status, body: { message: 'Forbidden' }, times: 10 });
      const tc = h.context(sim, { apiKey: 'ab-static-key-7f3c91d2e4', configApiUrl: sim.configApiUrl });
      const runs = await collectAll(airbyteCollector, tc.ctx, window);
      expect(runs).toHaveLength(jobsInWindow(data, window).length);
      expect(runs.every((r) => r.errorMessage === null)).toBe(true);
      expect(tc.warnings.filter((w) => w.code === 'detail-failed')).toHaveLength(1);
      expect(tc.incomplete).toEqual([]);
    }
  });

  it('asks at most maxDetailRequests and says what it left out; without configApiUrl it asks nothing', async () => {
    const sim = await h.sim(data);
    const capped = h.context(sim, { apiKey: 'ab-static-key-7f3c91d2e4', configApiUrl: sim.configApiUrl }, { limits: { maxDetailRequests: 3 } });
    await collectAll(airbyteCollector, capped.ctx, window);
    expect(sim.stats.requests['/api/v1/jobs/get_without_logs']).toBe(3);
    expect(capped.warnings.filter((w) => w.code === 'detail-cap')).toHaveLength(1);
    const plain = h.context(sim);
    await collectAll(airbyteCollector, plain.ctx, window);
    expect(sim.stats.requests['/api/v1/jobs/get_without_logs']).toBe(3);
  });
});
