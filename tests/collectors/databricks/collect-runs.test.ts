// databricksCollector.collectRuns against the fake workspace over real sockets: what it keeps from the window,
// the active_only listing, status variants, truncated tasks, caps, invalid items and the raw allowlist.
import { afterEach, describe, expect, it } from '@jest/globals';
import { collectAll } from '../../../collectors/stream.js';
import { databricksCollector } from '../../../collectors/databricks/collector.js';
import { generateDatabricksData, generateJobs, makeRun, seededRandom, SPARK_ERRORS, type SimData, type SimRun } from '../../../sim/databricks-data.js';
import type { CollectLimits } from '../../../collectors/types.js';
import { runKey, type RunObservation } from '../../../normalize/schema.js';
import { harness, TOKEN } from '../../helpers/databricks-harness.js';

const NOW = new Date('2026-03-01T12:00:00Z');
const H = 3_600_000;
const window = { start: new Date(NOW.getTime() - 24 * H), end: NOW };
const h = harness();

afterEach(async () => {
  expect(await h.finish()).toEqual([]);
});

const byId = (runs: RunObservation[], id: number | null | undefined) => runs.find((r) => r.runId === String(id));

const gen = () => generateDatabricksData({ now: NOW, seed: 7, jobs: 20, runs: 160, days: 2 });

async function collect<D extends SimData>(data: D, limits: Partial<CollectLimits> = {}) {
  const sim = await h.sim(data);
  const tc = h.context(sim, { token: TOKEN }, { limits });
  const runs = await collectAll(databricksCollector, tc.ctx, window);
  return { sim, tc, runs, data };
}

