// What the assessment reads from the store: per job a bounded window of runs (never all history), the jobs as
// listed, silences and the delivery ledger. Plain data, defined here beneath the stages so the store fills exactly
// the shape `summarize/assess` reads, without either stage importing the other.
import type { Severity } from './incident.js';
import type { JobObservation, Platform, RunObservation } from './schema.js';

/** The fields of a stored run the rules read (a full `Run` fits). */
export type AssessRun = Pick<
  RunObservation,
  'runId' | 'jobName' | 'attempt' | 'attemptGroup' | 'isFinalAttempt' | 'status' | 'scheduledAt' | 'startedAt' | 'endedAt' | 'durationMs' | 'errorClass' | 'errorCode' | 'errorMessage' | 'url' | 'rowsProcessed'
>;

/** The fields of a stored job the rules read (a full `Job` fits). */
export type AssessJob = Pick<JobObservation, 'name' | 'schedule' | 'scheduleTimezone' | 'paused' | 'state' | 'tags' | 'url' | 'deleted'> & {
  /** When the store first saw the job; a job younger than a schedule slot cannot have missed it. */
  firstSeenAt?: Date | null;
};

/** A successful final attempt, for the duration baseline and the zero-output rule. */
export interface SuccessSample {
  runId: string;
  endedAt: Date | null;
  durationMs: number | null;
  /** null where the platform does not report rows. */
  rowsProcessed: number | null;
}

/** Bounds the store should read (newest rows); the rules need no more. */
export const SNAPSHOT_LIMITS = { finals: 20, successes: 20 } as const;

export interface JobSnapshot {
  platform: Platform;
  scope: string;
  jobId: string;
  /** The job as listed by its platform, or null when only its runs are known. */
  job: AssessJob | null;
  /**
   * The job's paused/state as the store knew it before this cycle's upsert (null: unknown, e.g. first sight).
   * The suspended rule reports a change, so it needs the state before.
   */
  jobBefore: Pick<JobObservation, 'paused' | 'state'> | null;
  /** Final attempts, oldest first / newest last, at most SNAPSHOT_LIMITS.finals (every category). */
  finals: AssessRun[];
  /**
   * Failed attempts that are not final and whose attempt group has no final attempt yet (a retry may still come):
   * Databricks waiting for retry, Airbyte `incomplete`, a Snowflake task with retries left. Newest last.
   */
  pendingRetries: AssessRun[];
  /** Runs queued or running now (status category `queued` or `running`). */
  active: AssessRun[];
  /** The last successful final attempts, oldest first / newest last, at most SNAPSHOT_LIMITS.successes. */
  successes: SuccessSample[];
  /** Start (or scheduled time) of the job's latest run of any kind; null when it never ran. */
  lastStartedAt: Date | null;
}

export interface AssessSnapshot {
  /** Every known job of every scope read (also the ones without recent runs: the outage share counts them). */
  jobs: JobSnapshot[];
  /** End of the previous audit cycle (from the cycle rows), null when this is the first. */
  previousCycleEndedAt: Date | null;
}

/** A silence or acknowledgement window from the store. */
export interface Silence {
  /** An incident fingerprint, an incident id, or a glob on job name/id. */
  match: string;
  until: Date;
  author: string;
  reason: string;
}

/**
 * What delivery last sent for a fingerprint (delivery owns it): `open` after a new/changed/reminder/flapping/blind
 * spot notice, `resolved` after a recovery notice. The plan compares against it, so a re-run never repeats a notice
 * that was sent.
 */
export interface LedgerEntry {
  lastState: 'open' | 'resolved';
  at: Date;
  severity: Severity;
  errorClass: string | null;
  /** The team the entry was told to (the store keeps one entry per fingerprint and team). */
  team?: string;
}
export type Ledger = Readonly<Record<string, LedgerEntry>>;
