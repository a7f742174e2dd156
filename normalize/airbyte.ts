// Airbyte public API v1: the vendor shapes pipeline-audit reads (small zod schemas naming only the fields used)
// and the pure mapping from a parsed job or connection to the common observation. Field names and enums come from
// tests/contracts/airbyte-public-api.openapi.yaml (JobResponse, ConnectionResponse) and, for failure reasons,
// airbyte-config-api.openapi.yaml (JobInfoRead → AttemptRead.failureSummary.failures[] → FailureReason), both
// airbytehq/airbyte-platform @ 310e6cb6. Quirks: shared/docs/platform-apis.md §1.
import { z } from 'zod';
import type { JobObservation, RunObservation, RunStatus, StatusCategory } from './schema.js';
import { headTail, redact } from './redact.js';
import { collapseRepeatedSentences } from './repeats.js';
import { truncate, wellFormed } from './text.js';

// jobId is int64 on the wire; JSON.parse made it a number (exact below 2^53, which real ids are). A gateway that
// quotes it is accepted too. Stored as a string either way.
const JobIdSchema = z.union([z.number().int().nonnegative(), z.string().regex(/^\d{1,20}$/)]).transform(String);
const Count = z.number().int().nonnegative();

/** One `JobResponse` (GET /jobs, GET /jobs/{jobId}). */
export const AirbyteJobSchema = z.object({
  jobId: JobIdSchema,
  status: z.string(),
  jobType: z.string().nullish(),
  /** The job's CREATION time (JobResponseMapper: `createdAt`), so it includes time spent queued. */
  startTime: z.string().min(1),
  connectionId: z.string().min(1),
  /** Set only for terminal statuses (failed, cancelled, succeeded). */
  lastUpdatedAt: z.string().nullish(),
  duration: z.string().nullish(),
  bytesSynced: Count.nullish(),
  rowsSynced: Count.nullish(),
});
export type AirbyteJob = z.infer<typeof AirbyteJobSchema>;

const TagSchema = z.object({ tagId: z.string().nullish(), name: z.string() });

/** One `ConnectionResponse` (GET /connections); `configurations` (streams) is not read. */
export const AirbyteConnectionSchema = z.object({
  connectionId: z.string().min(1),
  name: z.string().nullish(),
  workspaceId: z.string().min(1),
  sourceId: z.string().nullish(),
  destinationId: z.string().nullish(),
  status: z.string().nullish(),
  schedule: z
    .object({ scheduleType: z.string().nullish(), cronExpression: z.string().nullish(), basicTiming: z.string().nullish() })
    .nullish(),
  tags: z.array(TagSchema).nullish(),
  createdAt: z.number().nullish(),
});
export type AirbyteConnection = z.infer<typeof AirbyteConnectionSchema>;

/**
 * The three fields kept from a config-API `FailureReason`. zod strips the rest: `internalMessage` and
 * `stacktrace` carry connection strings and credentials and never get past this schema.
 */
export const AirbyteFailureSchema = z.object({
  failureOrigin: z.string().nullish(),
  failureType: z.string().nullish(),
  externalMessage: z.string().nullish(),
});
export type AirbyteFailure = z.infer<typeof AirbyteFailureSchema>;

/** `JobInfoRead` from POST /api/v1/jobs/get(_without_logs), reduced to the attempts' failure summaries. */
export const AirbyteJobInfoSchema = z.object({
  attempts: z.array(
    z.object({
      attempt: z.object({
        failureSummary: z.object({ failures: z.array(AirbyteFailureSchema).nullish() }).nullish(),
      }),
    }),
  ),
});

/** The first failure of the last attempt (the one that decided the job), or null. */
export function lastAttemptFailure(info: z.infer<typeof AirbyteJobInfoSchema>): AirbyteFailure | null {
  const last = info.attempts[info.attempts.length - 1];
  return last?.attempt.failureSummary?.failures?.[0] ?? null;
}

/**
 * Parses Airbyte's timestamps leniently. The server prints Java `OffsetDateTime.toString()`, which drops the
 * seconds when they are zero (`2026-11-23T10:15Z`); `Date.parse` accepts that ISO form, a strict datetime check
 * would not. Anything that is not ISO-shaped is rejected rather than guessed.
 */
export function parseAirbyteTime(value: string | null | undefined): Date | null {
  if (!value) return null;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value.trim())) return null;
  const t = Date.parse(value.trim());
  return Number.isNaN(t) ? null : new Date(t);
}

/** ISO-8601 duration (`PT8H6M12S`, `P1DT2H`, `PT0.5S`) to milliseconds; null when absent, negative or unreadable. */
export function parseIsoDuration(value: string | null | undefined): number | null {
  if (!value) return null;
  const m = /^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(value.trim());
  if (!m || value.trim() === 'P' || value.trim().endsWith('T')) return null;
  const [d, h, min, s] = [m[1], m[2], m[3], m[4]].map((v) => (v ? Number(v) : 0)) as [number, number, number, number];
  return Math.round(((d * 24 + h) * 60 + min) * 60_000 + s * 1000);
}

const status = (category: StatusCategory, detail: string | null, raw: string): RunStatus => ({ category, detail, raw: truncate(wellFormed(raw), 500) });

/** JobStatusEnum (public API and config API `JobStatus`): pending, queued, running, incomplete, failed, succeeded, cancelled. */
export function airbyteStatus(raw: string): RunStatus {
  switch (raw) {
    case 'pending':
      return status('queued', 'pending', raw);
    case 'queued':
      return status('queued', 'queued', raw);
    case 'running':
      return status('running', null, raw);
    case 'incomplete':
      // The last attempt failed and Airbyte may start another: still in flight, not a failure yet.
      return status('running', 'attempt_failed_retrying', raw);
    case 'failed':
      return status('failed', null, raw);
    case 'succeeded':
      return status('succeeded', null, raw);
    case 'cancelled':
      return status('canceled', 'user_canceled', raw);
    default:
      return status('unknown', null, raw);
  }
}

