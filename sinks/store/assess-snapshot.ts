// The assessment snapshot in two statements, whatever the history's size: one over the runs, one over the jobs and
// the cycle rows.
//
// Bounded reads, not incremental statistics: the runs statement only looks at runs started (or last seen) within
// `lookbackDays` (60 by default), and per job keeps the newest N final attempts and the newest N successes with
// ROW_NUMBER() OVER (PARTITION BY job ORDER BY time DESC) <= N, plus the pending retries, the active runs and the
// latest start. Both engines prune by the time filter (DuckDB zone maps, Snowflake micro-partitions: runs arrive
// roughly in time order, so recent rows cluster), so a cycle reads a recent slice, never all history. The cost: a
// job that ran fewer than N times within the window gets fewer samples (a weekly job about 8), which the rules
// already handle as "too few samples".
import type { AssessJob, AssessRun, AssessSnapshot, JobSnapshot } from '../../normalize/assessment.js';
import type { Platform, StatusCategory } from '../../normalize/schema.js';
import { asBool, asDate, asNum, asStr, col, param, type Row, type SqlSession } from './assess-sql.js';
import { JOB_COLUMNS, JOB_STATE_COLUMNS, TABLES, type Cell, type Column } from './tables.js';
import type { ScopeRef, SnapshotOptions } from './types.js';

const DEFAULT_LOOKBACK_DAYS = 60;
const RUN_COLS = 'platform, scope, job_id, run_id, job_name, attempt, attempt_group, is_final_attempt, status_category, status_detail, status_raw, scheduled_at, started_at, ended_at, duration_ms, error_class, error_code, error_message, url, rows_processed';
/** A run's place in time for ordering: when it started, else when it was due, ended or was seen. */
const RUN_TIME = 'COALESCE(started_at, scheduled_at, ended_at, last_seen_at)';
const ACTIVE = "status_category IN ('queued', 'running')";

function scopeFilter(s: SqlSession, scopes: readonly ScopeRef[] | 'all', alias: string): { sql: string; binds: Cell[] } {
  if (scopes === 'all') return { sql: '1 = 1', binds: [] };
  if (scopes.length === 0) return { sql: '1 = 0', binds: [] };
  return {
    sql: `(${scopes.map(() => `(${alias}.platform = ${param(s, 'id')} AND ${alias}.scope = ${param(s, 'id')})`).join(' OR ')})`,
    binds: scopes.flatMap((x) => [x.platform, x.scope]),
  };
}

/** SQL and its binds, in the order their `?` appear. */
export interface Frag {
  sql: string;
  binds: Cell[];
}

/** The columns of a snapshot runs row (runsParts' `select`), typed for JSON rows. */
export const RUN_OUT: readonly Column[] = [['part', 'id'], ...RUN_COLS.split(', ').map((n) => TABLES.runs!.columns.find(([c]) => c === n)!), ['rn', 'int'], ['srn', 'int']];
/** The columns of a snapshot jobs row (jobsSql). */
export const JOB_OUT: readonly Column[] = [['prev_end', 'timestamp'], ...['platform', 'scope', 'job_id', 'name', 'schedule', 'schedule_timezone', 'paused', 'state', 'tags', 'url', 'deleted', 'first_seen_at'].map((n) => JOB_COLUMNS.find(([c]) => c === n)!), ...JOB_STATE_COLUMNS];

/**
 * The runs read as common table expressions (`ctes`, for a WITH list) and the SELECT over them (`select`), so that
 * readAssessmentInputs can read them inside a larger statement.
 */
