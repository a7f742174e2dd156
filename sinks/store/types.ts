// The semantic store interface that the DuckDB and Snowflake stores share. No raw SQL passes through it:
// callers say what they want stored or read, each store owns its SQL.
import type { AssessSnapshot, Ledger, LedgerEntry, Silence } from '../../normalize/assessment.js';
import type { Incident, IncidentEvent, Severity } from '../../normalize/incident.js';
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

export interface Store extends AssessStore {
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
  /**
   * A cycle's first step: checkSchema (SchemaVersionError, thrown before anything is written), then acquireLease.
   * One round trip fewer where the store can: Snowflake's lease MERGE writes only at this schema version and its
   * read-back carries the version.
   */
  beginCycle(holder: string, ttlMs: number, now: Date): Promise<boolean>;
  /** Compare-and-set write lease; resolves false when another holder's lease has not expired. */
  acquireLease(holder: string, ttlMs: number, now: Date): Promise<boolean>;
  releaseLease(holder: string): Promise<void>;
  /** Who holds the lease now, for the message when acquireLease refuses. */
  readLease?(): Promise<Lease | null>;
  close(): Promise<void>;
}

// ---- Assessment and delivery (issues 9 and 10): what the store reads for `assess` and keeps of its output. ----

/** A (platform, scope) the snapshot covers. */
export interface ScopeRef {
  platform: Platform;
  scope: string;
}

export interface SnapshotOptions {
  now: Date;
  /** Newest final attempts per job (SNAPSHOT_LIMITS.finals). */
  finals: number;
  /** Newest successful final attempts per job (SNAPSHOT_LIMITS.successes). */
  successes: number;
  /**
   * The cycle whose job upsert `jobBefore` is relative to: a job whose paused/state changed in this cycle's upsert
   * reports the state before it; re-reading in a re-run of the same cycle gives the same answer.
   */
  cycleId: string;
  /** How far back runs are read (default 60 days): the bound that keeps the read from scanning all history. */
  lookbackDays?: number;
}

export interface IncidentQuery {
  /** Resolved incidents too (default: open only). */
  all?: boolean;
  /** Glob on job id or name (`*`, `?`, case-insensitive). */
  jobGlob?: string;
  limit: number;
}

/** A silence as stored: `match` is an incident id, a fingerprint or a job glob. */
export interface StoredSilence extends Silence {
  id: string;
  createdAt: Date;
}

export interface DeliveryClaim {
  team: string;
  cycleId: string;
  /** Deterministic (team, cycle, content hash): the receiving side dedupes a resend by it. */
  messageId: string;
  contentHash: string;
  claimedAt: Date;
}

/** A notice the confirmed message carried: the ledger entry of its fingerprint becomes this. */
export interface DeliveredNotice {
  fingerprint: string;
  state: LedgerEntry['lastState'];
  severity: Severity;
  errorClass: string | null;
}

export interface DeliveryConfirmation {
  messageId: string;
  /** The team the message was claimed for: the confirmation refuses another (the ledger is the claim's team's). */
  team: string;
  /** The transport's id for the message (SMTP message id, Graph request id). */
  transportId: string | null;
  /** The transport's answer, short (never a secret). */
  response: string | null;
  sentAt: Date;
  notices: readonly DeliveredNotice[];
}

export interface DeliveryFailure {
  messageId: string;
  error: string;
  retryable: boolean;
}

export interface Delivery {
  messageId: string;
  team: string;
  cycleId: string;
  contentHash: string;
  status: 'sending' | 'sent' | 'failed';
  transportId: string | null;
  response: string | null;
  error: string | null;
  retryable: boolean | null;
  claimedAt: Date;
  sentAt: Date | null;
}

export interface Narrative {
  factsHash: string;
  /** The model's structured answer, JSON text. */
  json: string;
  at: Date;
}

/** What one assessment reads (readAssessmentInputs): each part as its separate read would answer it. */
export interface AssessmentInputs {
  snapshot: AssessSnapshot;
  /** As readOpenIncidents(). */
  open: Incident[];
  /** As readSilences(opts.now). */
  silences: StoredSilence[];
  /** As readLedger(): per fingerprint every team's latest entry. */
  ledger: Ledger;
}

/**
 * The semantic methods for assessment and delivery, on every store. Each runs in one statement or one transaction;
 * re-running a cycle's writes is idempotent.
 */
export interface AssessStore {
  /**
   * Read after this cycle's upsertRuns/upsertJobs (jobBefore comes from the change the upsert recorded). Bounded:
   * runs started (or last seen) within `lookbackDays`, newest N per job. `'all'` reads every stored scope.
   */
  readAssessmentSnapshot(scopes: readonly ScopeRef[] | 'all', opts: SnapshotOptions): Promise<AssessSnapshot>;
  /** The snapshot, the open incidents, the silences in force at `opts.now` and the ledger, in one statement. */
  readAssessmentInputs(scopes: readonly ScopeRef[] | 'all', opts: SnapshotOptions): Promise<AssessmentInputs>;
  readOpenIncidents(): Promise<Incident[]>;
  /** Upserts incidents by id and appends events once per (incident, cycle, type), in one transaction. */
  writeIncidents(incidents: readonly Incident[], events: readonly IncidentEvent[]): Promise<void>;
  /** Newest first (last update). */
  readIncidents(query: IncidentQuery): Promise<Incident[]>;
  /** Oldest first. */
  readIncidentEvents(incidentId: string): Promise<IncidentEvent[]>;
  addSilence(silence: StoredSilence): Promise<void>;
  /** Removes silences by id or by their exact match text; resolves the number removed. */
  removeSilence(idOrMatch: string): Promise<number>;
  /** Silences still in force at `now`. */
  readSilences(now: Date): Promise<StoredSilence[]>;
  /** Sets `acknowledged` and appends an `acknowledged` event; false when no such incident. */
  acknowledge(incidentId: string, author: string, at: Date, cycleId?: string): Promise<boolean>;
  /** Per fingerprint, what was last told (of the given team, or every team's latest). */
  readLedger(team?: string): Promise<Ledger>;
  /** Marks the message `sending`; false when a delivery with this message id is already `sent`. */
  claimDelivery(claim: DeliveryClaim): Promise<boolean>;
  /**
   * Marks the message `sent` and updates the ledger for its notices, in one transaction; throws when no delivery
   * with this message id was claimed for this team.
   */
  confirmDelivery(confirmation: DeliveryConfirmation): Promise<void>;
  failDelivery(failure: DeliveryFailure): Promise<void>;
  /** Deliveries left `sending` (the process died mid-send), oldest first. */
  readPendingDeliveries(): Promise<Delivery[]>;
  readNarrative(factsHash: string): Promise<Narrative | null>;
  writeNarrative(factsHash: string, json: string, at: Date): Promise<void>;
}
