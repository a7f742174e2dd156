// One definition of the audit tables, from which each store renders its own DDL, and the Run/Job <-> row
// mapping both stores share. Migrations are data: a later version appends to MIGRATIONS.
import { truncate, wellFormed } from '../../normalize/text.js';
import { observationVersion } from '../../normalize/order.js';
import { jobKey, runKey, SCHEMA_VERSION, type Job, type Run } from '../../normalize/schema.js';

export type ColumnType = 'id' | 'text' | 'int' | 'bool' | 'timestamp' | 'json';
export type Column = readonly [name: string, type: ColumnType];

export interface TableDef {
  name: string;
  columns: readonly Column[];
  /** Columns that identify a row (enforced by the MERGE, not by a constraint: Snowflake does not enforce keys). */
  key: readonly string[];
}

export const RUN_COLUMNS: readonly Column[] = [
  ['platform', 'id'],
  ['scope', 'id'],
  ['run_id', 'id'],
  ['job_id', 'id'],
  ['job_name', 'text'],
  ['attempt', 'int'],
  ['attempt_group', 'id'],
  ['is_final_attempt', 'bool'],
  ['parent_run_id', 'text'],
  ['run_type', 'text'],
  ['status_category', 'id'],
  ['status_detail', 'text'],
  ['status_raw', 'text'],
  ['scheduled_at', 'timestamp'],
  ['started_at', 'timestamp'],
  ['ended_at', 'timestamp'],
  ['updated_at', 'timestamp'],
  ['duration_ms', 'int'],
  ['trigger_type', 'text'],
  ['error_code', 'text'],
  ['error_class', 'text'],
  ['error_message', 'text'],
  ['url', 'text'],
  ['rows_processed', 'int'],
  ['bytes_processed', 'int'],
  ['raw', 'json'],
  ['schema_version', 'int'],
  ['first_seen_at', 'timestamp'],
  ['last_seen_at', 'timestamp'],
  ['cycle_id', 'id'],
  /** observationVersion(): a larger string is a newer observation. */
  ['version', 'id'],
];

/** Bookkeeping of a run row: a newer observation that changes only these leaves the run unchanged. */
const RUN_BOOKKEEPING = new Set(['platform', 'scope', 'run_id', 'first_seen_at', 'last_seen_at', 'cycle_id', 'version']);

/** SQL (both stores): true when staged row `s` observed something other than stored row `t`. */
export const RUN_CONTENT_CHANGED = `(${RUN_COLUMNS.filter(([n]) => !RUN_BOOKKEEPING.has(n))
  .map(([n]) => `s.${n} IS DISTINCT FROM t.${n}`)
  .join(' OR ')})`;

export const JOB_COLUMNS: readonly Column[] = [
  ['platform', 'id'],
  ['scope', 'id'],
  ['job_id', 'id'],
  ['name', 'text'],
  ['schedule', 'text'],
  ['schedule_timezone', 'text'],
  ['paused', 'bool'],
  ['state', 'text'],
  ['owner', 'text'],
  ['tags', 'json'],
  ['url', 'text'],
  ['deleted', 'bool'],
  ['raw', 'json'],
  ['schema_version', 'int'],
  ['first_seen_at', 'timestamp'],
  ['last_seen_at', 'timestamp'],
  ['cycle_id', 'id'],
];

export const TABLES: Record<string, TableDef> = {
  runs: { name: 'runs', columns: RUN_COLUMNS, key: ['platform', 'scope', 'run_id'] },
  run_status_history: {
    name: 'run_status_history',
    columns: [
      ['platform', 'id'],
      ['scope', 'id'],
      ['run_id', 'id'],
      ['status_category', 'id'],
      ['status_detail', 'text'],
      ['status_raw', 'text'],
      ['observed_at', 'timestamp'],
      ['vendor_updated_at', 'timestamp'],
      ['cycle_id', 'id'],
    ],
    key: [],
  },
  jobs: { name: 'jobs', columns: JOB_COLUMNS, key: ['platform', 'scope', 'job_id'] },
  coverage: {
    name: 'coverage',
    columns: [
      ['platform', 'id'],
      ['scope', 'id'],
      ['covered_until', 'timestamp'],
      ['cycle_id', 'id'],
      ['updated_at', 'timestamp'],
    ],
    key: ['platform', 'scope'],
  },
  gaps: {
    name: 'gaps',
    columns: [
      ['platform', 'id'],
      ['scope', 'id'],
      ['gap_from', 'timestamp'],
      ['gap_to', 'timestamp'],
      ['cycle_id', 'id'],
      ['recorded_at', 'timestamp'],
    ],
    key: [],
  },
  cycles: {
    name: 'cycles',
    columns: [
      ['cycle_id', 'id'],
      ['started_at', 'timestamp'],
      ['ended_at', 'timestamp'],
      ['outcome', 'id'],
      ['runs_seen', 'int'],
      ['runs_written', 'int'],
      ['failed_runs', 'int'],
      ['warnings', 'int'],
      ['report', 'json'],
      ['tool_version', 'id'],
    ],
    key: ['cycle_id'],
  },
  lease: {
    name: 'lease',
    columns: [
      ['lease_id', 'int'],
      ['holder', 'id'],
      ['expires_at', 'timestamp'],
    ],
    key: ['lease_id'],
  },
  quarantine: {
    name: 'quarantine',
    columns: [
      ['platform', 'text'],
      ['scope', 'text'],
      ['run_id', 'text'],
      ['reason', 'text'],
      ['payload', 'text'],
      ['cycle_id', 'text'],
      ['quarantined_at', 'timestamp'],
    ],
    key: [],
  },
};

