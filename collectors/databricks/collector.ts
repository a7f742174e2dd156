// Databricks Jobs (API 2.2) collector: runs from jobs/runs/list (a start-time reach-back plus the active runs),
// truncated task lists completed through jobs/runs/get for failed runs, the job inventory from jobs/list.
// Vendor quirks that shaped it (shared/docs/platform-apis.md §2):
// - runs/list filters on START time only, so the window is widened backwards by `longestRunMs`, and
//   `active_only=true` is read as well so that a run older than the reach-back and still running is never missed;
// - `limit` is at most 25 (the server refuses more); `runs` is omitted, not [], on an empty page;
// - 2.2 truncates `tasks` to 100 per run (`has_more`); the rest is paged through runs/get (airflow#72304).
import { z } from 'zod';
import { CollectorError, HttpError } from '../../errors.js';
import {
  DatabricksJobSchema,
  DatabricksRunSchema,
  DatabricksTaskSchema,
  databricksStatus,
  normalizeDatabricksJob,
  normalizeDatabricksRun,
  type DatabricksRun,
  type NormalizeDatabricksOptions,
} from '../../normalize/databricks.js';
import { statusRank } from '../../normalize/order.js';
import type { JobObservation, RunObservation } from '../../normalize/schema.js';
import type { QueryValue } from '../../connect/http.js';
import { paginate, repeatedCursorMessage } from '../../connect/paging.js';
import { parseItems } from '../parse.js';
import { databricksTokenProvider } from './auth.js';
import { memoOf } from '../memo.js';
import { pageQueue } from '../stream.js';
import type { CheckResult, CollectContext, Collector, EmitRuns, TimeWindow } from '../types.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const RUNS_PAGE_SIZE = 25; // runs/list maximum; the server answers 400 INVALID_PARAMETER_VALUE above it
const JOBS_PAGE_SIZE = 100; // jobs/list maximum
export const DEFAULT_LONGEST_RUN_MS = 48 * HOUR;
export const START_TIME_SLICES = 3; // plus the active listing: four listings in flight, the collector's concurrency

const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const optionalText = z.preprocess(blankToUndefined, z.string().optional());

export const databricksScopeSchema = z
  .object({
    /** Workspace base URL, e.g. https://adb-1234567890123456.7.azuredatabricks.net. */
    host: z
      .string()
      .trim()
      .refine((h) => {
        try {
          return ['http:', 'https:'].includes(new URL(h).protocol);
        } catch {
          return false;
        }
      }, 'must be the workspace URL, e.g. https://adb-1234567890123456.7.azuredatabricks.net'),
    /** Personal access token (Bearer). */
    token: optionalText,
    /** OAuth M2M service principal (client credentials). */
    clientId: optionalText,
    clientSecret: optionalText,
    /** How far before the window runs/list reaches back (it filters on start time). Default 48 h. */
    longestRunMs: z.number().int().positive().optional(),
    name: optionalText,
  })
  .superRefine((s, ctx) => {
    const oauth = s.clientId !== undefined || s.clientSecret !== undefined;
    if (s.token !== undefined && oauth) {
      ctx.addIssue({ code: 'custom', path: ['token'], message: 'give either a token (PAT) or clientId and clientSecret (OAuth M2M), not both' });
    } else if (s.token === undefined && !oauth) {
      ctx.addIssue({ code: 'custom', path: ['token'], message: 'an auth method is required: a token (PAT) or clientId and clientSecret (OAuth M2M)' });
    } else if (oauth && (s.clientId === undefined || s.clientSecret === undefined)) {
      ctx.addIssue({ code: 'custom', path: [s.clientId === undefined ? 'clientId' : 'clientSecret'], message: 'OAuth M2M needs both clientId and clientSecret' });
    }
  });

export interface DatabricksScope {
  host: string;
  token?: string | undefined;
  clientId?: string | undefined;
  clientSecret?: string | undefined;
  longestRunMs?: number | undefined;
  name?: string | undefined;
}

const baseUrlOf = (scope: DatabricksScope) => scope.host.trim().replace(/\/+$/, '');
const secretsOf = (scope: DatabricksScope) => [scope.token, scope.clientSecret].filter((s): s is string => !!s);

