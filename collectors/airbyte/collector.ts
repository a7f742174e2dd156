// Airbyte (Cloud and self-managed) collector over the public API v1: jobs from GET /jobs filtered on update time,
// names and workspaces from GET /connections, failure reasons (optional) from the internal config API.
// Vendor quirks that shaped it (shared/docs/platform-apis.md §1):
// - GET /jobs defaults to createdAt ASC, so `orderBy=updatedAt|DESC` is always sent;
// - its `next` link drops the time filters and the order (JobsResponseMapper + PaginationMapper), so page URLs are
//   built here and `next` is never followed; `next` is non-empty even on the last page, so a short page ends paging;
// - jobs carry no workspace id and no connection name: both come from the connection listing;
// - the public API has no failure reason; the config API (internal, unsupported) has one per attempt;
// - the load-shed 429 has no Retry-After and is keyed on the user, so concurrency stays at 2.
import { HttpError } from '../../errors.js';
import {
  AirbyteJobSchema,
  normalizeAirbyteConnection,
  normalizeAirbyteJob,
  type AirbyteConnection,
  type AirbyteFailure,
  type AirbyteJob,
  type ConnectionRef,
} from '../../normalize/airbyte.js';
import type { JobObservation, RunObservation } from '../../normalize/schema.js';
import { airbyteTokenProvider } from './auth.js';
import { memoOf } from '../memo.js';
import { airbyteScopeId, airbyteScopeSchema, airbyteWebUrl, baseUrlOf, secretsOf, type AirbyteScope } from './scope.js';
import { failureReader } from './failures.js';
import { listConnections, listJobsInWindow, PAGE_SIZE, parsePage, type AirbyteSession } from './pages.js';
import { parseItems } from '../parse.js';
import type { CheckResult, CollectContext, Collector, EmitRuns, TimeWindow } from '../types.js';

const DAY = 86_400_000;
export { EDGE_OVERLAP } from './pages.js';
export { DEFAULT_CLOUD_API, airbyteScopeId, airbyteScopeSchema, airbyteWebUrl, type AirbyteScope } from './scope.js';
function session(ctx: CollectContext<AirbyteScope>): AirbyteSession {
  const baseUrl = baseUrlOf(ctx.scope);
  // One provider per scope and cycle (the memo), so catch-up chunks share a token until it nears expiry.
  const auth = memoOf(ctx)('airbyte:token', () => airbyteTokenProvider({ auth: ctx.scope, baseUrl, http: ctx.http, now: ctx.now, scopeId: ctx.scopeId }));
  const norm = { scope: ctx.scopeId, webUrl: airbyteWebUrl(ctx.scope), secrets: secretsOf(ctx.scope) };
  // An empty list is left out: the server then reads every workspace the user may see.
  const workspaceIds = ctx.scope.workspaceIds.length ? ctx.scope.workspaceIds : undefined;
  return { baseUrl, auth, norm, workspaceIds };
}

/** Mapped here once; validated once, by the cycle at the store's boundary (which quarantines what fails). */
function toObservation(ctx: CollectContext<AirbyteScope>, s: AirbyteSession, job: AirbyteJob, conn: ConnectionRef | null, failure: AirbyteFailure | null): RunObservation {
  const obs = normalizeAirbyteJob(job, s.norm, conn, failure);
  if (obs.status.category === 'unknown') {
    ctx.warn({ code: 'unknown-status', itemId: job.jobId, message: `job ${job.jobId} has a status pipeline-audit does not know (${obs.status.raw || 'none'}); stored as unknown` });
  }
  return obs;
}

async function collectRuns(ctx: CollectContext<AirbyteScope>, window: TimeWindow, emit: EmitRuns): Promise<void> {
  const s = session(ctx);
  // Jobs carry neither the connection's name nor its workspace: the connections listing has both.
  const connections = new Map<string, ConnectionRef>();
  for (const c of await connectionsOf(ctx, s)) connections.set(c.connectionId, { name: c.name ?? null, workspaceId: c.workspaceId });
  const failures = failureReader(ctx, s);
  // Each job once (pages.ts leaves out the jobs read again at page edges), a page at a time.
  await listJobsInWindow(ctx, s, window, async (raw) => {
    const jobs = parseItems(ctx, AirbyteJobSchema, raw, 'jobId', 'job');
    const reasons = await failures.read(jobs);
    const out = jobs.map((job) => toObservation(ctx, s, job, connections.get(job.connectionId) ?? null, reasons.get(job.jobId) ?? null));
    if (out.length > 0) await emit(out);
  });
  failures.finish();
}

