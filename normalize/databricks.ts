// Databricks Jobs API 2.2: the vendor shapes pipeline-audit reads (small zod schemas naming only the fields used)
// and the pure mapping from a parsed run or job to the common observation. Field names and enum lists come from
// tests/contracts/databricks-jobs-runs.schema.json (databricks-sdk-go service/jobs/model.go @ 1ff3c785).
import { z } from 'zod';
import type { JobObservation, RunObservation, RunStatus, StatusCategory } from './schema.js';
import { headTail, redact } from './redact.js';
import { collapseRepeatedSentences } from './repeats.js';
import { truncate, wellFormed } from './text.js';

// Ids are int64 on the wire. JSON.parse already turned them into numbers (exact below 2^53, which real run ids
// are); a gateway that quotes them is accepted too. Stored as strings either way.
const IdSchema = z.union([z.number().int().nonnegative(), z.string().regex(/^\d{1,20}$/)]).transform(String);
const EpochMs = z.number().int().nonnegative();

const TerminationDetailsSchema = z.object({ code: z.string().nullish(), type: z.string().nullish(), message: z.string().nullish() });
/** `status` (Jobs 2.2): `RunStatus` in the contract. */
export const DatabricksStatusSchema = z.object({
  state: z.string().nullish(),
  termination_details: TerminationDetailsSchema.nullish(),
  queue_details: z.object({ code: z.string().nullish(), message: z.string().nullish() }).nullish(),
});
/** `state` (legacy, deprecated but still returned): `RunState` in the contract. */
export const DatabricksStateSchema = z.object({
  life_cycle_state: z.string().nullish(),
  result_state: z.string().nullish(),
  state_message: z.string().nullish(),
  user_cancelled_or_timedout: z.boolean().nullish(),
});
export type DatabricksStatus = z.infer<typeof DatabricksStatusSchema>;
export type DatabricksState = z.infer<typeof DatabricksStateSchema>;

export const DatabricksTaskSchema = z.object({
  task_key: z.string(),
  run_id: IdSchema.nullish(),
  state: DatabricksStateSchema.nullish(),
  status: DatabricksStatusSchema.nullish(),
  start_time: EpochMs.nullish(),
  end_time: EpochMs.nullish(),
});
export type DatabricksTask = z.infer<typeof DatabricksTaskSchema>;

/**
 * One run as listed by runs/list (`BaseRun`) or read by runs/get (`Run`). Unknown keys are stripped by zod, so
 * parameters (`job_parameters`, `overriding_parameters`), git sources and cluster specs never get past here.
 */
export const DatabricksRunSchema = z.object({
  run_id: IdSchema,
  job_id: IdSchema.nullish(),
  run_name: z.string().nullish(),
  run_type: z.string().nullish(),
  trigger: z.string().nullish(),
  trigger_info: z.object({ run_id: IdSchema.nullish() }).nullish(),
  attempt_number: z.number().int().nonnegative().nullish(),
  original_attempt_run_id: IdSchema.nullish(),
  start_time: EpochMs.nullish(),
  end_time: EpochMs.nullish(),
  run_duration: EpochMs.nullish(),
  queue_duration: EpochMs.nullish(),
  setup_duration: EpochMs.nullish(),
  execution_duration: EpochMs.nullish(),
  cleanup_duration: EpochMs.nullish(),
  state: DatabricksStateSchema.nullish(),
  status: DatabricksStatusSchema.nullish(),
  tasks: z.array(DatabricksTaskSchema).nullish(),
  has_more: z.boolean().nullish(),
  repair_history: z.array(z.object({ type: z.string().nullish(), start_time: EpochMs.nullish(), end_time: EpochMs.nullish() })).nullish(),
  run_page_url: z.string().nullish(),
  cluster_instance: z.object({ cluster_id: z.string().nullish() }).nullish(),
});
export type DatabricksRun = z.infer<typeof DatabricksRunSchema>;