function session(ctx: CollectContext<DatabricksScope>) {
  const baseUrl = baseUrlOf(ctx.scope);
  // One provider per scope and cycle (the memo), so catch-up chunks share a token until it nears expiry.
  const auth = memoOf(ctx)('databricks:token', () => databricksTokenProvider({ auth: ctx.scope, baseUrl, http: ctx.http, now: ctx.now, scopeId: ctx.scopeId }));
  const norm: NormalizeDatabricksOptions = { scope: ctx.scopeId, baseUrl, secrets: secretsOf(ctx.scope) };
  return { baseUrl, auth, norm };
}

const ListRunsPageSchema = z.object({ runs: z.array(z.unknown()).nullish(), next_page_token: z.string().nullish() });
const ListJobsPageSchema = z.object({ jobs: z.array(z.unknown()).nullish(), next_page_token: z.string().nullish() });
const GetRunPageSchema = z.object({ tasks: z.array(DatabricksTaskSchema).nullish(), next_page_token: z.string().nullish() });

/** A JSON answer that is not the expected page: the scope cannot be read this cycle (a blind spot, not a crash). */
function parsePage<T>(ctx: CollectContext<DatabricksScope>, schema: z.ZodType<T>, body: unknown, endpoint: string): T {
  const r = schema.safeParse(body);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  throw new CollectorError('databricks', ctx.scopeId, `${endpoint} answered JSON that is not a page (${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}); check DATABRICKS_HOST points at a workspace`);
}


/**
 * Pages through jobs/runs/list with one set of filters, handing each page's runs to `onPage` on the event loop's
 * turn after the request for the next page went out (collectors/stream.ts): that CPU time overlaps the wait for
 * the next page, and the listing reads at most one page ahead of what `onPage` has finished with.
 */
async function listRuns(
  ctx: CollectContext<DatabricksScope>,
  s: ReturnType<typeof session>,
  filters: Record<string, QueryValue>,
  label: string,
  onPage: (runs: DatabricksRun[]) => Promise<void>,
): Promise<void> {
  const pages = pageQueue();
  await paginate<string | null, never>({
    first: null,
    maxPages: ctx.limits.maxPages,
    label,
    onCap: (m) => ctx.incomplete(m),
    fetchPage: async (pageToken) => {
      // GET /api/2.2/jobs/runs/list: https://docs.databricks.com/api/workspace/jobs/listruns
      const res = await ctx.http.request({
        url: `${s.baseUrl}/api/2.2/jobs/runs/list`,
        query: { ...filters, limit: RUNS_PAGE_SIZE, expand_tasks: true, page_token: pageToken },
        auth: s.auth,
      });
      const page = parsePage(ctx, ListRunsPageSchema, res.body, 'jobs/runs/list');
      const items = page.runs ?? [];
      await pages.next(() => onPage(parseItems(ctx, DatabricksRunSchema, items, 'run_id', 'run')));
      return { items: [], next: page.next_page_token || undefined };
    },
  });
  await pages.done();
}

/**
 * Reads the tasks a run's listing left out (has_more) through runs/get and its page_token. Each request counts
 * against `budget`; past it, the run is kept with what is known and a `detail-cap` warning says so.
 */
async function completeTasks(
  ctx: CollectContext<DatabricksScope>,
  s: ReturnType<typeof session>,
  run: DatabricksRun,
  budget: { used: number },
): Promise<{ run: DatabricksRun; complete: boolean }> {
  const tasks = new Map<string, NonNullable<DatabricksRun['tasks']>[number]>();
  const keyOf = (t: { task_key: string; run_id?: string | null | undefined }) => t.run_id ?? t.task_key;
  for (const t of run.tasks ?? []) tasks.set(keyOf(t), t);
  let pageToken: string | undefined;
  let complete = false;
  // A vendor handing back a token already followed would loop until the detail cap: stop, keep what is known.
  const seenTokens = new Set<string>();
  try {
    do {
      if (budget.used >= ctx.limits.maxDetailRequests) {
        ctx.warn({ code: 'detail-cap', itemId: run.run_id, message: `run ${run.run_id} has more than ${tasks.size} tasks; the rest was not read (detail request cap ${ctx.limits.maxDetailRequests} reached)` });
        break;
      }
      budget.used++;
      // GET /api/2.2/jobs/runs/get: https://docs.databricks.com/api/workspace/jobs/getrun
      const res = await ctx.http.request({ url: `${s.baseUrl}/api/2.2/jobs/runs/get`, query: { run_id: run.run_id, page_token: pageToken }, auth: s.auth });
      const page = parsePage(ctx, GetRunPageSchema, res.body, 'jobs/runs/get');
      for (const t of page.tasks ?? []) tasks.set(keyOf(t), t);
      pageToken = page.next_page_token || undefined;
      complete = pageToken === undefined;
      if (pageToken !== undefined) {
        if (seenTokens.has(pageToken)) {
          ctx.warn({ code: 'detail-failed', itemId: run.run_id, message: `${repeatedCursorMessage(`databricks runs/get of run ${run.run_id}`, seenTokens.size + 1)}; the run is kept with the tasks read` });
          break;
        }
        seenTokens.add(pageToken);
      }
    } while (pageToken !== undefined);
  } catch (e) {
    if (ctx.signal.aborted) throw e;
    ctx.warn({ code: 'detail-failed', itemId: run.run_id, message: `could not read the remaining tasks of run ${run.run_id}: ${e instanceof Error ? e.message : String(e)}` });
  }
  return { run: { ...run, tasks: [...tasks.values()] }, complete };
}