/**
 * Version 2: what assessment and delivery keep. Incidents are upserted by id (all fields); their events are
 * append-only, one per (incident, cycle, type); the ledger holds what each team was last told per fingerprint; a
 * delivery row per message id makes claim/send/confirm exactly-once; narratives cache the model's answer by a hash
 * of the facts. Column names avoid words either warehouse reserves (`at`, `match`, `type`).
 */
export const ASSESS_TABLES: Record<string, TableDef> = {
  incidents: {
    name: 'incidents',
    columns: [
      ['incident_id', 'id'],
      ['fingerprint', 'id'],
      ['kind', 'id'],
      ['platform', 'id'],
      ['scope', 'id'],
      ['job_id', 'id'],
      ['job_name', 'text'],
      ['team', 'id'],
      ['severity', 'id'],
      ['state', 'id'],
      ['opened_at', 'timestamp'],
      ['updated_at', 'timestamp'],
      ['last_seen_at', 'timestamp'],
      ['resolved_at', 'timestamp'],
      ['streak', 'int'],
      ['last_run_id', 'text'],
      ['last_run_at', 'timestamp'],
      ['run_url', 'text'],
      ['job_url', 'text'],
      ['error_class', 'text'],
      ['error_text', 'text'],
      ['detail', 'text'],
      ['parent_id', 'text'],
      ['flapping', 'bool'],
      ['silenced_until', 'timestamp'],
      ['acknowledged', 'bool'],
    ],
    key: ['incident_id'],
  },
  incident_events: {
    name: 'incident_events',
    columns: [
      ['incident_id', 'id'],
      ['cycle_id', 'id'],
      ['event_type', 'id'],
      ['event_at', 'timestamp'],
      ['severity', 'id'],
      ['streak', 'int'],
      ['error_class', 'text'],
      ['note', 'text'],
      /** Order within one write (events of one cycle share their time). */
      ['seq', 'int'],
    ],
    key: ['incident_id', 'cycle_id', 'event_type'],
  },
  silences: {
    name: 'silences',
    columns: [
      ['silence_id', 'id'],
      ['match_text', 'text'],
      ['until_at', 'timestamp'],
      ['author', 'text'],
      ['reason', 'text'],
      ['created_at', 'timestamp'],
    ],
    key: ['silence_id'],
  },
  notification_ledger: {
    name: 'notification_ledger',
    columns: [
      ['fingerprint', 'id'],
      ['team', 'id'],
      ['last_state', 'id'],
      ['severity', 'id'],
      ['error_class', 'text'],
      ['told_at', 'timestamp'],
      ['message_id', 'id'],
    ],
    key: ['fingerprint', 'team'],
  },
  deliveries: {
    name: 'deliveries',
    columns: [
      ['message_id', 'id'],
      ['team', 'id'],
      ['cycle_id', 'id'],
      ['content_hash', 'id'],
      ['status', 'id'],
      ['transport_id', 'text'],
      ['response', 'text'],
      ['error', 'text'],
      ['retryable', 'bool'],
      ['claimed_at', 'timestamp'],
      ['sent_at', 'timestamp'],
    ],
    key: ['message_id'],
  },
  narratives: {
    name: 'narratives',
    columns: [
      ['facts_hash', 'id'],
      ['narrative', 'text'],
      ['written_at', 'timestamp'],
    ],
    key: ['facts_hash'],
  },
};

/**
 * Columns version 2 adds to `jobs` (not part of JOB_COLUMNS: they are never staged, only set by upsertJobs): the
 * paused/state the job had before its latest change, and the cycle that changed it, so the assessment snapshot can
 * say what a job was before this cycle's upsert (`jobBefore`) however often the cycle is re-run.
 */
