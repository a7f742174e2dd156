// The common shape every platform's runs and jobs are normalized to. One zod schema per shape; the TypeScript
// types are inferred from it, so there is one source of truth.
import { z } from 'zod';
import { PLATFORMS, TOOL_VERSION } from './constants.js';

export { PLATFORMS, TOOL_VERSION };

export const SCHEMA_VERSION = 1 as const;

export const PlatformSchema = z.enum(PLATFORMS);
export type Platform = z.infer<typeof PlatformSchema>;

/**
 * Normalized status categories. `unknown` is where a vendor value nobody has mapped yet goes: the raw value is
 * kept and the run is stored, never dropped and never a crash.
 */
export const STATUS_CATEGORIES = ['queued', 'running', 'succeeded', 'failed', 'canceled', 'skipped', 'unknown'] as const;
export const StatusCategorySchema = z.enum(STATUS_CATEGORIES);
export type StatusCategory = z.infer<typeof StatusCategorySchema>;

/** Terminal categories: the run will not change state again (barring a repair). */
export const TERMINAL_CATEGORIES: ReadonlySet<StatusCategory> = new Set(['succeeded', 'failed', 'canceled', 'skipped']);

export const RunStatusSchema = z.object({
  category: StatusCategorySchema,
  /** Keeps distinctions that matter: `timed_out` vs `user_canceled`, `concurrency_limit` vs `condition_false`, ... */
  detail: z.string().max(200).nullable(),
  /** The vendor's value(s) exactly as received, e.g. `TERMINATED/FAILED`. */
  raw: z.string().max(500),
});
export type RunStatus = z.infer<typeof RunStatusSchema>;

const id = z.string().min(1).max(1000);
const text = (max: number) => z.string().max(max).nullable();
const instant = z.date().nullable();
const count = z.number().int().nonnegative().nullable();

/**
 * What a collector observes about one run attempt, after normalization. Ids are strings (int64 ids lose
 * precision as JS numbers). The key is (platform, scope, runId): `runId` is unique per attempt inside a scope
 * (a composite of native ids where the vendor has no single one), and job and run ids repeat across scopes.
 */
export const RunObservationSchema = z.object({
  platform: PlatformSchema,
  /** Workspace, account or environment the run belongs to, e.g. `adb-123.azuredatabricks.net`. */
  scope: id,
  jobId: id,
  jobName: text(1000),
  runId: id,
  /** 0-based attempt number within the attempt group. */
  attempt: z.number().int().nonnegative(),
  /** Runs that are retries of one another share this id (for a first attempt it is its own run id). */
  attemptGroup: id,
  /** False while another attempt may follow (Airbyte `incomplete`, Databricks waiting for retry, ...). */
  isFinalAttempt: z.boolean(),
  /** Parent run or graph id: a Power Automate parent flow run, a Snowflake task graph run, ... */
  parentRunId: text(1000),
  /** Kind of run where the platform has several (Airbyte sync/reset/refresh/clear, Databricks JOB_RUN/SUBMIT_RUN). */
  runType: text(100),
  status: RunStatusSchema,
  scheduledAt: instant,
  startedAt: instant,
  endedAt: instant,
  /** The vendor's own last-update time for the run, when it reports one. Orders observations of one run. */
  updatedAt: instant,
  durationMs: count,
  trigger: text(100),
  errorCode: text(200),
  errorClass: text(200),
  /** Head and tail of the error text, secrets redacted, bounded. */
  errorMessage: text(4000),
  url: text(2000),
  rowsProcessed: count,
  bytesProcessed: count,
  /** An allowlisted, bounded extract of the vendor payload (never parameters or query text). */
  raw: z.record(z.string(), z.unknown()).nullable(),
});
export type RunObservation = z.infer<typeof RunObservationSchema>;

/** A run as stored: the observation plus bookkeeping added by the cycle. */
export const RunSchema = RunObservationSchema.extend({
  schemaVersion: z.literal(SCHEMA_VERSION),
  firstSeenAt: z.date(),
  lastSeenAt: z.date(),
  cycleId: id,
});
export type Run = z.infer<typeof RunSchema>;

/** One job (Databricks job, Airbyte connection, flow, task) as listed by its platform. */
export const JobObservationSchema = z.object({
  platform: PlatformSchema,
  scope: id,
  jobId: id,
  name: text(1000),
  /** Cron/quartz expression or the platform's schedule text; null when the job has no schedule. */
  schedule: text(500),
  /** IANA time zone of the schedule, when the platform says. */
  scheduleTimezone: text(100),
  /** Paused, disabled, suspended, inactive: true; active: false; null when the platform does not say. */
  paused: z.boolean().nullable(),
  /** The platform's own state word (`active`, `locked`, `suspended`, `started`, ...). */
  state: text(100),
  owner: text(500),
  tags: z.record(z.string(), z.string()),
  url: text(2000),
  deleted: z.boolean(),
  raw: z.record(z.string(), z.unknown()).nullable(),
});
export type JobObservation = z.infer<typeof JobObservationSchema>;

export const JobSchema = JobObservationSchema.extend({
  schemaVersion: z.literal(SCHEMA_VERSION),
  firstSeenAt: z.date(),
  lastSeenAt: z.date(),
  cycleId: id,
});
export type Job = z.infer<typeof JobSchema>;

/** Key of a run inside the store. */
export function runKey(r: Pick<RunObservation, 'platform' | 'scope' | 'runId'>): string {
  return `${r.platform}\u0000${r.scope}\u0000${r.runId}`;
}

export function jobKey(j: Pick<JobObservation, 'platform' | 'scope' | 'jobId'>): string {
  return `${j.platform}\u0000${j.scope}\u0000${j.jobId}`;
}