export function runsParts(s: SqlSession, scopes: readonly ScopeRef[] | 'all', opts: SnapshotOptions): { ctes: Frag; select: Frag } {
  const since = new Date(opts.now.getTime() - (opts.lookbackDays ?? DEFAULT_LOOKBACK_DAYS) * 86_400_000);
  const f = scopeFilter(s, scopes, 'r');
  const window = `(r.started_at >= ${param(s, 'timestamp')} OR r.last_seen_at >= ${param(s, 'timestamp')})`;
  const n = (v: number) => Math.max(1, Math.floor(v));
  const byJob = 'PARTITION BY platform, scope, job_id ORDER BY t DESC, run_id DESC';
  // Ranked on a narrow projection (keys, status, time), then only the chosen runs joined back for their columns:
  // sorting the window's few hundred thousand wide rows (error texts, URLs) cost most of the statement. One pass
  // ranks a job's final attempts and, beside it, its successes (a running count), so a success among the newest
  // finals is one row, not two.
  const ctes = `recent AS (
      SELECT platform, scope, job_id, run_id, attempt_group, is_final_attempt, status_category, ${RUN_TIME} AS t, COALESCE(started_at, scheduled_at) AS st
      FROM ${s.table('runs')} r WHERE ${f.sql} AND ${window}
    ), finals AS (
      SELECT platform, scope, run_id, status_category,
        ROW_NUMBER() OVER (${byJob}) AS rn,
        SUM(CASE WHEN status_category = 'succeeded' THEN 1 ELSE 0 END) OVER (${byJob} ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS srn
      FROM recent WHERE is_final_attempt
    ), pending AS (
      SELECT platform, scope, run_id, ROW_NUMBER() OVER (${byJob}) AS rn
      FROM recent p WHERE NOT is_final_attempt AND status_category = 'failed' AND NOT EXISTS (SELECT 1 FROM recent f WHERE f.platform = p.platform AND f.scope = p.scope AND f.job_id = p.job_id AND f.attempt_group = p.attempt_group AND f.is_final_attempt)
    ), chosen AS (
      SELECT 'final' AS part, platform, scope, run_id, rn, srn FROM finals WHERE rn <= ${n(opts.finals)} OR (status_category = 'succeeded' AND srn <= ${n(opts.successes)})
      UNION ALL SELECT 'pending', platform, scope, run_id, rn, 0 FROM pending WHERE rn <= ${n(opts.finals)}
      UNION ALL SELECT 'active', platform, scope, run_id, 0, 0 FROM recent WHERE ${ACTIVE}
    )`;
  const select = `SELECT c.part, ${RUN_COLS.split(', ').map((x) => `r.${x}`).join(', ')}, c.rn, c.srn
    FROM chosen c JOIN ${s.table('runs')} r ON r.platform = c.platform AND r.scope = c.scope AND r.run_id = c.run_id
    WHERE ${window}
    UNION ALL
    SELECT 'last' AS part, platform, scope, job_id, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, MAX(st), NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0
    FROM recent GROUP BY platform, scope, job_id`;
  return { ctes: { sql: ctes, binds: [...f.binds, since, since] }, select: { sql: select, binds: [since, since] } };
}

export function jobsSql(s: SqlSession, scopes: readonly ScopeRef[] | 'all', cycleId: string): Frag {
  const f = scopeFilter(s, scopes, 'j');
  // The cycle row of the cycle being assessed (a re-run) is not "the previous cycle".
  const sql = `SELECT c.prev_end, ${JOB_OUT.slice(1).map(([n]) => `j.${n}`).join(', ')} FROM (SELECT MAX(ended_at) AS prev_end FROM ${s.table('cycles')} WHERE cycle_id <> ${param(s, 'id')}) c
    LEFT JOIN ${s.table('jobs')} j ON ${f.sql}`;
  return { sql, binds: [cycleId, ...f.binds] };
}

function toRun(r: Row): AssessRun {
  return {
    runId: String(col(r, 'run_id')),
    jobName: asStr(col(r, 'job_name')),
    attempt: asNum(col(r, 'attempt')) ?? 0,
    attemptGroup: String(col(r, 'attempt_group')),
    isFinalAttempt: asBool(col(r, 'is_final_attempt')) ?? false,
    status: { category: String(col(r, 'status_category')) as StatusCategory, detail: asStr(col(r, 'status_detail')), raw: String(col(r, 'status_raw') ?? '') },
    scheduledAt: asDate(col(r, 'scheduled_at')),
    startedAt: asDate(col(r, 'started_at')),
    endedAt: asDate(col(r, 'ended_at')),
    durationMs: asNum(col(r, 'duration_ms')),
    errorClass: asStr(col(r, 'error_class')),
    errorCode: asStr(col(r, 'error_code')),
    errorMessage: asStr(col(r, 'error_message')),
    url: asStr(col(r, 'url')),
    rowsProcessed: asNum(col(r, 'rows_processed')),
  };
}

function toJob(r: Row): AssessJob {
  const tags = col(r, 'tags');
  return {
    name: asStr(col(r, 'name')),
    schedule: asStr(col(r, 'schedule')),
    scheduleTimezone: asStr(col(r, 'schedule_timezone')),
    paused: asBool(col(r, 'paused')),
    state: asStr(col(r, 'state')),
    tags: (tags === null || tags === undefined ? {} : typeof tags === 'string' ? JSON.parse(tags) : tags) as AssessJob['tags'],
    url: asStr(col(r, 'url')),
    deleted: asBool(col(r, 'deleted')) ?? false,
    firstSeenAt: asDate(col(r, 'first_seen_at')),
  };
}