/** Does the run overlap the window: started before its end, and still running or ended after its start? */
function overlaps(run: DatabricksRun, window: TimeWindow): boolean {
  const start = run.start_time ?? null;
  const end = run.end_time ? run.end_time : null;
  if (start !== null && start > window.end.getTime()) return false;
  return end === null || end >= window.start.getTime();
}

/**
 * The run's observation, completed first through runs/get when it failed with more tasks than the listing shows
 * (its error text may sit in a task beyond the first 100). Mapped here once, validated once by the cycle at the
 * store's boundary (which quarantines what fails).
 */
async function observe(ctx: CollectContext<DatabricksScope>, s: ReturnType<typeof session>, run: DatabricksRun, budget: { used: number }): Promise<RunObservation> {
  let current = run;
  let complete = !run.has_more;
  if (run.has_more && databricksStatus(run.status, run.state).category === 'failed') ({ run: current, complete } = await completeTasks(ctx, s, run, budget));
  const obs = normalizeDatabricksRun(current, s.norm, complete);
  if (obs.status.category === 'unknown') {
    ctx.warn({ code: 'unknown-status', itemId: run.run_id, message: `run ${run.run_id} has a status pipeline-audit does not know (${obs.status.raw || 'none'}); stored as unknown` });
  }
  return obs;
}

/**
 * Splits [from, to] into `n` disjoint start-time slices. Page tokens make one listing strictly sequential; slices
 * page side by side (the HTTP layer still caps requests in flight), which matters at 25 runs a page.
 */
export function slices(from: number, to: number, n: number): { start_time_from: number; start_time_to: number }[] {
  const step = Math.ceil((to - from + 1) / n);
  const out: { start_time_from: number; start_time_to: number }[] = [];
  for (let a = from; a <= to; a += step) out.push({ start_time_from: a, start_time_to: Math.min(to, a + step - 1) });
  return out;
}

const TERMINAL = statusRank('succeeded');

async function collectRuns(ctx: CollectContext<DatabricksScope>, window: TimeWindow, emit: EmitRuns): Promise<void> {
  const s = session(ctx);
  // A continuation chunk follows one of this same cycle, read moments ago: runs that started before it were seen
  // in their current state already, so neither the reach-back nor the active listing is needed again.
  const reachBack = window.continuation ? 0 : (ctx.scope.longestRunMs ?? DEFAULT_LONGEST_RUN_MS);
  const budget = { used: 0 };
  // A run can be listed twice (by the active listing and by its start-time slice) and must be emitted once, in
  // its most advanced state. A run that has ended cannot change any more: it is emitted as soon as its page is
  // handled, and its id remembered (ids only, this window's: a few MB at the most). One still queued or running
  // may show up further along in the other listing: it is held until every listing is read (the runs still going
  // in a workspace, bounded by the vendor's concurrency limits, not by the window) and emitted then, unless a
  // listing meanwhile showed it ended.
  const ended = new Set<string>();
  const going = new Map<string, { run: DatabricksRun; rank: number }>();
  const onPage = async (runs: DatabricksRun[]) => {
    const now: DatabricksRun[] = [];
    for (const run of runs) {
      if (!overlaps(run, window) || ended.has(run.run_id)) continue;
      const rank = statusRank(databricksStatus(run.status, run.state).category);
      if (rank >= TERMINAL) {
        ended.add(run.run_id);
        going.delete(run.run_id);
        now.push(run);
        continue;
      }
      const seen = going.get(run.run_id);
      if (!seen || rank >= seen.rank) going.set(run.run_id, { run, rank });
    }
    if (now.length > 0) await emit(await Promise.all(now.map((run) => observe(ctx, s, run, budget))));
  };
  await Promise.all([
    // Runs still going, however long ago they started (the start-time listing cannot reach them).
    ...(window.continuation ? [] : [listRuns(ctx, s, { active_only: true }, 'databricks runs/list active_only', onPage)]),
    ...slices(window.start.getTime() - reachBack, window.end.getTime(), START_TIME_SLICES).map((range) =>
      listRuns(ctx, s, range, `databricks runs/list ${new Date(range.start_time_from).toISOString()}..${new Date(range.start_time_to).toISOString()}`, onPage),
    ),
  ]);
  const rest = [...going.values()].map((v) => v.run);
  if (rest.length > 0) await emit(await Promise.all(rest.map((run) => observe(ctx, s, run, budget))));
}