const PauseSchema = z.object({ pause_status: z.string().nullish() }).nullish();
/** One job as listed by jobs/list (`BaseJob`); `settings.parameters` and task definitions are not read. */
export const DatabricksJobSchema = z.object({
  job_id: IdSchema,
  creator_user_name: z.string().nullish(),
  created_time: EpochMs.nullish(),
  settings: z
    .object({
      name: z.string().nullish(),
      schedule: z.object({ quartz_cron_expression: z.string().nullish(), timezone_id: z.string().nullish(), pause_status: z.string().nullish() }).nullish(),
      continuous: PauseSchema,
      trigger: PauseSchema,
      tags: z.record(z.string(), z.string()).nullish(),
      max_concurrent_runs: z.number().int().nullish(),
      timeout_seconds: z.number().int().nullish(),
      format: z.string().nullish(),
    })
    .nullish(),
});
export type DatabricksJob = z.infer<typeof DatabricksJobSchema>;

const status = (category: StatusCategory, detail: string | null, raw: string): RunStatus => ({ category, detail, raw: truncate(wellFormed(raw), 500) });
const lower = (s: string) => s.toLowerCase();

/**
 * Legacy `state.result_state` (RunResultState: SUCCESS, SUCCESS_WITH_FAILURES, FAILED, TIMEDOUT, CANCELED,
 * MAXIMUM_CONCURRENT_RUNS_REACHED, EXCLUDED, UPSTREAM_FAILED, UPSTREAM_CANCELED, DISABLED).
 */
function fromResultState(result: string, raw: string): RunStatus {
  switch (result) {
    case 'SUCCESS':
      return status('succeeded', 'success', raw);
    case 'SUCCESS_WITH_FAILURES':
      // Leaf tasks succeeded but some tasks failed. Counted as a failure on purpose: treating it as success hid
      // broken tasks for dbt-databricks users (databricks/dbt-databricks#1477). The detail keeps it apart.
      return status('failed', 'success_with_failures', raw);
    case 'FAILED':
      return status('failed', 'failed', raw);
    case 'TIMEDOUT':
      // A timeout stopped work that was supposed to finish: a failure, told apart from a cancel by its detail.
      return status('failed', 'timed_out', raw);
    case 'CANCELED':
      // "The run was canceled at user request" (the contract's RunResultState text).
      return status('canceled', 'user_canceled', raw);
    case 'MAXIMUM_CONCURRENT_RUNS_REACHED':
      return status('skipped', 'concurrency_limit', raw);
    case 'EXCLUDED':
      return status('skipped', 'condition_false', raw);
    case 'UPSTREAM_FAILED':
      return status('skipped', 'upstream_failed', raw);
    case 'UPSTREAM_CANCELED':
      return status('skipped', 'upstream_canceled', raw);
    case 'DISABLED':
      return status('skipped', 'disabled', raw);
    default:
      return status('unknown', null, raw);
  }
}

/**
 * Legacy `state.life_cycle_state` (RunLifeCycleState: QUEUED, PENDING, RUNNING, TERMINATING, TERMINATED, SKIPPED,
 * INTERNAL_ERROR, BLOCKED, WAITING_FOR_RETRY).
 */
export function fromLegacyState(state: DatabricksState): RunStatus {
  const life = state.life_cycle_state ?? '';
  const result = state.result_state ?? null;
  const raw = result ? `${life}/${result}` : life;
  switch (life) {
    case 'QUEUED':
      return status('queued', 'queued', raw);
    case 'PENDING':
      return status('queued', 'pending', raw);
    case 'BLOCKED':
      return status('queued', 'blocked', raw);
    case 'RUNNING':
      return status('running', 'running', raw);
    case 'TERMINATING':
      return status('running', 'terminating', raw);
    case 'WAITING_FOR_RETRY':
      // Not terminal: this attempt failed and the job's retry policy will start another run.
      return status('running', 'waiting_for_retry', raw);
    case 'TERMINATED':
      return result ? fromResultState(result, raw) : status('unknown', null, raw);
    case 'SKIPPED':
      // "Aborted because a previous run of the same job was already active" unless the result says otherwise.
      return result && result !== 'MAXIMUM_CONCURRENT_RUNS_REACHED' && fromResultState(result, raw).category === 'skipped'
        ? fromResultState(result, raw)
        : status('skipped', 'concurrency_limit', raw);
    case 'INTERNAL_ERROR':
      return status('failed', 'internal_error', raw);
    default:
      return status('unknown', null, raw);
  }
}