export const JOB_STATE_COLUMNS: readonly Column[] = [
  ['prev_paused', 'bool'],
  ['prev_state', 'text'],
  ['state_cycle_id', 'id'],
];

export interface Migration {
  version: number;
  description: string;
  tables: readonly TableDef[];
  /** Columns added to existing tables (ALTER TABLE … ADD COLUMN IF NOT EXISTS, on both stores). */
  addColumns?: readonly { table: string; column: Column }[];
}

/** Versioned migrations: a store at version N applies every later one, in order, and records each. */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, description: 'runs, status history, jobs, coverage, gaps, cycles, lease, quarantine', tables: Object.values(TABLES) },
  {
    version: 2,
    description: 'incidents, incident events, silences, notification ledger, deliveries, narratives; job state changes',
    tables: Object.values(ASSESS_TABLES),
    addColumns: JOB_STATE_COLUMNS.map((column) => ({ table: 'jobs', column })),
  },
];
export const LATEST_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

export type Cell = string | number | boolean | Date | null;

/**
 * Text both warehouses take: a lone UTF-16 surrogate (half an emoji) becomes U+FFFD, as does NUL. DuckDB's JSON
 * reader refuses a lone surrogate and would reject the whole staging batch with it. (A local one-liner on purpose:
 * normalize/ makes text well-formed at the collection boundary; this is the store's own defence.)
 */
export { wellFormed };

/** At most `max` UTF-16 units of `s`, well-formed, never cutting a character in two. */
export function clip(s: string, max: number): string {
  return truncate(wellFormed(s), max, '');
}

/** JSON text of a value, its strings well-formed; throws for what JSON cannot hold (BigInt, cycles): a data error the store quarantines. */
export function jsonText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'string' ? wellFormed(x) : x));
}

/** The key a run is stored under: ids that differ only in malformed text are one row once made well-formed. */
export const storedRunKey = (r: Pick<Run, 'platform' | 'scope' | 'runId'>): string => runKey({ platform: r.platform, scope: wellFormed(r.scope), runId: wellFormed(r.runId) });
export const storedJobKey = (j: Pick<Job, 'platform' | 'scope' | 'jobId'>): string => jobKey({ platform: j.platform, scope: wellFormed(j.scope), jobId: wellFormed(j.jobId) });

const cleanCells = (row: Cell[]): Cell[] => row.map((v) => (typeof v === 'string' ? wellFormed(v) : v));

const MIN_TIME = Date.UTC(1900, 0, 1);
const MAX_TIME = Date.UTC(9999, 11, 31);

/** A time both warehouses hold; anything else is a data error, caught before staging so it blocks no other row. */
function time(d: Date | null, field: string): Date | null {
  if (d === null) return null;
  const t = d.getTime();
  if (!Number.isFinite(t) || t < MIN_TIME || t > MAX_TIME) throw new Error(`${field} is outside the years 1900-9999`);
  return d;
}

/** A run as a row in RUN_COLUMNS order. Throws when the run cannot be represented (quarantined by the caller). */
export function runToRow(r: Run): Cell[] {
  time(r.scheduledAt, 'scheduledAt');
  time(r.startedAt, 'startedAt');
  time(r.endedAt, 'endedAt');
  time(r.updatedAt, 'updatedAt');
  return cleanCells([
    r.platform,
    r.scope,
    r.runId,
    r.jobId,
    r.jobName,
    r.attempt,
    r.attemptGroup,
    r.isFinalAttempt,
    r.parentRunId,
    r.runType,
    r.status.category,
    r.status.detail,
    r.status.raw,
    r.scheduledAt,
    r.startedAt,
    r.endedAt,
    r.updatedAt,
    r.durationMs,
    r.trigger,
    r.errorCode,
    r.errorClass,
    r.errorMessage,
    r.url,
    r.rowsProcessed,
    r.bytesProcessed,
    jsonText(r.raw),
    SCHEMA_VERSION,
    r.firstSeenAt,
    r.lastSeenAt,
    r.cycleId,
    observationVersion(r),
  ]);
}

type RowObject = Record<string, unknown>;
const date = (v: unknown): Date | null => (v === null || v === undefined ? null : v instanceof Date ? new Date(v.getTime()) : new Date(String(v)));
const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const json = (v: unknown): unknown => (v === null || v === undefined ? null : typeof v === 'string' ? JSON.parse(v) : v);

