// Snowflake Tasks, through SQL on the monitored account's own connection (platform-apis.md §4):
// - INFORMATION_SCHEMA.TASK_HISTORY keeps 7 days, filters on SCHEDULED time and has no paging: RESULT_LIMIT
//   (at most 10,000) keeps the newest rows, so a full answer means the window is split in halves and read again.
// - TASK_HISTORY covers the whole account through any database's INFORMATION_SCHEMA: one read per window, kept to
//   the monitored databases and schemas (identifiers.ts resolves their names as Snowflake does).
// - Run ids repeat across retries of one scheduled slot: the key is graph run group, task and attempt.
// - Query and condition text are never read: they can carry credentials.
import { z } from 'zod';
import type { JobObservation, RunObservation } from '../../normalize/schema.js';
import { normalizeTask, normalizeTaskRun, ShowTaskSchema, TASK_HISTORY_COLUMNS, taskFqn, TaskRunSchema, type TaskRun } from '../../normalize/snowflake-tasks.js';
import { openSnowflake, type SnowflakeSession } from '../../connect/snowflake.js';
import { parseItems } from '../parse.js';
import { describeMonitoredDatabases, isMonitored, monitoredCondition, monitoredDatabasesSchema, quoteIdentifier } from './identifiers.js';
import type { CheckResult, Collector, CollectContext, EmitRuns, TimeWindow } from '../types.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const RESULT_LIMIT = 10_000;
const MAX_SPLITS = 8; // 2^8 sub-windows at most per window

export const snowflakeTasksScopeSchema = z.object({
  connection: z
    .object({
      account: z.string().min(1, 'is required'),
      username: z.string().min(1, 'is required'),
      password: z.string().optional(),
      privateKey: z.string().optional(),
      privateKeyPath: z.string().optional(),
      privateKeyPassphrase: z.string().optional(),
      authenticator: z.string().optional(),
      role: z.string().optional(),
      warehouse: z.string().optional(),
      accessUrl: z.string().optional(),
      loginRetries: z.number().int().nonnegative().optional(),
    })
    .refine((c) => c.password || c.privateKey || c.privateKeyPath, { message: 'needs a key pair (SNOWFLAKE_PRIVATE_KEY_PATH or SNOWFLAKE_PRIVATE_KEY) or a password' }),
  /** `ETL`, `ETL.PUBLIC`, `"MixedCase"` or `{ name, schemas }`; resolved as Snowflake resolves identifiers. */
  databases: monitoredDatabasesSchema,
  /** How far before the window the history is read: a task that started earlier may end inside it. Default 6 h. */
  longestRunMs: z.number().int().positive().optional(),
  /** RESULT_LIMIT of each TASK_HISTORY read: Snowflake's maximum, 10,000, unless lowered (small, fast tests of the halving). */
  historyRowLimit: z.number().int().min(1).max(RESULT_LIMIT).optional(),
  name: z.string().optional(),
});
export type SnowflakeTasksScope = z.infer<typeof snowflakeTasksScopeSchema>;
/** The scope as written, before names are resolved. */
export type SnowflakeTasksScopeInput = z.input<typeof snowflakeTasksScopeSchema>;
type Ctx = CollectContext<SnowflakeTasksScope>;

// The cycle's time limit (ctx.signal) stops a statement in flight too: the driver would otherwise retry through an
// outage far beyond it.
const open = (ctx: Ctx) => openSnowflake(ctx.scope.connection, { queryTag: 'pipeline-audit tasks', signal: ctx.signal });

/**
 * TASK_HISTORY answers for the whole account whichever database's INFORMATION_SCHEMA it is called through (docs:
 * functions/task_history, "for your entire Snowflake account"), so it is read once per window through the first
 * monitored database, and only rows of monitored databases and schemas come back. RESULT_LIMIT is applied before
 * any outer WHERE, so the filter is a flag beside each row and the function's own row count comes back too: a full
 * answer is detected even when none of its rows is monitored.
 */