/**
 * `status.termination_details.code` (TerminationCodeCode; the vendor says codes are added over time, and its doc
 * comment already names CLUSTER_TERMINATED_BY_USER, which the Go enum lacks).
 */
function fromTerminationCode(code: string, legacy: DatabricksState | null | undefined, raw: string): RunStatus {
  switch (code) {
    case 'SUCCESS':
      return status('succeeded', 'success', raw);
    case 'SUCCESS_WITH_FAILURES':
      // See fromResultState: deliberately a failure (dbt-databricks#1477), detail kept distinct.
      return status('failed', 'success_with_failures', raw);
    case 'USER_CANCELED':
      return status('canceled', 'user_canceled', raw);
    case 'CANCELED':
      // "Canceled by the Databricks platform, e.g. the maximum run duration was exceeded". The legacy block, when
      // present, says whether that was a timeout.
      return legacy?.result_state === 'TIMEDOUT' ? status('failed', 'timed_out', raw) : status('canceled', 'platform_canceled', raw);
    case 'SKIPPED': {
      const refined = legacy?.result_state ? fromResultState(legacy.result_state, raw) : null;
      return refined?.category === 'skipped' ? refined : status('skipped', 'skipped', raw);
    }
    case 'DISABLED':
      return status('skipped', 'disabled', raw);
    case 'MAX_CONCURRENT_RUNS_EXCEEDED':
      return status('skipped', 'concurrency_limit', raw);
    case 'MAX_JOB_QUEUE_SIZE_EXCEEDED':
      return status('skipped', 'queue_limit', raw);
    case 'INTERNAL_ERROR':
    case 'DRIVER_ERROR':
    case 'CLUSTER_ERROR':
    case 'REPOSITORY_CHECKOUT_FAILED':
    case 'INVALID_CLUSTER_REQUEST':
    case 'WORKSPACE_RUN_LIMIT_EXCEEDED':
    case 'FEATURE_DISABLED':
    case 'CLUSTER_REQUEST_LIMIT_EXCEEDED':
    case 'STORAGE_ACCESS_ERROR':
    case 'RUN_EXECUTION_ERROR':
    case 'UNAUTHORIZED_ERROR':
    case 'LIBRARY_INSTALLATION_ERROR':
    case 'MAX_SPARK_CONTEXTS_EXCEEDED':
    case 'RESOURCE_NOT_FOUND':
    case 'INVALID_RUN_CONFIGURATION':
    case 'CLOUD_FAILURE':
    case 'BREAKING_CHANGE':
    case 'BUDGET_POLICY_LIMIT_EXCEEDED':
    case 'CLUSTER_TERMINATED_BY_USER':
      // A run that timed out can end as an execution error; the legacy block tells.
      return legacy?.result_state === 'TIMEDOUT' ? status('failed', 'timed_out', raw) : status('failed', lower(code), raw);
    default:
      return status('unknown', null, raw);
  }
}

/**
 * Status of a run or task: `status` (Jobs 2.2, RunLifecycleStateV2State: BLOCKED, PENDING, QUEUED, RUNNING,
 * TERMINATING, TERMINATED, WAITING) is read first; the legacy `state` is the fallback, as some payloads carry
 * only one of them (n8n-io/n8n#38787). Raw values: `TERMINATED:RUN_EXECUTION_ERROR` (status) or
 * `TERMINATED/FAILED` (legacy).
 */