describe('databricks collectRuns', () => {
  it('pages through runs/list and keeps exactly the runs that overlap the window', async () => {
    const { sim, runs, data, tc } = await collect(gen());
    const reachBack = window.start.getTime() - 48 * H;
    const expected = data.runs
      .filter((r) => {
        const start = r.start_time ?? 0;
        const running = r.end_time === 0;
        const listed = start >= reachBack || ['RUNNING', 'QUEUED', 'PENDING', 'TERMINATING'].includes(String((r.status as { state?: string }).state));
        return listed && start <= window.end.getTime() && (running || (r.end_time ?? 0) >= window.start.getTime());
      })
      .map((r) => String(r.run_id))
      .sort();
    expect(expected.length).toBeGreaterThan(25);
    expect(runs.map((r) => r.runId).sort()).toEqual(expected);
    expect(new Set(runs.map((r) => r.runId)).size).toBe(runs.length);
    expect(sim.stats.requests['/api/2.2/jobs/runs/list']).toBeGreaterThanOrEqual(4);
    expect(tc.incomplete).toEqual([]);
  });

  it('keeps a run that started before the window and finished in it, and drops one that ended before it', async () => {
    const job = generateJobs(1, seededRandom(1), NOW.getTime(), false)[0]!;
    const start = window.start.getTime() - 2 * H;
    const data = {
      jobs: [job],
      runs: [
        makeRun({ runId: 1, job, start, durationMs: 2.5 * H, outcome: 'SUCCESS' }),
        makeRun({ runId: 2, job, start, durationMs: 1 * H, outcome: 'SUCCESS' }),
      ],
    };
    const { runs } = await collect(data);
    expect(runs.map((r) => r.runId)).toEqual(['1']);
    expect(runs[0]?.startedAt?.getTime()).toBe(start);
  });

  it('finds a still-running run that started before the reach-back through active_only', async () => {
    const { runs, data } = await collect(gen());
    const long = data.runs.find((r) => r.run_id === data.notable.longRunning)!;
    expect(long.start_time!).toBeLessThan(window.start.getTime() - 48 * H);
    expect(byId(runs, data.notable.longRunning)).toMatchObject({ status: { category: 'running' }, endedAt: null, durationMs: null });
    expect(byId(runs, data.notable.queued)).toMatchObject({ status: { category: 'queued', detail: 'max_concurrent_runs_reached' } });
  });

  it('maps the notable outcomes end to end', async () => {
    const { runs, data, tc } = await collect(gen());
    const n = data.notable;
    expect(byId(runs, n.timedOut)?.status).toMatchObject({ category: 'failed', detail: 'timed_out' });
    expect(byId(runs, n.userCanceled)?.status).toMatchObject({ category: 'canceled', detail: 'user_canceled' });
    expect(byId(runs, n.concurrencySkipped)?.status).toMatchObject({ category: 'skipped', detail: 'concurrency_limit' });
    expect(byId(runs, n.successWithFailures)?.status).toMatchObject({ category: 'failed', detail: 'success_with_failures' });
    expect(byId(runs, n.retryOriginal)).toMatchObject({ attempt: 0, attemptGroup: String(n.retryOriginal), isFinalAttempt: true, status: { category: 'failed' } });
    expect(byId(runs, n.retryAttempt)).toMatchObject({ attempt: 1, attemptGroup: String(n.retryOriginal), status: { category: 'succeeded' } });
    expect(byId(runs, n.waitingForRetry)).toMatchObject({ isFinalAttempt: false, status: { detail: 'waiting_for_retry' } });
    expect(byId(runs, n.repaired)).toMatchObject({ status: { category: 'succeeded' }, raw: { repair_count: 1 } });
    // The unknown status is stored, raw kept, and reported.
    expect(byId(runs, n.unknownStatus)?.status).toEqual({ category: 'unknown', detail: null, raw: 'TERMINATED:QUANTUM_FLUX' });
    expect(tc.warnings).toContainEqual(expect.objectContaining({ code: 'unknown-status', itemId: String(n.unknownStatus) }));
  });

  it('reads runs that carry only the new status block or only the legacy state block', async () => {
    const { runs, data } = await collect(gen());
    expect(byId(runs, data.notable.statusOnly[0])).toMatchObject({ status: { category: 'failed', raw: 'TERMINATED:RUN_EXECUTION_ERROR' }, errorClass: 'CLIENT_ERROR' });
    expect(byId(runs, data.notable.legacyOnly[0])).toMatchObject({ status: { category: 'failed', detail: 'failed', raw: 'TERMINATED/FAILED' }, errorCode: 'FAILED' });
    expect(byId(runs, data.notable.legacyOnly[1])?.status).toEqual({ category: 'succeeded', detail: 'success', raw: 'TERMINATED/SUCCESS' });
  });

  it('completes a failed run whose task list was truncated at 100 through runs/get', async () => {
    const { runs, data, sim } = await collect(gen());
    const many = byId(runs, data.notable.manyTasks);
    expect(many?.errorMessage).toContain('[task_120] org.apache.spark.sql.AnalysisException: [TABLE_OR_VIEW_NOT_FOUND]');
    expect(many?.raw).toMatchObject({ task_count: 130, tasks_complete: true, failed_tasks: ['task_120'] });
    expect(sim.stats.requests['/api/2.2/jobs/runs/get']).toBe(2);
  });

  it('over the detail cap: warns detail-cap and stores the run with what is known', async () => {
    const { runs, data, tc, sim } = await collect(gen(), { maxDetailRequests: 0 });
    const many = byId(runs, data.notable.manyTasks);
    expect(tc.warnings).toContainEqual(expect.objectContaining({ code: 'detail-cap', itemId: String(data.notable.manyTasks) }));
    expect(many).toMatchObject({ status: { category: 'failed' }, raw: { task_count: 100, tasks_complete: false } });
    expect(many?.errorMessage).toBe('Task task_120 failed with message: Workload failed, see run output for details.');
    expect(sim.stats.requests['/api/2.2/jobs/runs/get']).toBeUndefined();
  });

  it('stops at the page cap and reports the collection incomplete', async () => {
    const { runs, tc } = await collect(gen(), { maxPages: 1 });
    expect(tc.incomplete.length).toBeGreaterThan(0);
    for (const m of tc.incomplete) expect(m).toMatch(/^databricks runs\/list .*: stopped at the page cap \(1 pages\)/);
    expect(runs.length).toBeLessThanOrEqual(50);
  });

  it('skips an invalid item with a warning naming it and keeps the others', async () => {
    const job = generateJobs(1, seededRandom(1), NOW.getTime(), false)[0]!;
    const start = NOW.getTime() - H;
    const noId: SimRun = { start_time: start, end_time: start + 60_000, run_name: 'lost' };
    const badAttempt = { ...makeRun({ runId: 3, job, start, durationMs: 60_000, outcome: 'SUCCESS' }), attempt_number: -1 };
    const data = { jobs: [job], runs: [makeRun({ runId: 1, job, start, durationMs: 60_000, outcome: 'SUCCESS' }), noId, badAttempt] };
    const { runs, tc } = await collect(data);
    expect(runs.map((r) => r.runId)).toEqual(['1']);
    const invalid = tc.warnings.filter((w) => w.code === 'invalid-item');
    expect(invalid.map((w) => w.itemId).sort()).toEqual(['3', undefined]);
    expect(invalid[0]?.message).toMatch(/run_id|attempt_number/);
  });

  it('never lets parameters into raw, and redacts secrets in error text while keeping head and tail', async () => {
    const job = generateJobs(1, seededRandom(1), NOW.getTime(), false)[0]!;
    const text = `${SPARK_ERRORS[0]}\nretry with ${TOKEN}`;
    const data = { jobs: [job], runs: [makeRun({ runId: 1, job, start: NOW.getTime() - H, durationMs: 60_000, outcome: 'FAILED', errorText: text })] };
    const { runs } = await collect(data);
    const all = JSON.stringify(runs);
    for (const leaked of ['sk-live-param', 'override-param-secret', 'notebook-param-secret', 'Winter2026!Sup3r', TOKEN]) expect(all).not.toContain(leaked);
    const msg = runs[0]?.errorMessage ?? '';
    expect(msg.length).toBeLessThanOrEqual(4000);
    expect(msg).toMatch(/^\[validate\] org\.apache\.spark\.SparkException/);
    expect(msg).toMatch(/Caused by: java\.net\.SocketTimeoutException: Read timed out[\s\S]*retry with \[REDACTED\]$/);
  });

  it('keeps two workspaces with colliding run ids apart by scope', async () => {
    const data = generateDatabricksData({ now: NOW, seed: 7, jobs: 5, runs: 40, days: 1 });
    const [a, b] = [await h.sim(data), await h.sim(data)];
    const [ra, rb] = await Promise.all([a, b].map((s) => collectAll(databricksCollector, h.context(s).ctx, window)));
    expect(ra!.map((r) => r.runId).sort()).toEqual(rb!.map((r) => r.runId).sort());
    expect(ra![0]!.scope).not.toBe(rb![0]!.scope);
    const keys = new Set([...ra!, ...rb!].map(runKey));
    expect(keys.size).toBe(ra!.length + rb!.length);
  });

  it('carries hostile names and messages as data', async () => {
    const data = generateDatabricksData({ now: NOW, seed: 7, jobs: 5, runs: 40, days: 1, hostile: true });
    const { runs } = await collect(data);
    const hostile = byId(runs, data.notable.hostile);
    expect(hostile?.jobName).toContain('DROP TABLE');
    expect(hostile?.errorMessage).toContain('<script>');
    expect(hostile?.status.category).toBe('failed');
  });
});