async function listJobs(ctx: CollectContext<DatabricksScope>): Promise<JobObservation[]> {
  const s = session(ctx);
  const raw = await paginate<string | null, unknown>({
    first: null,
    maxPages: ctx.limits.maxPages,
    label: 'databricks jobs/list',
    onCap: (m) => ctx.incomplete(m),
    fetchPage: async (pageToken) => {
      // GET /api/2.2/jobs/list: https://docs.databricks.com/api/workspace/jobs/list
      const res = await ctx.http.request({ url: `${s.baseUrl}/api/2.2/jobs/list`, query: { limit: JOBS_PAGE_SIZE, page_token: pageToken }, auth: s.auth });
      const page = parsePage(ctx, ListJobsPageSchema, res.body, 'jobs/list');
      return { items: page.jobs ?? [], next: page.next_page_token || undefined };
    },
  });
  return parseItems(ctx, DatabricksJobSchema, raw, 'job_id', 'job').map((j) => normalizeDatabricksJob(j, s.norm));
}

function checkFailure(e: unknown, scope: DatabricksScope): CheckResult {
  const message = e instanceof Error ? e.message : String(e);
  if (!(e instanceof HttpError)) return { ok: false, message, fix: 'see the error above; check DATABRICKS_HOST and the credentials' };
  const oauth = !scope.token;
  if (e.status === 401 || (oauth && e.status === 400 && e.url.includes('/oidc/'))) {
    return {
      ok: false,
      message,
      fix: oauth
        ? 'the service principal client id or OAuth secret is wrong or expired: create a new secret for it in the account console'
        : 'the token is wrong or expired: create a new personal access token (or use OAuth M2M) and update DATABRICKS_TOKEN',
    };
  }
  if (e.status === 403) return { ok: false, message, fix: 'the identity may not read jobs: grant it CAN VIEW on the jobs to audit (or workspace admin)' };
  if (e.status === null) return { ok: false, message, fix: `the workspace did not answer: check DATABRICKS_HOST (${baseUrlOf(scope)}) and the network` };
  return { ok: false, message, fix: 'the workspace refused the request: check DATABRICKS_HOST is a workspace URL and the Jobs API is enabled' };
}

async function check(ctx: CollectContext<DatabricksScope>): Promise<CheckResult> {
  const s = session(ctx);
  try {
    const res = await ctx.http.request({ url: `${s.baseUrl}/api/2.2/jobs/list`, query: { limit: JOBS_PAGE_SIZE }, auth: s.auth });
    const page = parsePage(ctx, ListJobsPageSchema, res.body, 'jobs/list');
    const n = page.jobs?.length ?? 0;
    return { ok: true, message: `token ok, ${n}${page.next_page_token ? '+' : ''} jobs visible`, jobsVisible: n };
  } catch (e) {
    return checkFailure(e, ctx.scope);
  }
}

export const databricksCollector: Collector<DatabricksScope> = {
  platform: 'databricks',
  title: 'Databricks Jobs',
  scopeSchema: databricksScopeSchema,
  /** The workspace host (hostname[:port]): run ids are unique only inside a workspace. */
  scopeId: (scope) => new URL(baseUrlOf(scope)).host,
  retentionMs: 60 * DAY, // the Jobs API keeps about 60 days of run history
  overlapMs: 10 * 60_000,
  maxChunkMs: DAY,
  concurrency: 4,
  listJobs,
  collectRuns,
  check,
};