/** The job's paused/state before this cycle's upsert (see JOB_STATE_COLUMNS); null when first seen this cycle. */
function jobBefore(r: Row, cycleId: string, previousCycleEndedAt: Date | null): JobSnapshot['jobBefore'] {
  if (col(r, 'state_cycle_id') === cycleId) return { paused: asBool(col(r, 'prev_paused')), state: asStr(col(r, 'prev_state')) };
  const first = asDate(col(r, 'first_seen_at'));
  if (!previousCycleEndedAt || (first && first > previousCycleEndedAt)) return null;
  return { paused: asBool(col(r, 'paused')), state: asStr(col(r, 'state')) };
}

const key = (platform: unknown, scope: unknown, jobId: unknown) => JSON.stringify([String(platform), String(scope), String(jobId)]);

export async function readAssessmentSnapshot(s: SqlSession, scopes: readonly ScopeRef[] | 'all', opts: SnapshotOptions): Promise<AssessSnapshot> {
  const runs = runsParts(s, scopes, opts);
  const jobs = jobsSql(s, scopes, opts.cycleId);
  const [runRows, jobRows] = await s.read(async (q) => [await q.query(`WITH ${runs.ctes.sql} ${runs.select.sql}`, [...runs.ctes.binds, ...runs.select.binds]), await q.query(jobs.sql, jobs.binds)] as const);
  return buildSnapshot(runRows, jobRows, opts);
}

/** The snapshot from the rows of the runs read and of the jobs read (typed rows, or parsed JSON rows). */
export function buildSnapshot(runRows: readonly Row[], jobRows: readonly Row[], opts: SnapshotOptions): AssessSnapshot {
  const previousCycleEndedAt = asDate(col(jobRows[0] ?? {}, 'prev_end'));
  const byJob = new Map<string, JobSnapshot>();
  const snapOf = (r: Row): JobSnapshot => {
    const k = key(col(r, 'platform'), col(r, 'scope'), col(r, 'job_id'));
    let snap = byJob.get(k);
    if (!snap) {
      snap = { platform: String(col(r, 'platform')) as Platform, scope: String(col(r, 'scope')), jobId: String(col(r, 'job_id')), job: null, jobBefore: null, finals: [], pendingRetries: [], active: [], successes: [], lastStartedAt: null };
      byJob.set(k, snap);
    }
    return snap;
  };
  for (const r of jobRows) {
    if (col(r, 'job_id') === null || col(r, 'job_id') === undefined) continue; // the cycle row alone: no jobs
    const snap = snapOf(r);
    snap.job = toJob(r);
    snap.jobBefore = jobBefore(r, opts.cycleId, previousCycleEndedAt);
  }
  // Newest first from the window functions; the snapshot wants oldest first / newest last.
  const sorted = [...runRows].sort((a, b) => Number(col(b, 'rn')) - Number(col(a, 'rn')));
  for (const r of sorted) {
    const snap = snapOf(r);
    const part = String(col(r, 'part'));
    if (part === 'last') snap.lastStartedAt = asDate(col(r, 'started_at'));
    else if (part === 'pending') snap.pendingRetries.push(toRun(r));
    else if (part === 'active') snap.active.push(toRun(r));
    else if (part === 'final') {
      const run = toRun(r);
      if (Number(col(r, 'rn')) <= Math.max(1, Math.floor(opts.finals))) snap.finals.push(run);
      if (run.status.category === 'succeeded' && Number(col(r, 'srn')) <= Math.max(1, Math.floor(opts.successes))) snap.successes.push({ runId: run.runId, endedAt: run.endedAt, durationMs: run.durationMs, rowsProcessed: run.rowsProcessed });
    }
  }
  for (const snap of byJob.values()) snap.active.sort((a, b) => (a.startedAt?.getTime() ?? 0) - (b.startedAt?.getTime() ?? 0) || (a.runId < b.runId ? -1 : 1));
  const jobsOut = [...byJob.values()].sort((a, b) => (key(a.platform, a.scope, a.jobId) < key(b.platform, b.scope, b.jobId) ? -1 : 1));
  return { jobs: jobsOut, previousCycleEndedAt };
}