export function databricksStatus(s: DatabricksStatus | null | undefined, legacy: DatabricksState | null | undefined): RunStatus {
  if (!s?.state) return legacy?.life_cycle_state ? fromLegacyState(legacy) : status('unknown', null, '');
  const code = s.termination_details?.code ?? null;
  const raw = code ? `${s.state}:${code}` : s.state;
  switch (s.state) {
    case 'QUEUED':
      return status('queued', s.queue_details?.code ? lower(s.queue_details.code) : 'queued', raw);
    case 'PENDING':
      return status('queued', 'pending', raw);
    case 'BLOCKED':
      return status('queued', 'blocked', raw);
    case 'RUNNING':
      return status('running', 'running', raw);
    case 'TERMINATING':
      return status('running', 'terminating', raw);
    case 'WAITING':
      return status('running', 'waiting_for_retry', raw);
    case 'TERMINATED':
      if (code) return fromTerminationCode(code, legacy, raw);
      return legacy?.life_cycle_state ? fromLegacyState(legacy) : status('unknown', null, raw);
    default:
      return status('unknown', null, raw);
  }
}

export interface NormalizeDatabricksOptions {
  /** The scope id (workspace host). */
  scope: string;
  /** Workspace base URL without a trailing slash, for links. */
  baseUrl: string;
  /** Literal secrets of this scope (token, client secret) to scrub from error text. */
  secrets?: readonly string[];
}

const toDate = (ms: number | null | undefined): Date | null => (ms ? new Date(ms) : null);
const cut = (s: string | null | undefined, max: number): string | null => (s == null ? null : truncate(wellFormed(s), max));
const isProblem = (c: StatusCategory) => c === 'failed' || c === 'canceled' || c === 'skipped' || c === 'unknown';

/** Error text: the failed tasks' messages (named by task key), else the run's own message. */
function errorText(run: DatabricksRun, category: StatusCategory): string | null {
  if (!isProblem(category)) return null;
  const taskMessages = (run.tasks ?? [])
    .filter((t) => databricksStatus(t.status, t.state).category === 'failed')
    .sort((a, b) => (a.start_time ?? 0) - (b.start_time ?? 0))
    .map((t) => {
      const msg = t.status?.termination_details?.message || t.state?.state_message;
      return msg ? `[${t.task_key}] ${msg}` : null;
    })
    .filter((m): m is string => m !== null);
  if (taskMessages.length > 0) return taskMessages.join('\n\n');
  return run.status?.termination_details?.message || run.state?.state_message || null;
}

const MAX_RAW_TASKS = 100;

/** The allowlisted extract kept in `raw`: ids, classification, states, task keys and states, durations. */
function rawExtract(run: DatabricksRun, st: RunStatus, tasksComplete: boolean): Record<string, unknown> {
  const tasks = run.tasks ?? [];
  const taskStates = tasks.map((t) => {
    const ts = databricksStatus(t.status, t.state);
    return { key: t.task_key, status: ts.raw, category: ts.category };
  });
  return {
    run_id: run.run_id,
    job_id: run.job_id ?? null,
    run_type: run.run_type ?? null,
    trigger: run.trigger ?? null,
    trigger_run_id: run.trigger_info?.run_id ?? null,
    attempt_number: run.attempt_number ?? 0,
    original_attempt_run_id: run.original_attempt_run_id ?? null,
    state: run.state
      ? { life_cycle_state: run.state.life_cycle_state ?? null, result_state: run.state.result_state ?? null, user_cancelled_or_timedout: run.state.user_cancelled_or_timedout ?? null }
      : null,
    status: run.status
      ? {
          state: run.status.state ?? null,
          termination_code: run.status.termination_details?.code ?? null,
          termination_type: run.status.termination_details?.type ?? null,
          queue_code: run.status.queue_details?.code ?? null,
        }
      : null,
    status_raw: st.raw,
    repair_count: Math.max(0, (run.repair_history ?? []).filter((r) => r.type !== 'ORIGINAL').length),
    task_count: tasks.length,
    tasks_complete: tasksComplete,
    failed_tasks: taskStates.filter((t) => t.category === 'failed').map((t) => t.key).slice(0, 20),
    tasks: taskStates.slice(0, MAX_RAW_TASKS).map((t) => ({ key: t.key, status: t.status })),
    durations: {
      run: run.run_duration ?? null,
      queue: run.queue_duration ?? null,
      setup: run.setup_duration ?? null,
      execution: run.execution_duration ?? null,
      cleanup: run.cleanup_duration ?? null,
    },
    cluster_id: run.cluster_instance?.cluster_id ?? null,
  };
}

