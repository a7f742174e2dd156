// One definition of the audit tables, from which each store renders its own DDL, and the Run/Job <-> row
// mapping both stores share. Migrations are data: a later version appends to MIGRATIONS.
import { observationVersion } from '../../normalize/order.js';
import { SCHEMA_VERSION, type Job, type Run } from '../../normalize/schema.js';

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

export interface Migration {
  version: number;
  description: string;
  tables: readonly TableDef[];
}

/** Versioned migrations. The next issue's incident and notification tables become version 2. */
export const MIGRATIONS: readonly Migration[] = [{ version: 1, description: 'runs, status history, jobs, coverage, gaps, cycles, lease, quarantine', tables: Object.values(TABLES) }];
export const LATEST_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

export type Cell = string | number | boolean | Date | null;

/** JSON text of a value; throws for what JSON cannot hold (BigInt, cycles): a data error the store quarantines. */
export function jsonText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  return JSON.stringify(v);
}

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
  return [
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
  ];
}

type RowObject = Record<string, unknown>;
const date = (v: unknown): Date | null => (v === null || v === undefined ? null : v instanceof Date ? new Date(v.getTime()) : new Date(String(v)));
const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const str = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const json = (v: unknown): unknown => (v === null || v === undefined ? null : typeof v === 'string' ? JSON.parse(v) : v);

/** A stored row (column names lower or upper case) back to a Run. */
export function rowToRun(row: RowObject): Run {
  const g = (k: string) => (k in row ? row[k] : row[k.toUpperCase()]);
  return {
    schemaVersion: SCHEMA_VERSION,
    platform: String(g('platform')) as Run['platform'],
    scope: String(g('scope')),
    jobId: String(g('job_id')),
    jobName: str(g('job_name')),
    runId: String(g('run_id')),
    attempt: num(g('attempt')) ?? 0,
    attemptGroup: String(g('attempt_group')),
    isFinalAttempt: Boolean(g('is_final_attempt')),
    parentRunId: str(g('parent_run_id')),
    runType: str(g('run_type')),
    status: { category: String(g('status_category')) as Run['status']['category'], detail: str(g('status_detail')), raw: String(g('status_raw') ?? '') },
    scheduledAt: date(g('scheduled_at')),
    startedAt: date(g('started_at')),
    endedAt: date(g('ended_at')),
    updatedAt: date(g('updated_at')),
    durationMs: num(g('duration_ms')),
    trigger: str(g('trigger_type')),
    errorCode: str(g('error_code')),
    errorClass: str(g('error_class')),
    errorMessage: str(g('error_message')),
    url: str(g('url')),
    rowsProcessed: num(g('rows_processed')),
    bytesProcessed: num(g('bytes_processed')),
    raw: json(g('raw')) as Run['raw'],
    firstSeenAt: date(g('first_seen_at'))!,
    lastSeenAt: date(g('last_seen_at'))!,
    cycleId: String(g('cycle_id')),
  };
}

export function jobToRow(j: Job): Cell[] {
  return [
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
  ];
}

export function rowToJob(row: RowObject): Job {
  const g = (k: string) => (k in row ? row[k] : row[k.toUpperCase()]);
  const paused = g('paused');
  return {
    schemaVersion: SCHEMA_VERSION,
    platform: String(g('platform')) as Job['platform'],
    scope: String(g('scope')),
    jobId: String(g('job_id')),
    name: str(g('name')),
    schedule: str(g('schedule')),
    scheduleTimezone: str(g('schedule_timezone')),
    paused: paused === null || paused === undefined ? null : Boolean(paused),
    state: str(g('state')),
    owner: str(g('owner')),
    tags: (json(g('tags')) ?? {}) as Job['tags'],
    url: str(g('url')),
    deleted: Boolean(g('deleted')),
    raw: json(g('raw')) as Job['raw'],
    firstSeenAt: date(g('first_seen_at'))!,
    lastSeenAt: date(g('last_seen_at'))!,
    cycleId: String(g('cycle_id')),
  };
}

/** Identifiers are validated, never taken from data: only the names above and configured schema names pass. */
export function ident(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_$]{0,254}$/.test(name)) throw new Error(`invalid SQL identifier: ${name}`);
  return name;
}