function historySql(scope: SnowflakeTasksScope): { sql: string; binds: string[] } {
  const cond = monitoredCondition(scope.databases);
  const via = quoteIdentifier(scope.databases[0]!.name);
  const sql =
    `SELECT * FROM (SELECT ${TASK_HISTORY_COLUMNS}, (${cond.sql}) AS MONITORED, COUNT(*) OVER () AS HISTORY_ROWS, ` +
    `COUNT(CASE WHEN DATABASE_NAME IS NULL THEN 1 END) OVER () AS UNNAMED_ROWS, ROW_NUMBER() OVER (ORDER BY SCHEDULED_TIME DESC) AS ROW_NO ` +
    `FROM TABLE(${via}.INFORMATION_SCHEMA.TASK_HISTORY(SCHEDULED_TIME_RANGE_START => TO_TIMESTAMP_LTZ(?), SCHEDULED_TIME_RANGE_END => TO_TIMESTAMP_LTZ(?), RESULT_LIMIT => ${scope.historyRowLimit ?? RESULT_LIMIT}))) ` +
    `WHERE MONITORED OR ROW_NO = 1`;
  return { sql, binds: cond.binds };
}

const Counts = z.object({ MONITORED: z.boolean().nullish(), HISTORY_ROWS: z.coerce.number(), UNNAMED_ROWS: z.coerce.number() });

interface HistoryRead {
  rows: unknown[];
  /** Rows in the window whose database the role cannot see (no USAGE on it): not attributable. */
  unnamed: number;
}

async function history(ctx: Ctx, s: SnowflakeSession, from: Date, to: Date, depth = 0): Promise<HistoryRead> {
  // TASK_HISTORY table function: https://docs.snowflake.com/en/sql-reference/functions/task_history (values bound)
  const q = historySql(ctx.scope); // the flag's names come first in the text, so first in the binds
  const answer = await s.query(q.sql, [...q.binds, from.toISOString(), to.toISOString()]);
  const counts = Counts.safeParse(answer[0]);
  const total = counts.success ? counts.data.HISTORY_ROWS : 0;
  const rows = answer.filter((r) => Counts.safeParse(r).data?.MONITORED === true);
  const read = { rows, unnamed: counts.success ? counts.data.UNNAMED_ROWS : 0 };
  const limit = ctx.scope.historyRowLimit ?? RESULT_LIMIT;
  if (total < limit) return read;
  if (depth >= MAX_SPLITS || to.getTime() - from.getTime() < 2) {
    ctx.incomplete(`snowflake task history: still ${limit} rows after ${depth} splits of the window; older rows of ${from.toISOString()}..${to.toISOString()} were not read`);
    return read;
  }
  // A full answer holds only the newest rows of the window: read each half again.
  const mid = new Date(Math.floor((from.getTime() + to.getTime()) / 2));
  const [a, b] = await Promise.all([history(ctx, s, from, mid, depth + 1), history(ctx, s, new Date(mid.getTime() + 1), to, depth + 1)]);
  return { rows: [...a.rows, ...b.rows], unnamed: a.unnamed + b.unnamed };
}

/** Runs handed over at a time: TASK_HISTORY has no paging, its answers (at most RESULT_LIMIT rows each) are read whole. */
const EMIT_BATCH = 1_000;