/** A stored row (column names lower or upper case) back to a Run. */
export function rowToRun(row: RowObject): Run {
  const col = (k: string) => (k in row ? row[k] : row[k.toUpperCase()]);
  return {
    schemaVersion: SCHEMA_VERSION,
    platform: String(col('platform')) as Run['platform'],
    scope: String(col('scope')),
    jobId: String(col('job_id')),
    jobName: str(col('job_name')),
    runId: String(col('run_id')),
    attempt: num(col('attempt')) ?? 0,
    attemptGroup: String(col('attempt_group')),
    isFinalAttempt: Boolean(col('is_final_attempt')),
    parentRunId: str(col('parent_run_id')),
    runType: str(col('run_type')),
    status: { category: String(col('status_category')) as Run['status']['category'], detail: str(col('status_detail')), raw: String(col('status_raw') ?? '') },
    scheduledAt: date(col('scheduled_at')),
    startedAt: date(col('started_at')),
    endedAt: date(col('ended_at')),
    updatedAt: date(col('updated_at')),
    durationMs: num(col('duration_ms')),
    trigger: str(col('trigger_type')),
    errorCode: str(col('error_code')),
    errorClass: str(col('error_class')),
    errorMessage: str(col('error_message')),
    url: str(col('url')),
    rowsProcessed: num(col('rows_processed')),
    bytesProcessed: num(col('bytes_processed')),
    raw: json(col('raw')) as Run['raw'],
    firstSeenAt: date(col('first_seen_at'))!,
    lastSeenAt: date(col('last_seen_at'))!,
    cycleId: String(col('cycle_id')),
  };
}

export function jobToRow(j: Job): Cell[] {
  return cleanCells([
    j.platform,
    j.scope,
    j.jobId,
    j.name,
    j.schedule,
    j.scheduleTimezone,
    j.paused,
    j.state,
    j.owner,
    jsonText(j.tags),
    j.url,
    j.deleted,
    jsonText(j.raw),
    SCHEMA_VERSION,
    j.firstSeenAt,
    j.lastSeenAt,
    j.cycleId,
  ]);
}

export function rowToJob(row: RowObject): Job {
  const col = (k: string) => (k in row ? row[k] : row[k.toUpperCase()]);
  const paused = col('paused');
  return {
    schemaVersion: SCHEMA_VERSION,
    platform: String(col('platform')) as Job['platform'],
    scope: String(col('scope')),
    jobId: String(col('job_id')),
    name: str(col('name')),
    schedule: str(col('schedule')),
    scheduleTimezone: str(col('schedule_timezone')),
    paused: paused === null || paused === undefined ? null : Boolean(paused),
    state: str(col('state')),
    owner: str(col('owner')),
    tags: (json(col('tags')) ?? {}) as Job['tags'],
    url: str(col('url')),
    deleted: Boolean(col('deleted')),
    raw: json(col('raw')) as Job['raw'],
    firstSeenAt: date(col('first_seen_at'))!,
    lastSeenAt: date(col('last_seen_at'))!,
    cycleId: String(col('cycle_id')),
  };
}

/** Identifiers are validated, never taken from data: only the names above and configured schema names pass. */
export function ident(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_$]{0,254}$/.test(name)) throw new Error(`invalid SQL identifier: ${name}`);
  return name;
}

/**
 * Run by upsertJobs just before its MERGE, against the staged batch: a job whose paused/state is about to change
 * keeps the values it had and the cycle that changed them (JOB_STATE_COLUMNS). A second change within the same
 * cycle (a re-run) keeps the state from before the cycle.
 */
/**
 * The same rule as jobStateChangeSql, as SET items of a MERGE's `WHEN MATCHED AND s.last_seen_at >= t.last_seen_at`
 * (one statement instead of an UPDATE beside the MERGE). Every expression of a SET reads the row as it was before
 * the update, so `t.paused` here is the value being replaced.
 */
const STATE_CHANGED = '((t.paused IS DISTINCT FROM s.paused OR t.state IS DISTINCT FROM s.state) AND t.state_cycle_id IS DISTINCT FROM s.cycle_id)';
export const JOB_STATE_SETS: readonly string[] = [
  `prev_paused = CASE WHEN ${STATE_CHANGED} THEN t.paused ELSE t.prev_paused END`,
  `prev_state = CASE WHEN ${STATE_CHANGED} THEN t.state ELSE t.prev_state END`,
  `state_cycle_id = CASE WHEN ${STATE_CHANGED} THEN s.cycle_id ELSE t.state_cycle_id END`,
];

export function jobStateChangeSql(target: string, stage: string): string {
  return `UPDATE ${target} AS t SET prev_paused = t.paused, prev_state = t.state, state_cycle_id = s.cycle_id FROM ${stage} AS s
    WHERE t.platform = s.platform AND t.scope = s.scope AND t.job_id = s.job_id AND s.last_seen_at >= t.last_seen_at
      AND (t.paused IS DISTINCT FROM s.paused OR t.state IS DISTINCT FROM s.state) AND t.state_cycle_id IS DISTINCT FROM s.cycle_id`;
}
