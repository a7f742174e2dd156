// The semantic store interface that the DuckDB and Snowflake stores share. No raw SQL passes through it:
// callers say what they want stored or read, each store owns its SQL.
import type { Job, Platform, Run, StatusCategory } from '../../normalize/schema.js';

export interface UpsertResult {
  /** Rows written for the first time. */
  inserted: number;
  /** Existing rows replaced by a newer observation. */
  updated: number;
  /** Rows whose incoming observation was not newer (replays, overlap re-reads). */
  unchanged: number;
  /** Rows appended to the status history (a new run, or a run whose status changed). */
  statusChanges: number;
  /** Rows set aside in the quarantine table because their data (not a transient fault) could not be written. */
  quarantined: number;
}

/** How far a (platform, scope) has been collected completely. */
export interface Coverage {
  platform: Platform;
  scope: string;
  /**
   * End of the span known to be collected completely: for a collection that reached "now", the time its first
   * request was sent; for a catch-up chunk, the chunk's end.
   */
  coveredUntil: Date;
  cycleId: string;
  updatedAt: Date;
}

export interface Gap {
  platform: Platform;
  scope: string;
  /** Span that fell out of the vendor's retention before it could be collected. */
  from: Date;
  to: Date;
  cycleId: string;
  recordedAt: Date;
}

export interface CycleRecord {
  cycleId: string;
  startedAt: Date;
  endedAt: Date;
  /** `ok`: every scope complete; `partial`: some scope incomplete or failed; `failed`: nothing stored. */
  outcome: 'ok' | 'partial' | 'failed';
  runsSeen: number;
  runsWritten: number;
  failedRuns: number;
  warnings: number;
  /** The cycle's report, JSON. */
  report: unknown;
  toolVersion: string;
}

export interface RunQuery {
  platform?: Platform;
  scope?: string;
  /** Runs whose start (or, failing that, last-seen) time is at or after this instant. */
  since?: Date;
  categories?: readonly StatusCategory[];
  limit?: number;
}

export interface StatusChange {
  platform: Platform;
  scope: string;
  runId: string;
  category: StatusCategory;
  detail: string | null;
  raw: string;
  observedAt: Date;
  vendorUpdatedAt: Date | null;
  cycleId: string;
}

/** An item set aside: a run the store refused for its data, or a vendor item that failed validation. */
export interface QuarantineItem {
  platform: string;
  scope: string;
  /** The run id, or the vendor item's id (`(none)` when it had none). */
  itemId: string;
  /** Why: the store's or the validator's message. */
  reason: string;
  /** The item as JSON, redacted and bounded, for `pipeline-audit quarantine retry` after an upgrade. */
  payload: string;
  cycleId: string;
  at: Date;
}

export interface Lease {
  holder: string;
  expiresAt: Date;
}

export interface Store {
  readonly kind: 'duckdb' | 'snowflake';
  /** Creates or upgrades the tables (versioned migrations, idempotent). */
  migrate(): Promise<void>;
  /** Throws SchemaVersionError when the schema is behind or ahead of this version. */
  checkSchema(): Promise<number>;
  /** Deduplicates by key, then MERGEs; a newer observation replaces an older one, never the reverse. */
  upsertRuns(runs: readonly Run[]): Promise<UpsertResult>;
  upsertJobs(jobs: readonly Job[]): Promise<UpsertResult>;
  getCoverage(platform: Platform, scope: string): Promise<Coverage | null>;
  recordCoverage(coverage: Coverage): Promise<void>;
  recordGap(gap: Gap): Promise<void>;
  /** Written last in a cycle: the cycle's commit marker. */
  recordCycle(cycle: CycleRecord): Promise<void>;
  lastCycle(): Promise<CycleRecord | null>;
  readRuns(query?: RunQuery): Promise<Run[]>;
  readJobs(platform?: Platform): Promise<Job[]>;
  readStatusHistory(platform: Platform, scope: string, runId: string): Promise<StatusChange[]>;
  countRuns(): Promise<number>;
  /** Sets items aside (they are counted in the report and can be re-processed by `quarantine retry`). */
  quarantineItems(items: readonly QuarantineItem[]): Promise<void>;
  /** The quarantined items, oldest first. */
  readQuarantine(opts?: { limit?: number }): Promise<QuarantineItem[]>;
  /** Removes items from the quarantine (after a retry stored them). */
  releaseQuarantine(items: readonly Pick<QuarantineItem, 'platform' | 'scope' | 'itemId' | 'cycleId'>[]): Promise<void>;
  /** Compare-and-set write lease; resolves false when another holder's lease has not expired. */
  acquireLease(holder: string, ttlMs: number, now: Date): Promise<boolean>;
  releaseLease(holder: string): Promise<void>;
  /** Who holds the lease now, for the message when acquireLease refuses. */
  readLease?(): Promise<Lease | null>;
  close(): Promise<void>;
}