async function collectRuns(ctx: Ctx, window: TimeWindow, emit: EmitRuns): Promise<void> {
  const reach = window.continuation ? 0 : (ctx.scope.longestRunMs ?? 6 * HOUR);
  // The function refuses a start older than 7 days; what lies before it is the cycle's recorded gap.
  const oldest = new Date(ctx.now().getTime() - 7 * DAY + 60_000);
  const from = new Date(Math.max(window.start.getTime() - reach, oldest.getTime()));
  const s = await open(ctx);
  try {
    const read = await history(ctx, s, from, window.end);
    if (read.unnamed > 0) {
      ctx.warn({ code: 'unnamed-task-runs', message: `${read.unnamed} task runs in the account's history came without a database name (the role lacks USAGE on their database or schema) and cannot be attributed; grant USAGE if they belong to ${describeMonitoredDatabases(ctx.scope.databases)}` });
    }
    const runs = parseItems<TaskRun>(ctx, TaskRunSchema, read.rows, 'QUERY_ID', 'task run');
    // The newest attempt of a slot is its final one; an earlier attempt was followed by a retry.
    const newest = new Map<string, number>();
    for (const r of runs) {
      const g = `${r.GRAPH_RUN_GROUP_ID}:${taskFqn(r)}`;
      newest.set(g, Math.max(newest.get(g) ?? 0, r.ATTEMPT_NUMBER ?? 1));
    }
    // A slot's attempts are told apart only with every row of the window at hand, so the window is read whole (its
    // size is bounded by the vendor: 7 days, RESULT_LIMIT rows an answer) and handed over in batches.
    const seen = new Set<string>();
    let out: RunObservation[] = [];
    for (const r of runs) {
      const obs = normalizeTaskRun(r, {
        scope: ctx.scopeId,
        account: ctx.scope.connection.account,
        finalAttempt: (r.ATTEMPT_NUMBER ?? 1) >= (newest.get(`${r.GRAPH_RUN_GROUP_ID}:${taskFqn(r)}`) ?? 1),
        secrets: [ctx.scope.connection.password ?? ''],
      });
      if (seen.has(obs.runId)) continue; // split windows meet at their edges
      seen.add(obs.runId);
      if (obs.status.category === 'unknown') ctx.warn({ code: 'unknown-status', itemId: obs.runId, message: `task state '${obs.status.raw}' is not one pipeline-audit knows; stored as unknown` });
      out.push(obs);
      if (out.length >= EMIT_BATCH) {
        await emit(out);
        out = [];
      }
    }
    if (out.length > 0) await emit(out);
  } finally {
    await s.close();
  }
}

/**
 * SHOW TASKS once per monitored database (SHOW lists only what the role has a privilege on; IN DATABASE keeps the
 * answer to that database). Schemas are filtered by the caller. https://docs.snowflake.com/en/sql-reference/sql/show-tasks
 */
async function showTasks(ctx: Ctx, s: SnowflakeSession): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const db of ctx.scope.databases) out.push(...(await s.query(`SHOW TASKS IN DATABASE ${quoteIdentifier(db.name)}`)));
  return out;
}

async function listJobs(ctx: Ctx): Promise<JobObservation[]> {
  const s = await open(ctx);
  try {
    const out: JobObservation[] = [];
    for (const t of parseItems(ctx, ShowTaskSchema, await showTasks(ctx, s), 'name', 'task')) {
      if (isMonitored(ctx.scope.databases, t.database_name, t.schema_name)) out.push(normalizeTask(t, { scope: ctx.scopeId }));
    }
    return out;
  } finally {
    await s.close();
  }
}

async function check(ctx: Ctx): Promise<CheckResult> {
  let s: SnowflakeSession | undefined;
  try {
    s = await open(ctx);
    const dbs = ctx.scope.databases;
    const tasks = (await showTasks(ctx, s)).filter((t) => {
      const r = ShowTaskSchema.safeParse(t);
      return r.success && isMonitored(dbs, r.data.database_name, r.data.schema_name);
    }).length;
    await s.query(`SELECT ${TASK_HISTORY_COLUMNS} FROM TABLE(${quoteIdentifier(dbs[0]!.name)}.INFORMATION_SCHEMA.TASK_HISTORY(RESULT_LIMIT => 1))`);
    return { ok: true, message: `login ok, task history readable, ${tasks} tasks visible in ${describeMonitoredDatabases(dbs)}`, jobsVisible: tasks };
  } catch (e) {
    const msg = (e as Error).message;
    const fix = /390100|390144|394304|login/i.test(msg)
      ? 'check SNOWFLAKE_TASKS_ACCOUNT/USER and the key pair (the user needs RSA_PUBLIC_KEY set; DESC USER shows its fingerprint)'
      : /002003|does not exist|not authorized/i.test(msg)
        ? 'grant USAGE on the databases and schemas, and MONITOR EXECUTION (or MONITOR on each task) to the role'
        : 'check the account, role and warehouse';
    return { ok: false, message: msg, fix };
  } finally {
    await s?.close();
  }
}

export const snowflakeTasksCollector: Collector<SnowflakeTasksScope> = {
  platform: 'snowflake',
  title: 'Snowflake Tasks',
  scopeSchema: snowflakeTasksScopeSchema,
  scopeId: (s) => s.connection.account.toLowerCase(),
  retentionMs: 7 * DAY,
  overlapMs: 15 * 60_000,
  maxChunkMs: DAY,
  concurrency: 2,
  listJobs,
  collectRuns,
  check,
};