/** The latest instant the vendor reports a change at: start, end, or a repair. Orders observations of a run. */
function lastChange(run: DatabricksRun): Date | null {
  let max = Math.max(run.start_time ?? 0, run.end_time ?? 0);
  for (const r of run.repair_history ?? []) max = Math.max(max, r.start_time ?? 0, r.end_time ?? 0);
  return toDate(max);
}

/**
 * Maps one parsed run to a RunObservation. `tasksComplete` is false when the run's task list is known to be
 * truncated (has_more and the rest could not be read).
 */
export function normalizeDatabricksRun(run: DatabricksRun, opts: NormalizeDatabricksOptions, tasksComplete = !run.has_more): RunObservation {
  const st = databricksStatus(run.status, run.state);
  const terminal = st.category !== 'running' && st.category !== 'queued';
  const start = run.start_time ?? null;
  const end = run.end_time ? run.end_time : null; // end_time = 0 while running
  const text = errorText(run, st.category);
  const failed = terminal && st.category !== 'succeeded';
  return {
    platform: 'databricks',
    scope: opts.scope,
    // One-time submit runs have no job; group them under their run name.
    jobId: run.job_id ?? `submit:${truncate(wellFormed(run.run_name ?? 'Untitled'), 900, '')}`,
    jobName: cut(run.run_name, 1000),
    runId: run.run_id,
    attempt: run.attempt_number ?? 0,
    attemptGroup: run.original_attempt_run_id ?? run.run_id,
    isFinalAttempt: st.detail !== 'waiting_for_retry',
    parentRunId: run.trigger_info?.run_id ?? null,
    runType: cut(run.run_type, 100),
    status: { ...st, detail: cut(st.detail, 200) },
    scheduledAt: null,
    startedAt: toDate(start),
    endedAt: toDate(end),
    updatedAt: lastChange(run),
    // Running runs report run_duration 0: no duration until the run has ended.
    durationMs: end === null ? null : (run.run_duration ?? (start && end >= start ? end - start : null)),
    trigger: cut(run.trigger, 100),
    errorCode: failed ? cut(run.status?.termination_details?.code ?? run.state?.result_state ?? null, 200) : null,
    errorClass: failed ? cut(run.status?.termination_details?.type ?? null, 200) : null,
    errorMessage: text ? headTail(redact(collapseRepeatedSentences(text), opts.secrets ?? []), 4000) : null,
    url: cut(run.run_page_url ?? (run.job_id ? `${opts.baseUrl}/jobs/${run.job_id}/runs/${run.run_id}` : null), 2000),
    rowsProcessed: null,
    bytesProcessed: null,
    raw: rawExtract(run, st, tasksComplete),
  };
}

/** Maps one parsed job (jobs/list item) to a JobObservation. */
export function normalizeDatabricksJob(job: DatabricksJob, opts: NormalizeDatabricksOptions): JobObservation {
  const s = job.settings ?? null;
  // A job pauses through whichever trigger it has: its cron schedule, a file/table trigger, or continuous mode.
  const pause = s?.schedule?.pause_status ?? s?.trigger?.pause_status ?? s?.continuous?.pause_status ?? null;
  return {
    platform: 'databricks',
    scope: opts.scope,
    jobId: job.job_id,
    name: cut(s?.name, 1000),
    schedule: cut(s?.schedule?.quartz_cron_expression, 500),
    scheduleTimezone: cut(s?.schedule?.timezone_id, 100),
    paused: pause ? pause === 'PAUSED' : null,
    state: cut(pause, 100),
    owner: cut(job.creator_user_name, 500),
    tags: { ...(s?.tags ?? {}) },
    url: `${opts.baseUrl}/jobs/${job.job_id}`.slice(0, 2000),
    deleted: false,
    raw: {
      job_id: job.job_id,
      created_time: job.created_time ?? null,
      format: s?.format ?? null,
      max_concurrent_runs: s?.max_concurrent_runs ?? null,
      timeout_seconds: s?.timeout_seconds ?? null,
      trigger_kind: s?.schedule ? 'schedule' : s?.trigger ? 'trigger' : s?.continuous ? 'continuous' : 'manual',
    },
  };
}
