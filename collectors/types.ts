// The contract between the cycle and a platform collector. A collector is one file exporting one plain object:
// its scope config schema and functions that read a platform scope for a time window. It reads no environment
// variables and keeps no module state; everything comes in through the context.
import type { z } from 'zod';
import type { Platform, RunObservation, JobObservation } from '../normalize/schema.js';
import type { HttpClient } from '../connect/http.js';

export interface TimeWindow {
  start: Date;
  end: Date;
  /**
   * True when the previous chunk of this same cycle ended at `start` and was just collected: runs that started
   * before `start` were read moments ago in their current state, so a collector that filters on start time
   * need not reach back again (catch-up then reads each run once).
   */
  continuation?: boolean;
}

export interface CollectWarning {
  /** Short machine-readable code: `invalid-item`, `unknown-status`, `page-cap`, `detail-cap`, `detail-failed`, ... */
  code: string;
  message: string;
  /** Native id of the item concerned, when there is one. */
  itemId?: string | undefined;
}

export interface RejectedItem {
  itemId: string | undefined;
  /** `run`, `job`, `page`, ... */
  kind: string;
  reason: string;
  /** The vendor item as received. */
  item: unknown;
}

export interface CollectLimits {
  /** Page cap for every pagination loop; hitting it makes the collection incomplete. */
  maxPages: number;
  /** Cap on per-run detail requests (Databricks runs/get, Airbyte failure reasons) per scope and cycle. */
  maxDetailRequests: number;
}

/** Returns the value memoized under `key`, building it with `make` the first time (collectors/memo.ts). */
export type Memo = <T>(key: string, make: () => T) => T;

export interface CollectContext<S> {
  platform: Platform;
  /** This scope's configuration, already validated by the collector's `scopeSchema`. */
  scope: S;
  /** The scope's id, as returned by `scopeId`. */
  scopeId: string;
  http: HttpClient;
  signal: AbortSignal;
  now: () => Date;
  limits: CollectLimits;
  /** Something was skipped or odd but the rest is fine: counted and reported. */
  warn: (w: CollectWarning) => void;
  /**
   * A vendor item that failed its schema: the cycle quarantines it with its payload (redacted, bounded), so it is
   * counted and can be re-processed after an upgrade. Absent outside a cycle (doctor, tests): a warning only.
   */
  reject?: (r: RejectedItem) => void;
  /** Something was not read (page cap, a failed detail page): coverage must not advance past this window. */
  incomplete: (reason: string) => void;
  /**
   * One memo per scope per cycle (collectors/memo.ts `createMemo`), shared by every context of that scope in the
   * cycle: token providers live there, so the chunks of a catch-up share one token until it nears expiry.
   * Absent: nothing is reused (each call builds its own provider).
   */
  memo?: Memo;
}

/**
 * Receives a collector's runs a page (or a few) at a time. The collector awaits it before reading on, so a
 * consumer that is busy (its store write still running) holds the paging back instead of letting runs pile up.
 */
export type EmitRuns = (runs: RunObservation[]) => Promise<void>;

export interface CheckResult {
  ok: boolean;
  /** One line: what was checked and what was found, e.g. `token ok, 42 jobs visible`. */
  message: string;
  /** How to fix it, when not ok. */
  fix?: string | undefined;
  jobsVisible?: number | undefined;
}

export interface Collector<S = unknown> {
  readonly platform: Platform;
  /** Human name for reports: `Databricks Jobs`. */
  readonly title: string;
  /** Validates one scope's configuration (credentials included, resolved by config.ts). */
  readonly scopeSchema: z.ZodType<S>;
  /** Stable id of a scope, used as the `scope` column: a workspace host, an environment URL, an account. */
  scopeId(scope: S): string;
  /** How long the vendor keeps run history; spans older than this are unrecoverable gaps. */
  readonly retentionMs: number;
  /** How far each window re-reads before the last complete collection (ingestion lag, paging at page edges). */
  readonly overlapMs: number;
  /** Largest window collected in one go during catch-up; each chunk is committed before the next. */
  readonly maxChunkMs: number;
  /** Requests in flight at once against this platform. */
  readonly concurrency: number;
  /** Jobs the credentials can see (the inventory). */
  listJobs(ctx: CollectContext<S>): Promise<JobObservation[]>;
  /**
   * Runs that changed in the window (started, running or ended inside it), normalized, handed to `emit` as their
   * pages arrive, each run once. The collector awaits `emit` before it reads further (back-pressure): what it
   * holds is a page or two, never the window. Resolves when the window is read.
   */
  collectRuns(ctx: CollectContext<S>, window: TimeWindow, emit: EmitRuns): Promise<void>;
  /** `doctor`: is the scope reachable and authorized, and how many jobs can it see. */
  check(ctx: CollectContext<S>): Promise<CheckResult>;
}

/** Erases the scope type so collectors of different platforms fit in one registry. */
export type AnyCollector = Collector<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
