// Catch-up continuation: the cycle passes `continuation: true` to every chunk after the first, which was read moments
// earlier in the same cycle. Such a window sends no active_only listing and does not reach back before its start,
// so a catch-up reads each run once; a first window does both. Checked on the requests the simulator received
// (its per-path counts) and on their query parameters, recorded at the transport.
import { afterEach, describe, expect, it } from '@jest/globals';
import { collectAll } from '../../../collectors/stream.js';
import { databricksCollector, DEFAULT_LONGEST_RUN_MS, START_TIME_SLICES } from '../../../collectors/databricks/collector.js';
import type { FetchLike } from '../../../connect/http.js';
import { generateJobs, makeRun, seededRandom } from '../../../sim/databricks-data.js';
import type { TimeWindow } from '../../../collectors/types.js';
import { testContext, type TestContext } from '../../helpers/context.js';
import { harness, TOKEN } from '../../helpers/databricks-harness.js';

const NOW = new Date('2026-03-01T12:00:00Z');
const H = 3_600_000;
const START = NOW.getTime() - 24 * H;
const RUNS_LIST = '/api/2.2/jobs/runs/list';
const h = harness();
const contexts: TestContext<unknown>[] = [];

afterEach(async () => {
  await Promise.all(contexts.splice(0).map((c) => c.close()));
  expect(await h.finish()).toEqual([]);
});

const job = generateJobs(1, seededRandom(3), NOW.getTime(), false)[0]!;
const RUNS = {
  /** Started 5 days ago and still running: older than any reach-back, only active_only lists it. */
  oldRunning: makeRun({ runId: 101, job, start: NOW.getTime() - 5 * 24 * H, durationMs: null, outcome: 'RUNNING' }),
  /** Started 2 h before the window and ended inside it: only the reach-back lists it. */
  startedBefore: makeRun({ runId: 102, job, start: START - 2 * H, durationMs: 3 * H, outcome: 'FAILED', errorText: 'boom' }),
  /** Started and ended inside the window. */
  inside: makeRun({ runId: 103, job, start: START + H, durationMs: 20 * 60_000, outcome: 'SUCCESS' }),
};

/** Collects one window against a fresh simulator; returns the run ids, the simulator and the runs/list queries sent. */
async function collect(window: TimeWindow) {
  const sim = await h.sim({ jobs: [job], runs: Object.values(RUNS) });
  const queries: URLSearchParams[] = [];
  const recording: FetchLike = (url, init) => {
    const u = new URL(url);
    if (u.pathname === RUNS_LIST) queries.push(u.searchParams);
    return fetch(url, init as RequestInit);
  };
  const scope = databricksCollector.scopeSchema.parse({ host: sim.url, token: TOKEN });
  const tc = testContext('databricks', scope, databricksCollector.scopeId(scope), { fetch: recording, now: () => NOW });
  contexts.push(tc as TestContext<unknown>);
  const runs = await collectAll(databricksCollector, tc.ctx, window);
  expect(tc.incomplete).toEqual([]);
  const startsFrom = queries.filter((q) => q.has('start_time_from')).map((q) => Number(q.get('start_time_from')));
  return { ids: runs.map((r) => r.runId).sort(), sim, queries, earliestStart: Math.min(...startsFrom) };
}

describe('databricks collectRuns: first window and continuation', () => {
  it('a first window lists the active runs and reaches back before its start', async () => {
    const { ids, sim, queries, earliestStart } = await collect({ start: new Date(START), end: NOW });
    expect(ids).toEqual(['101', '102', '103']);
    // One page per listing here: the active listing plus the start-time slices.
    expect(sim.stats.requests[RUNS_LIST]).toBe(START_TIME_SLICES + 1);
    expect(queries.filter((q) => q.get('active_only') === 'true')).toHaveLength(1);
    expect(earliestStart).toBe(START - DEFAULT_LONGEST_RUN_MS);
  });

  it('a continuation window sends no active_only listing and does not reach back', async () => {
    const { ids, sim, queries, earliestStart } = await collect({ start: new Date(START), end: NOW, continuation: true });
    // The two runs only the active listing or the reach-back find were read by the chunk before this one.
    expect(ids).toEqual(['103']);
    expect(sim.stats.requests[RUNS_LIST]).toBe(START_TIME_SLICES);
    expect(queries.some((q) => q.has('active_only'))).toBe(false);
    expect(earliestStart).toBe(START);
    // The slices still cover the window to its end.
    expect(Math.max(...queries.map((q) => Number(q.get('start_time_to'))))).toBe(NOW.getTime());
  });
});