/**
 * The scope's connections, listed once per cycle (the scope's memo): by the inventory, then reused by every chunk of
 * a catch-up instead of re-listed before each one (three round trips a chunk for 200 connections). A listing cut
 * short is reported to every caller, so a chunk that relies on it is still incomplete.
 */
async function connectionsOf(ctx: CollectContext<AirbyteScope>, s: AirbyteSession): Promise<AirbyteConnection[]> {
  const listed = memoOf(ctx)('airbyte:connections', () => {
    const incomplete: string[] = [];
    return listConnections({ ...ctx, incomplete: (m) => incomplete.push(m) }, s).then((list) => ({ list, incomplete }));
  });
  const { list, incomplete } = await listed;
  for (const m of incomplete) ctx.incomplete(m);
  return list;
}

async function listJobs(ctx: CollectContext<AirbyteScope>): Promise<JobObservation[]> {
  const s = session(ctx);
  return (await connectionsOf(ctx, s)).map((c) => normalizeAirbyteConnection(c, s.norm));
}

function checkFailure(e: unknown, scope: AirbyteScope): CheckResult {
  const message = e instanceof Error ? e.message : String(e);
  const app = !scope.apiKey;
  if (!(e instanceof HttpError)) return { ok: false, message, fix: 'see the error above; check the Airbyte API URL and the credentials' };
  switch (e.status) {
    case 401:
      return {
        ok: false,
        message,
        fix: app
          ? 'the application client id or secret is wrong (or the application was deleted): create a new one under User settings → Applications'
          : 'the API key is wrong or expired: Airbyte tokens are short-lived, so prefer an application (clientId + clientSecret)',
      };
    case 403:
      return { ok: false, message, fix: "the application's user lacks access to the workspace: grant that user (at least) workspace reader, or fix workspaceIds" };
    case 404:
      return { ok: false, message, fix: `wrong base URL (${baseUrlOf(scope)}): Cloud is https://api.airbyte.com/v1, self-managed needs <host>/api/public/v1` };
    case null:
      return { ok: false, message, fix: `Airbyte did not answer: check the base URL (${baseUrlOf(scope)}) and the network` };
    default:
      return { ok: false, message, fix: 'Airbyte refused the request: check the base URL and try again later' };
  }
}

async function check(ctx: CollectContext<AirbyteScope>): Promise<CheckResult> {
  const s = session(ctx);
  try {
    if (!ctx.scope.apiKey) await s.auth.getToken(ctx.signal);
    // GET /workspaces: https://reference.airbyte.com/reference/listworkspaces
    const ws = await ctx.http.request({ url: `${s.baseUrl}/workspaces`, query: { workspaceIds: s.workspaceIds, limit: PAGE_SIZE }, auth: s.auth });
    const workspaces = parsePage(ctx, ws.body, '/workspaces').length;
    // GET /connections: https://reference.airbyte.com/reference/listconnections
    const cs = await ctx.http.request({ url: `${s.baseUrl}/connections`, query: { workspaceIds: s.workspaceIds, limit: PAGE_SIZE }, auth: s.auth });
    const n = parsePage(ctx, cs.body, '/connections').length;
    const more = (k: number) => (k >= PAGE_SIZE ? '+' : '');
    return {
      ok: true,
      message: `${ctx.scope.apiKey ? 'API key' : 'application token'} ok, ${workspaces}${more(workspaces)} workspaces, ${n}${more(n)} connections visible`,
      jobsVisible: n,
    };
  } catch (e) {
    return checkFailure(e, ctx.scope);
  }
}

export const airbyteCollector: Collector<AirbyteScope> = {
  platform: 'airbyte',
  title: 'Airbyte',
  scopeSchema: airbyteScopeSchema,
  scopeId: airbyteScopeId,
  // Airbyte states no retention for job history; 30 days is a conservative assumption, not a documented figure.
  retentionMs: 30 * DAY,
  // platform-apis.md §1.2 recommends updatedAtStart = watermark - 30 min: jobs updated while a cycle was paging
  // (moved to page 1 after it was read) are read by the next cycle.
  overlapMs: 30 * 60_000,
  maxChunkMs: DAY,
  // Airbyte load-sheds per user (all applications of a user share it): keep requests in flight low.
  concurrency: 2,
  listJobs,
  collectRuns,
  check,
};