const TERMINAL = new Set(['failed', 'cancelled', 'succeeded']);

export interface NormalizeAirbyteOptions {
  scope: string;
  /** UI base, e.g. https://cloud.airbyte.com. */
  webUrl: string;
  /** Literal secrets to scrub from error text. */
  secrets?: readonly string[];
}

/** What the connection listing says about a job's connection (jobs carry no workspace id). */
export interface ConnectionRef {
  name: string | null;
  workspaceId: string;
}

const cut = (s: string | null | undefined, max: number) => (s == null ? null : truncate(wellFormed(s), max));
const trimSlash = (s: string) => s.replace(/\/+$/, '');

/** Deep link to a job's logs (airbyte-webapp routePaths; the legacy job-history URL redirects here). */
export function airbyteJobUrl(webUrl: string, workspaceId: string, connectionId: string, jobId: string): string {
  const e = encodeURIComponent;
  return `${trimSlash(webUrl)}/workspaces/${e(workspaceId)}/connections/${e(connectionId)}/timeline?jobId=${e(jobId)}&openLogs=true`;
}

/**
 * Maps one parsed job to a RunObservation. An Airbyte job is one observation: its attempts are internal retries
 * the public API does not list, so attempt is 0 and the attempt group is the job itself.
 */
export function normalizeAirbyteJob(
  job: AirbyteJob,
  opts: NormalizeAirbyteOptions,
  connection: ConnectionRef | null,
  failure: AirbyteFailure | null = null,
): RunObservation {
  const st = airbyteStatus(job.status);
  const terminal = TERMINAL.has(job.status);
  // startTime is the job's creation time: it includes queueing, so durations read from it are upper bounds.
  const started = parseAirbyteTime(job.startTime);
  const updated = terminal ? parseAirbyteTime(job.lastUpdatedAt) : null;
  const durationMs = parseIsoDuration(job.duration);
  const ended = terminal ? (updated ?? (started && durationMs !== null ? new Date(started.getTime() + durationMs) : null)) : null;
  const text = failure?.externalMessage ?? null;
  return {
    platform: 'airbyte',
    scope: opts.scope,
    jobId: job.connectionId,
    jobName: cut(connection?.name, 1000),
    runId: job.jobId,
    attempt: 0,
    attemptGroup: job.jobId,
    isFinalAttempt: job.status !== 'incomplete',
    parentRunId: null,
    // sync, reset, refresh and clear kept apart: a reset is not a failed sync.
    runType: cut(job.jobType, 100),
    status: st,
    scheduledAt: null,
    startedAt: started,
    endedAt: ended,
    updatedAt: updated,
    durationMs,
    trigger: null,
    errorCode: cut(failure?.failureOrigin, 200),
    errorClass: cut(failure?.failureType, 200),
    errorMessage: text ? headTail(redact(collapseRepeatedSentences(text), opts.secrets ?? []), 4000) : null,
    url: connection ? cut(airbyteJobUrl(opts.webUrl, connection.workspaceId, job.connectionId, job.jobId), 2000) : null,
    rowsProcessed: job.rowsSynced ?? null,
    bytesProcessed: job.bytesSynced ?? null,
    raw: {
      jobId: job.jobId,
      status: job.status,
      jobType: job.jobType ?? null,
      startTime: job.startTime,
      startTimeIsCreation: true,
      lastUpdatedAt: job.lastUpdatedAt ?? null,
      duration: job.duration ?? null,
      workspaceId: connection?.workspaceId ?? null,
      failureOrigin: failure?.failureOrigin ?? null,
      failureType: failure?.failureType ?? null,
    },
  };
}

/** A connection's schedule as text: the cron expression, the basic timing (`Every 24 HOURS`), null when manual. */
function scheduleText(c: AirbyteConnection): string | null {
  const s = c.schedule;
  switch (s?.scheduleType) {
    case 'cron':
      return s.cronExpression ?? null;
    case 'basic':
      return s.basicTiming ?? null;
    default:
      return null; // manual, absent or a type added later: no schedule pipeline-audit can read
  }
}

/**
 * Maps one connection (ConnectionStatusEnum: active, inactive, deprecated, locked) to a JobObservation. Airbyte
 * deletes a connection by marking it `deprecated`; `includeDeleted=true` is what returns those.
 */
export function normalizeAirbyteConnection(c: AirbyteConnection, opts: NormalizeAirbyteOptions): JobObservation {
  const state = c.status ?? null;
  const tags: Record<string, string> = {};
  // Airbyte tags are labels without values: each becomes a key with an empty value.
  for (const t of c.tags ?? []) tags[truncate(wellFormed(t.name), 200)] = '';
  const e = encodeURIComponent;
  return {
    platform: 'airbyte',
    scope: opts.scope,
    jobId: c.connectionId,
    name: cut(c.name, 1000),
    schedule: cut(scheduleText(c), 500),
    scheduleTimezone: null,
    paused: state === null ? null : state !== 'active',
    state: cut(state, 100),
    owner: null,
    tags,
    url: cut(`${trimSlash(opts.webUrl)}/workspaces/${e(c.workspaceId)}/connections/${e(c.connectionId)}/status`, 2000),
    deleted: state === 'deprecated',
    raw: {
      workspaceId: c.workspaceId,
      sourceId: c.sourceId ?? null,
      destinationId: c.destinationId ?? null,
      scheduleType: c.schedule?.scheduleType ?? null,
      createdAt: c.createdAt ?? null,
    },
  };
}
