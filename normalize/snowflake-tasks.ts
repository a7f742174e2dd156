// Snowflake task runs, as INFORMATION_SCHEMA.TASK_HISTORY returns them, normalized. Pure functions.
// Columns and states: tests/contracts/snowflake-task-history.columns.json (docs: functions/task_history).
import { z } from 'zod';
import { headTail, redact } from './redact.js';
import { collapseRepeatedSentences } from './repeats.js';
import type { JobObservation, RunObservation, RunStatus } from './schema.js';

const when = z.preprocess((v) => (v instanceof Date ? new Date(v.getTime()) : typeof v === 'string' ? new Date(v) : v), z.date()).nullish();

/** The columns read; never QUERY_TEXT or CONDITION_TEXT (they can carry credentials). */
export const TASK_HISTORY_COLUMNS = 'QUERY_ID, NAME, DATABASE_NAME, SCHEMA_NAME, STATE, ERROR_CODE, ERROR_MESSAGE, SCHEDULED_TIME, QUERY_START_TIME, COMPLETED_TIME, ROOT_TASK_ID, GRAPH_VERSION, RUN_ID, SCHEDULED_FROM, ATTEMPT_NUMBER, GRAPH_RUN_GROUP_ID';

export const TaskRunSchema = z.object({
  QUERY_ID: z.string().nullish(),
  NAME: z.string().min(1),
  DATABASE_NAME: z.string().nullish(),
  SCHEMA_NAME: z.string().nullish(),
  STATE: z.string(),
  ERROR_CODE: z.union([z.number(), z.string()]).nullish(),
  ERROR_MESSAGE: z.string().nullish(),
  SCHEDULED_TIME: when,
  QUERY_START_TIME: when,
  COMPLETED_TIME: when,
  ROOT_TASK_ID: z.string().nullish(),
  GRAPH_VERSION: z.number().nullish(),
  RUN_ID: z.union([z.number(), z.string()]).nullish(),
  SCHEDULED_FROM: z.string().nullish(),
  ATTEMPT_NUMBER: z.number().int().nullish(),
  GRAPH_RUN_GROUP_ID: z.string().nullish(),
});
export type TaskRun = z.infer<typeof TaskRunSchema>;

/** STATE: SCHEDULED, EXECUTING, SUCCEEDED, FAILED, FAILED_AND_AUTO_SUSPENDED, CANCELLED, SKIPPED. Timeouts are FAILED. */
export function taskStatus(state: string): RunStatus {
  switch (state.toUpperCase()) {
    case 'SCHEDULED':
      return { category: 'queued', detail: null, raw: state };
    case 'EXECUTING':
      return { category: 'running', detail: null, raw: state };
    case 'SUCCEEDED':
      return { category: 'succeeded', detail: null, raw: state };
    case 'FAILED':
      return { category: 'failed', detail: null, raw: state };
    case 'FAILED_AND_AUTO_SUSPENDED':
      // Every later run of the task is gone until someone resumes it.
      return { category: 'failed', detail: 'auto_suspended', raw: state };
    case 'CANCELLED':
      return { category: 'canceled', detail: null, raw: state };
    case 'SKIPPED':
      // The WHEN condition was false: not a failure.
      return { category: 'skipped', detail: 'condition_false', raw: state };
    default:
      return { category: 'unknown', detail: null, raw: state.slice(0, 500) };
  }
}

export const taskFqn = (r: Pick<TaskRun, 'DATABASE_NAME' | 'SCHEMA_NAME' | 'NAME'>) => `${r.DATABASE_NAME ?? '?'}.${r.SCHEMA_NAME ?? '?'}.${r.NAME}`;

/** Snowsight's query page, when the account is written `<org>-<account>` and the run has a query. */
export function snowsightUrl(account: string, queryId: string | null | undefined): string | null {
  const m = /^([a-z0-9_]+)-([a-z0-9_]+)$/i.exec(account);
  if (!m || !queryId) return null;
  return `https://app.snowflake.com/${m[1]!.toLowerCase()}/${m[2]!.toLowerCase()}/#/compute/history/queries/${encodeURIComponent(queryId)}/detail`;
}

export function normalizeTaskRun(r: TaskRun, o: { scope: string; account: string; finalAttempt: boolean; secrets?: readonly string[] }): RunObservation {
  const fqn = taskFqn(r);
  const attempt = Math.max(1, r.ATTEMPT_NUMBER ?? 1);
  const group = r.GRAPH_RUN_GROUP_ID ?? `${r.RUN_ID ?? r.SCHEDULED_TIME?.getTime() ?? 'unscheduled'}`;
  const status = taskStatus(r.STATE);
  const started = r.QUERY_START_TIME ?? null;
  const ended = r.COMPLETED_TIME ?? null;
  return {
    platform: 'snowflake',
    scope: o.scope,
    jobId: fqn,
    jobName: fqn,
    // RUN_ID repeats across retries of one scheduled slot: the attempt is part of the key.
    runId: `${group}:${fqn}:${attempt}`,
    attempt: attempt - 1,
    attemptGroup: `${group}:${fqn}`,
    isFinalAttempt: o.finalAttempt && status.category !== 'queued' && status.category !== 'running',
    parentRunId: r.GRAPH_RUN_GROUP_ID ?? null,
    runType: 'task',
    status,
    scheduledAt: r.SCHEDULED_TIME ?? null,
    startedAt: started,
    endedAt: ended,
    updatedAt: null,
    durationMs: started && ended && ended >= started ? ended.getTime() - started.getTime() : null,
    trigger: r.SCHEDULED_FROM ?? null,
    errorCode: r.ERROR_CODE == null ? null : String(r.ERROR_CODE),
    errorClass: null,
    errorMessage: r.ERROR_MESSAGE ? headTail(redact(collapseRepeatedSentences(r.ERROR_MESSAGE), o.secrets ?? []), 4000) : null,
    url: snowsightUrl(o.account, r.QUERY_ID),
    rowsProcessed: null,
    bytesProcessed: null,
    raw: { query_id: r.QUERY_ID ?? null, run_id: r.RUN_ID == null ? null : String(r.RUN_ID), root_task_id: r.ROOT_TASK_ID ?? null, graph_version: r.GRAPH_VERSION ?? null, attempt_number: attempt },
  };
}

export const ShowTaskSchema = z.object({
  name: z.string().min(1),
  database_name: z.string(),
  schema_name: z.string(),
  id: z.string().nullish(),
  owner: z.string().nullish(),
  warehouse: z.string().nullish(),
  schedule: z.string().nullish(),
  state: z.string().nullish(),
  predecessors: z.string().nullish(),
});
export type ShowTask = z.infer<typeof ShowTaskSchema>;

/** A SHOW TASKS row. Never the definition or condition text: they can carry credentials. */
export function normalizeTask(t: ShowTask, o: { scope: string }): JobObservation {
  const fqn = `${t.database_name}.${t.schema_name}.${t.name}`;
  const state = t.state?.toLowerCase() ?? null;
  const schedule = t.schedule ?? null;
  const tz = schedule ? (/^USING CRON \S+ \S+ \S+ \S+ \S+ (\S+)$/i.exec(schedule)?.[1] ?? null) : null;
  return {
    platform: 'snowflake',
    scope: o.scope,
    jobId: fqn,
    name: fqn,
    schedule,
    scheduleTimezone: tz,
    paused: state === null ? null : state === 'suspended',
    state,
    owner: t.owner ?? null,
    tags: {},
    url: null,
    deleted: false,
    raw: { id: t.id ?? null, warehouse: t.warehouse ?? null, predecessors: t.predecessors ?? null },
  };
}
