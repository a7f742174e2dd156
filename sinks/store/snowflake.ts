// The Snowflake store: the audit tables in DEV_POWERAPPS.AUDIT_JOB_HUB (configurable), the same semantics as the
// DuckDB store. A batch is deduplicated by key, loaded into a temporary staging table with array-bind INSERTs in
// chunks that stay under the connection's stage-upload threshold (an upload to an internal stage needs privileges and
// egress that locked-down accounts refuse), then merged with one MERGE per table. Statements per cycle grow with
// the number of chunks, never with the number of rows. Values are always bound; identifiers are validated, and every
// name is qualified with the database and schema (a session may have no current database).
// Snowflake runs each DDL statement as its own transaction and commits an open one first
// (docs.snowflake.com/en/sql-reference/transactions, "DDL"), so the staging tables are created before BEGIN: inside,
// the CREATE would commit the history INSERT on its own and a ROLLBACK after a failed MERGE would undo nothing.
// They are created once per session, not per upsert: each load's first INSERT is an INSERT OVERWRITE, which empties
// the table as part of the statement and, unlike TRUNCATE, stays inside the open transaction
// (docs.snowflake.com/en/sql-reference/sql/insert, "OVERWRITE").
// Statement counts (bench/statements.ts): counts come from the DML's own result where it tells what is needed
// (MERGE answers "number of rows inserted" / "number of rows updated": docs.snowflake.com/en/sql-reference/sql/merge),
// one statement needs no BEGIN/COMMIT (it is atomic on its own), and a batch with no rows sends nothing.
import { SchemaVersionError, SnowflakeError, StoreError } from '../../errors.js';
import { dedupeNewest } from '../../normalize/order.js';
import type { Job, Platform, Run } from '../../normalize/schema.js';
import { clip, ident, JOB_STATE_SETS, jsonText, storedRunKey, LATEST_VERSION, MIGRATIONS, rowToJob, rowToRun, RUN_CONTENT_CHANGED, TABLES, type Cell, type ColumnType, type TableDef } from './tables.js';
import type { Coverage, CycleRecord, Gap, Lease, QuarantineItem, RunQuery, StatusChange, Store, UpsertResult } from './types.js';
import { AssessingStore } from './assess-store.js';
import { mergeCounts, type JsonDialect, type SqlRunner, type SqlSession } from './assess-sql.js';
import { Spool } from './spool.js';
import { renderStaleCycleAlert } from './alert.js';
import { NOTHING, jobRows, runRows, writeBisecting } from './bisect.js';
import { ARRAY_BIND_THRESHOLD, openSnowflake, type SnowflakeSession, type SnowflakeSettings } from '../../connect/snowflake.js';

const SF_TYPES: Record<ColumnType, string> = { id: 'VARCHAR', text: 'VARCHAR', int: 'NUMBER(38,0)', bool: 'BOOLEAN', timestamp: 'TIMESTAMP_TZ', json: 'VARIANT' };
/**
 * Rows as JSON text (readAssessmentInputs): OBJECT_CONSTRUCT_KEEP_NULL keeps a NULL value as JSON null
 * (docs.snowflake.com/en/sql-reference/functions/object_construct_keep_null), TO_JSON writes the OBJECT as text, and
 * a timestamp goes as DATE_PART(EPOCH_MILLISECOND, …) (docs.snowflake.com/en/sql-reference/functions/date_part): the
 * instant, not TO_JSON's rendering of a TIMESTAMP_TZ (which follows the session's output format).
 */
const SF_JSON: JsonDialect = {
  object: (pairs) => `TO_JSON(OBJECT_CONSTRUCT_KEEP_NULL(${pairs.map(([k, e]) => `'${k}', ${e}`).join(', ')}))`,
  epochMs: (e) => `DATE_PART(EPOCH_MILLISECOND, ${e})`,
};
/** The connection stages array binds above ARRAY_BIND_THRESHOLD values (rows × columns); stay well under it. */
const MAX_BINDS_PER_INSERT = Math.floor(ARRAY_BIND_THRESHOLD * 0.9);

/**
 * Snowflake's data errors (100xxx: a value that does not convert, is out of range, is not valid JSON, a NULL in a
 * NOT NULL column): the same rows fail again, so they are bisected out. Compilation errors, a missing object,
 * timeouts, a lost session or network fail the whole upsert.
 */
function isDataError(e: unknown): boolean {
  const cause = e instanceof StoreError ? e.cause : e;
  return cause instanceof SnowflakeError && /^100\d{3}$/.test(cause.code ?? '');
}

type Row = Record<string, unknown>;
type ScopeKey = { platform: Platform; scope: string };

export interface SnowflakeStoreOptions {
  queryTag: string;
  chunkRows?: number;
  spoolDir?: string | null;
  now?: () => Date;
  /**
   * The cycle's time limit for every statement (measured on `now`): a statement still running then is cancelled and
   * the operation fails with a retryable StoreError, instead of the driver retrying through an outage.
   */
  deadline?: Date | (() => Date | null) | undefined;
}
const wire = (v: Cell): string | null => (v === null ? null : v instanceof Date ? v.toISOString() : String(v));

export class SnowflakeStore extends AssessingStore implements Store {
  readonly kind = 'snowflake' as const;
  private chain: Promise<unknown> = Promise.resolve();
  /** Operations queued on the session so far: a coverage read may join a batch only while nothing was queued after it. */
  private queued = 0;
  /** getCoverage calls queued together (the scopes start at once) share one statement. */
  private coverageBatch: { at: number; started: boolean; keys: Map<string, ScopeKey>; done: Promise<Map<string, Coverage>> } | null = null;
  /** Staging tables this session has created (temporary: they live as long as the session). */
  private readonly staged = new Set<string>();
  private constructor(
    private readonly s: SnowflakeSession,
    private readonly db: string,
    private readonly schema: string,
    private readonly chunkRows: number | undefined,
    private readonly spool: Spool | null,
    /** The cycle's clock: every time the store writes on its own (migrations, quarantine) comes from it. */
    private readonly now: () => Date,
  ) {
    super();
  }

  static async open(settings: SnowflakeSettings & { database: string; schema: string }, opts: SnowflakeStoreOptions): Promise<SnowflakeStore> {
    const db = ident(settings.database.toUpperCase());
    const schema = ident(settings.schema.toUpperCase());
    const session = storeSession(await openSnowflake(settings, { queryTag: opts.queryTag, deadline: opts.deadline, now: opts.now }).catch((e: unknown) => Promise.reject(asStoreError(e))));
    return new SnowflakeStore(session, db, schema, opts.chunkRows, opts.spoolDir ? new Spool(opts.spoolDir) : null, opts.now ?? (() => new Date()));
  }

  private table(name: string): string {
    return `${this.db}.${this.schema}.${ident(name.toUpperCase())}`;
  }

  /** One session: every operation (a read, or a whole transaction) runs alone, in call order. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    this.queued++;
    const p = this.chain.then(fn, fn);
    this.chain = p.catch(() => undefined);
    return p;
  }

  private async tx<T>(fn: () => Promise<T>): Promise<T> {
    return this.serial(() => this.txNow(fn));
  }

  /** A transaction of DML and queries only: DDL inside one would commit it (see the top of this file). */
  private async txNow<T>(fn: () => Promise<T>): Promise<T> {
    await this.s.query('BEGIN');
    try {
      const out = await fn();
      await this.s.query('COMMIT');
      return out;
    } catch (e) {
      await this.s.query('ROLLBACK').catch(() => undefined);
      throw e;
    }
  }

  /** `name` is a qualified name from table(). */
  private ddl(t: TableDef, name: string, temp = false): string {
    const cols = t.columns.map(([n, ty]) => `${ident(n)} ${temp && ty === 'json' ? 'VARCHAR' : SF_TYPES[ty]}`).join(', ');
    return temp ? `CREATE OR REPLACE TEMPORARY TABLE ${name} (${cols})` : `CREATE TABLE IF NOT EXISTS ${name} (${cols})`;
  }

  async migrate(): Promise<void> {
    await this.serial(async () => {
      await this.s.query(`CREATE SCHEMA IF NOT EXISTS ${this.db}.${this.schema}`);
      await this.s.query(`CREATE TABLE IF NOT EXISTS ${this.table('schema_version')} (version NUMBER(38,0), description VARCHAR, applied_at TIMESTAMP_TZ)`);
      const [row] = await this.s.query<Row>(`SELECT MAX(version) AS V FROM ${this.table('schema_version')}`);
      const current = Number(row?.V ?? 0);
      for (const m of MIGRATIONS) {
        if (m.version <= current) continue;
        for (const table of m.tables) await this.s.query(this.ddl(table, this.table(table.name)));
        // ADD [ COLUMN ] [ IF NOT EXISTS ]: https://docs.snowflake.com/en/sql-reference/sql/alter-table
        for (const a of m.addColumns ?? []) await this.s.query(`ALTER TABLE ${this.table(a.table)} ADD COLUMN IF NOT EXISTS ${ident(a.column[0])} ${SF_TYPES[a.column[1]]}`);
        await this.s.query(`INSERT INTO ${this.table('schema_version')} (version, description, applied_at) SELECT ?, ?, ?`, [m.version, m.description, this.now().toISOString()]);
      }
    });
  }

  async checkSchema(): Promise<number> {
    return this.serial(async () => {
      let v = 0;
      try {
        const [row] = await this.s.query<Row>(`SELECT MAX(version) AS V FROM ${this.table('schema_version')}`);
        v = Number(row?.V ?? 0);
      } catch (e) {
        if (!(e instanceof StoreError) || !/002003/.test(e.message)) throw e;
      }
      if (v !== LATEST_VERSION) throw new SchemaVersionError(v, LATEST_VERSION);
      return v;
    });
  }

  /** The session's staging table for `t` (DDL: never inside a transaction), created on first use. */
  private async stage(t: TableDef, name: string): Promise<void> {
    if (this.staged.has(name)) return;
    await this.s.query(this.ddl(t, name, true));
    this.staged.add(name);
  }

  /**
   * Array-bind INSERTs of the rows into the staging table `name`, chunked under the threshold; the first one
   * overwrites what an earlier load left there.
   */
  private async load(t: TableDef, name: string, rows: readonly Cell[][]): Promise<void> {
    const most = Math.max(1, Math.floor(MAX_BINDS_PER_INSERT / t.columns.length));
    const per = Math.min(this.chunkRows ?? most, most);
    const values = `VALUES (${t.columns.map(() => '?').join(', ')})`;
    for (let i = 0; i < rows.length; i += per) await this.s.query(`INSERT ${i === 0 ? 'OVERWRITE ' : ''}INTO ${name} ${values}`, rows.slice(i, i + per).map((r) => r.map(wire)));
  }

  /** A failed statement may have ended the session's temporary tables with it (a lost session): create them again. */
  private async staging<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      this.staged.clear();
      throw e;
    }
  }

  private mergeSql(t: TableDef, stage: string, when: string, extraSets: readonly string[] = []): string {
    const val = (n: string, ty: ColumnType) => (ty === 'json' ? `PARSE_JSON(s.${n})` : `s.${n}`);
    const on = t.key.map((k) => `t.${k} = s.${k}`).join(' AND ');
    const sets = t.columns
      .filter(([n]) => !t.key.includes(n))
      .map(([n, ty]) => (n === 'first_seen_at' ? 'first_seen_at = LEAST(t.first_seen_at, s.first_seen_at)' : `${n} = ${val(n, ty)}`))
      .concat(extraSets)
      .join(', ');
    return `MERGE INTO ${this.table(t.name)} AS t USING ${stage} AS s ON ${on} WHEN MATCHED AND ${when} THEN UPDATE SET ${sets} WHEN NOT MATCHED THEN INSERT (${t.columns.map(([n]) => n).join(', ')}) VALUES (${t.columns.map(([n, ty]) => val(n, ty)).join(', ')})`;
  }

  /**
   * With a spool: what an earlier transient failure left there is merged first, with this batch (the deduplicating
   * MERGE makes a replay harmless); a transient failure spools this batch and still fails, so coverage stays put.
   */
  async upsertRuns(input: readonly Run[]): Promise<UpsertResult> {
    if (!this.spool) return this.merge(input);
    const spooled = (await this.spool.read()).runs;
    try {
      const res = await this.merge(spooled.length ? [...spooled, ...input] : input);
      if (spooled.length) await this.spool.clear();
      return res;
    } catch (e) {
      if (e instanceof StoreError && e.isRetryable) await this.spool.append(input);
      throw e;
    }
  }

  private async merge(input: readonly Run[]): Promise<UpsertResult> {
    const runs = dedupeNewest(input, storedRunKey);
    const { rows, bad } = runRows(runs);
    return this.serial(async () => {
      const res = await writeBisecting(rows, {
        write: (part) => this.writeRuns(part.map((p) => p.row)),
        isDataError,
        refuse: (p, reason) => bad.push({ run: p.run, reason }),
      });
      if (bad.length > 0) await this.txNow(async () => {
        for (const b of bad) await this.quarantine(b.run.platform, b.run.scope, b.run.runId, b.run.cycleId, b.reason, { ...b.run, raw: undefined });
      });
      return { ...res, quarantined: bad.length };
    });
  }

  /**
   * One all-or-nothing write: the staging table (once per session, DDL, before any transaction), then one
   * transaction: load, counts, history, MERGE. The counts SELECT stays: `updated` counts rows whose content changed,
   * and the MERGE's "number of rows updated" also counts a newer sighting of an identical run (its bookkeeping moves).
   * The history INSERT and the MERGE must commit together (history only on a status change, judged against the row
   * the MERGE replaces): Snowflake has no multi-table MERGE, so BEGIN and COMMIT stay.
   */
  private async writeRuns(rows: readonly Cell[][]): Promise<UpsertResult> {
    if (rows.length === 0) return { ...NOTHING };
    const stage = this.table('PA_STAGE_RUNS');
    const runsT = this.table('runs');
    const changed = `(s.status_category IS DISTINCT FROM t.status_category OR s.status_detail IS DISTINCT FROM t.status_detail OR s.status_raw IS DISTINCT FROM t.status_raw)`;
    const join = `FROM ${stage} s LEFT JOIN ${runsT} t ON t.platform = s.platform AND t.scope = s.scope AND t.run_id = s.run_id`;
    return this.staging(async () => {
      await this.stage(TABLES.runs!, stage);
      return this.txNow(async () => {
        await this.load(TABLES.runs!, stage, rows);
        const [c] = await this.s.query<Row>(
          `SELECT SUM(CASE WHEN t.run_id IS NULL THEN 1 ELSE 0 END) AS INS, SUM(CASE WHEN t.run_id IS NOT NULL AND s.version > t.version AND ${RUN_CONTENT_CHANGED} THEN 1 ELSE 0 END) AS UPD, SUM(CASE WHEN t.run_id IS NULL OR (s.version > t.version AND ${changed}) THEN 1 ELSE 0 END) AS HIST ${join}`,
        );
        await this.s.query(
          `INSERT INTO ${this.table('run_status_history')} (platform, scope, run_id, status_category, status_detail, status_raw, observed_at, vendor_updated_at, cycle_id) SELECT s.platform, s.scope, s.run_id, s.status_category, s.status_detail, s.status_raw, s.last_seen_at, s.updated_at, s.cycle_id ${join} WHERE t.run_id IS NULL OR (s.version > t.version AND ${changed})`,
        );
        await this.s.query(this.mergeSql(TABLES.runs!, stage, 's.version > t.version'));
        const ins = Number(c?.INS ?? 0);
        const upd = Number(c?.UPD ?? 0);
        return { inserted: ins, updated: upd, unchanged: rows.length - ins - upd, statusChanges: Number(c?.HIST ?? 0), quarantined: 0 };
      });
    });
  }

  private async quarantine(platform: string, scope: string, id: string, cycleId: string, reason: string, item: unknown): Promise<void> {
    let payload: string;
    try {
      payload = jsonText(item) ?? '{}';
    } catch {
      payload = '{}';
    }
    await this.s.query(`INSERT INTO ${this.table('quarantine')} (platform, scope, run_id, reason, payload, cycle_id, quarantined_at) SELECT ?, ?, ?, ?, ?, ?, ?`, [
      clip(platform, 1000),
      clip(scope, 1000),
      clip(id, 1000),
      clip(reason, 1000),
      payload,
      clip(cycleId, 1000),
      this.now().toISOString(),
    ]);
  }

  async quarantineItems(items: readonly QuarantineItem[]): Promise<void> {
    if (items.length === 0) return;
    await this.tx(async () => {
      for (const q of items) {
        await this.s.query(`INSERT INTO ${this.table('quarantine')} (platform, scope, run_id, reason, payload, cycle_id, quarantined_at) SELECT ?, ?, ?, ?, ?, ?, ?`, [
          q.platform,
          q.scope,
          q.itemId,
          q.reason.slice(0, 1000),
          q.payload,
          q.cycleId,
          q.at.toISOString(),
        ]);
      }
    });
  }

  async readQuarantine(opts: { limit?: number } = {}): Promise<QuarantineItem[]> {
    const rows = await this.serial(() =>
      this.s.query<Row>(`SELECT platform AS P, scope AS S, run_id AS R, reason AS W, payload AS J, cycle_id AS C, quarantined_at AS T FROM ${this.table('quarantine')} ORDER BY quarantined_at, platform, scope, run_id LIMIT ?`, [opts.limit ?? 1000]),
    );
    return rows.map((r) => ({ platform: String(r.P), scope: String(r.S), itemId: String(r.R), reason: String(r.W), payload: String(r.J), cycleId: String(r.C), at: new Date(r.T as string | Date) }));
  }

  async releaseQuarantine(items: readonly Pick<QuarantineItem, 'platform' | 'scope' | 'itemId' | 'cycleId'>[]): Promise<void> {
    if (items.length === 0) return;
    await this.tx(async () => {
      for (const q of items) await this.s.query(`DELETE FROM ${this.table('quarantine')} WHERE platform = ? AND scope = ? AND run_id = ? AND cycle_id = ?`, [q.platform, q.scope, q.itemId, q.cycleId]);
    });
  }

  async upsertJobs(input: readonly Job[]): Promise<UpsertResult> {
    const rows = jobRows(input);
    const bad: { job: Job; reason: string }[] = [];
    return this.serial(async () => {
      const res = await writeBisecting(rows, {
        write: (part) => this.writeJobs(part.map((p) => p.row)),
        isDataError,
        refuse: (p, reason) => bad.push({ job: p.job, reason }),
      });
      // A refused job is kept under the id `job:<jobId>`, so that it is never mistaken for a run.
      if (bad.length > 0) await this.txNow(async () => {
        for (const b of bad) await this.quarantine(b.job.platform, b.job.scope, `job:${b.job.jobId}`, b.job.cycleId, b.reason, { ...b.job, raw: undefined });
      });
      return { ...res, quarantined: bad.length };
    });
  }

  /**
   * The staging load, then one MERGE that also records a paused/state change (JOB_STATE_SETS, the same rule as
   * jobStateChangeSql): a single statement is atomic without BEGIN/COMMIT, and its result gives the counts. A load
   * that fails half way leaves only the session's staging table touched; the next load overwrites it.
   */
  private async writeJobs(rows: readonly Cell[][]): Promise<UpsertResult> {
    if (rows.length === 0) return { ...NOTHING };
    const stage = this.table('PA_STAGE_JOBS');
    return this.staging(async () => {
      await this.stage(TABLES.jobs!, stage);
      await this.load(TABLES.jobs!, stage, rows);
      const [c] = await this.s.query<Row>(this.mergeSql(TABLES.jobs!, stage, 's.last_seen_at >= t.last_seen_at', JOB_STATE_SETS));
      const { inserted, updated } = mergeCounts(c);
      return { inserted, updated, unchanged: rows.length - inserted - updated, statusChanges: 0, quarantined: 0 };
    });
  }

  /**
   * Calls queued back to back (every scope asks at the cycle's start) are answered by one SELECT. A call joins the
   * pending batch only while nothing else was queued after it, so it never reads before a write queued ahead of it.
   */
  async getCoverage(platform: Platform, scope: string): Promise<Coverage | null> {
    const key = JSON.stringify([platform, scope]);
    let batch = this.coverageBatch;
    if (!batch || batch.started || batch.at !== this.queued) {
      const keys = new Map<string, ScopeKey>();
      const b: NonNullable<SnowflakeStore['coverageBatch']> = { at: 0, started: false, keys, done: Promise.resolve(new Map()) };
      b.done = this.serial(async () => {
        b.started = true;
        const list = [...keys.values()];
        const rows = await this.s.query<Row>(`SELECT * FROM ${this.table('coverage')} WHERE ${list.map(() => '(platform = ? AND scope = ?)').join(' OR ')}`, list.flatMap((k) => [k.platform, k.scope]));
        const out = new Map<string, Coverage>();
        for (const r of rows) {
          const c: Coverage = { platform: String(r.PLATFORM) as Platform, scope: String(r.SCOPE), coveredUntil: new Date((r.COVERED_UNTIL as Date).getTime()), cycleId: String(r.CYCLE_ID), updatedAt: new Date((r.UPDATED_AT as Date).getTime()) };
          out.set(JSON.stringify([c.platform, c.scope]), c);
        }
        return out;
      });
      b.at = this.queued;
      this.coverageBatch = batch = b;
    }
    batch.keys.set(key, { platform, scope });
    return (await batch.done).get(key) ?? null;
  }

  /** One MERGE by (platform, scope): atomic on its own. */
  async recordCoverage(c: Coverage): Promise<void> {
    await this.serial(() =>
      this.s.query(
        `MERGE INTO ${this.table('coverage')} AS t USING (SELECT ? AS platform, ? AS scope, TO_TIMESTAMP_TZ(?) AS covered_until, ? AS cycle_id, TO_TIMESTAMP_TZ(?) AS updated_at) AS s ON t.platform = s.platform AND t.scope = s.scope WHEN MATCHED THEN UPDATE SET covered_until = s.covered_until, cycle_id = s.cycle_id, updated_at = s.updated_at WHEN NOT MATCHED THEN INSERT (platform, scope, covered_until, cycle_id, updated_at) VALUES (s.platform, s.scope, s.covered_until, s.cycle_id, s.updated_at)`,
        [c.platform, c.scope, c.coveredUntil.toISOString(), c.cycleId, c.updatedAt.toISOString()],
      ),
    );
  }

  async recordGap(g: Gap): Promise<void> {
    await this.serial(() =>
      this.s.query(`INSERT INTO ${this.table('gaps')} (platform, scope, gap_from, gap_to, cycle_id, recorded_at) SELECT ?, ?, TO_TIMESTAMP_TZ(?), TO_TIMESTAMP_TZ(?), ?, TO_TIMESTAMP_TZ(?)`, [g.platform, g.scope, g.from.toISOString(), g.to.toISOString(), g.cycleId, g.recordedAt.toISOString()]),
    );
  }

  async recordCycle(c: CycleRecord): Promise<void> {
    await this.serial(() =>
      this.s.query(
        `INSERT INTO ${this.table('cycles')} (cycle_id, started_at, ended_at, outcome, runs_seen, runs_written, failed_runs, warnings, report, tool_version) SELECT ?, TO_TIMESTAMP_TZ(?), TO_TIMESTAMP_TZ(?), ?, ?, ?, ?, ?, PARSE_JSON(?), ?`,
        [c.cycleId, c.startedAt.toISOString(), c.endedAt.toISOString(), c.outcome, c.runsSeen, c.runsWritten, c.failedRuns, c.warnings, JSON.stringify(c.report), c.toolVersion],
      ),
    );
  }

  async lastCycle(): Promise<CycleRecord | null> {
    const [r] = await this.serial(() => this.s.query<Row>(`SELECT * FROM ${this.table('cycles')} ORDER BY ended_at DESC, cycle_id DESC LIMIT 1`));
    if (!r) return null;
    return {
      cycleId: String(r.CYCLE_ID),
      startedAt: new Date((r.STARTED_AT as Date).getTime()),
      endedAt: new Date((r.ENDED_AT as Date).getTime()),
      outcome: r.OUTCOME as CycleRecord['outcome'],
      runsSeen: Number(r.RUNS_SEEN),
      runsWritten: Number(r.RUNS_WRITTEN),
      failedRuns: Number(r.FAILED_RUNS),
      warnings: Number(r.WARNINGS),
      report: typeof r.REPORT === 'string' ? (JSON.parse(r.REPORT) as unknown) : r.REPORT,
      toolVersion: String(r.TOOL_VERSION),
    };
  }

  async readRuns(q: RunQuery = {}): Promise<Run[]> {
    const where: string[] = [];
    const binds: unknown[] = [];
    const add = (sql: string, ...values: unknown[]) => {
      where.push(sql);
      binds.push(...values);
    };
    if (q.platform) add('platform = ?', q.platform);
    if (q.scope) add('scope = ?', q.scope);
    if (q.since) add('COALESCE(started_at, last_seen_at) >= TO_TIMESTAMP_TZ(?)', q.since.toISOString());
    if (q.categories?.length) add(`status_category IN (${q.categories.map(() => '?').join(', ')})`, ...q.categories);
    const limit = q.limit ? ` LIMIT ${Math.max(1, Math.floor(q.limit))}` : '';
    const rows = await this.serial(() => this.s.query<Row>(`SELECT * FROM ${this.table('runs')}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY started_at DESC NULLS LAST, platform, scope, run_id${limit}`, binds));
    return rows.map(rowToRun);
  }

  async readJobs(platform?: Platform): Promise<Job[]> {
    const rows = await this.serial(() => (platform ? this.s.query<Row>(`SELECT * FROM ${this.table('jobs')} WHERE platform = ? ORDER BY scope, job_id`, [platform]) : this.s.query<Row>(`SELECT * FROM ${this.table('jobs')} ORDER BY platform, scope, job_id`)));
    return rows.map(rowToJob);
  }

  async readStatusHistory(platform: Platform, scope: string, runId: string): Promise<StatusChange[]> {
    const rows = await this.serial(() => this.s.query<Row>(`SELECT * FROM ${this.table('run_status_history')} WHERE platform = ? AND scope = ? AND run_id = ? ORDER BY observed_at, cycle_id`, [platform, scope, runId]));
    return rows.map((r) => ({
      platform,
      scope,
      runId,
      category: r.STATUS_CATEGORY as StatusChange['category'],
      detail: (r.STATUS_DETAIL as string | null) ?? null,
      raw: String(r.STATUS_RAW),
      observedAt: new Date((r.OBSERVED_AT as Date).getTime()),
      vendorUpdatedAt: r.VENDOR_UPDATED_AT ? new Date((r.VENDOR_UPDATED_AT as Date).getTime()) : null,
      cycleId: String(r.CYCLE_ID),
    }));
  }

  async countRuns(): Promise<number> {
    const [r] = await this.serial(() => this.s.query<Row>(`SELECT COUNT(*) AS N FROM ${this.table('runs')}`));
    return Number(r?.N ?? 0);
  }

  async acquireLease(holder: string, ttlMs: number, now: Date): Promise<boolean> {
    return this.serial(async () => (await this.lease(holder, ttlMs, now, false)).held);
  }

  /**
   * checkSchema and acquireLease in two statements instead of three: the lease MERGE writes only when the schema is
   * at this version (so a SchemaVersionError is still thrown before anything is written), and its read-back
   * carries the version. A missing table (a store never migrated) fails the MERGE: checkSchema then says which
   * version the store is at.
   */
  async beginCycle(holder: string, ttlMs: number, now: Date): Promise<boolean> {
    let lease: { held: boolean; version: number | null };
    try {
      lease = await this.serial(() => this.lease(holder, ttlMs, now, true));
    } catch (e) {
      if (e instanceof StoreError && /002003/.test(e.message)) await this.checkSchema();
      throw e;
    }
    if (lease.version !== LATEST_VERSION) throw new SchemaVersionError(lease.version ?? 0, LATEST_VERSION);
    return lease.held;
  }

  /** One atomic MERGE decides: take the lease when there is none, it has expired, or it is already ours. */
  private async lease(holder: string, ttlMs: number, now: Date, atVersion: boolean): Promise<{ held: boolean; version: number | null }> {
    const until = new Date(now.getTime() + ttlMs).toISOString();
    const version = `(SELECT MAX(version) FROM ${this.table('schema_version')})`;
    const source = atVersion ? `SELECT 1 AS lease_id, ${version} AS v` : 'SELECT 1 AS lease_id';
    const guard = atVersion ? ` AND s.v = ${LATEST_VERSION}` : '';
    await this.s.query(
      `MERGE INTO ${this.table('lease')} AS t USING (${source}) AS s ON t.lease_id = s.lease_id WHEN MATCHED${guard} AND (t.holder = ? OR t.expires_at <= TO_TIMESTAMP_TZ(?)) THEN UPDATE SET holder = ?, expires_at = TO_TIMESTAMP_TZ(?) WHEN NOT MATCHED${guard} THEN INSERT (lease_id, holder, expires_at) VALUES (1, ?, TO_TIMESTAMP_TZ(?))`,
      [holder, now.toISOString(), holder, until, holder, until],
    );
    // Read back, not taken from the MERGE's result: two first-ever MERGEs racing can both insert (Snowflake
    // enforces no key), and only the row read back says who holds the lease.
    // With the version: one row even when no lease row exists (the MERGE refused to write at another version).
    const [r] = atVersion
      ? await this.s.query<Row>(`SELECT v.V, l.holder AS H FROM (SELECT MAX(version) AS V FROM ${this.table('schema_version')}) v LEFT JOIN ${this.table('lease')} l ON l.lease_id = 1`)
      : await this.s.query<Row>(`SELECT holder AS H FROM ${this.table('lease')} WHERE lease_id = 1`);
    return { held: r?.H === holder, version: r?.V === null || r?.V === undefined ? null : Number(r.V) };
  }

  async releaseLease(holder: string): Promise<void> {
    await this.serial(() => this.s.query(`DELETE FROM ${this.table('lease')} WHERE lease_id = 1 AND holder = ?`, [holder]));
  }

  async readLease(): Promise<Lease | null> {
    const [r] = await this.serial(() => this.s.query<Row>(`SELECT holder AS H, expires_at AS E FROM ${this.table('lease')} WHERE lease_id = 1`));
    return r ? { holder: String(r.H), expiresAt: new Date((r.E as Date).getTime()) } : null;
  }

  async close(): Promise<void> {
    await this.serial(() => this.s.close());
  }

  /**
   * The dead man's switch inside Snowflake: an ALERT on the age of the last cycle row that e-mails through a
   * notification integration (`init --alert-integration … --alert-recipient …`). Needs CREATE ALERT on the schema
   * and EXECUTE ALERT on the account for the role.
   */
  async installStaleCycleAlert(o: { warehouse: string; integration: string; recipient: string; maxAgeMinutes?: number }): Promise<string[]> {
    const statements = renderStaleCycleAlert({ database: this.db, schema: this.schema, ...o });
    await this.serial(async () => {
      for (const sql of statements) await this.s.query(sql);
    });
    return statements;
  }

  // ---- Assessment and delivery (AssessStore): one shared implementation over this store's SQL session. ----
  protected sqlSession(): SqlSession {
    const runner: SqlRunner = { query: (sql, binds = []) => this.s.query<Row>(sql, binds.map(wire)) };
    return { table: (name) => this.table(name), types: SF_TYPES, json: SF_JSON, read: (fn) => this.serial(() => fn(runner)), tx: (_what, fn) => this.tx(() => fn(runner)), one: (_what, fn) => this.serial(() => fn(runner)) };
  }
}

/** A connection failure is the store's failure here (exit 3), whatever the wrapper calls it. */
function asStoreError(e: unknown): unknown {
  return e instanceof SnowflakeError ? new StoreError(e.message, { cause: e, isRetryable: e.isRetryable }) : e;
}

function storeSession(s: SnowflakeSession): SnowflakeSession {
  return {
    query: <T>(sqlText: string, binds?: readonly unknown[] | readonly (readonly unknown[])[]) => s.query<T>(sqlText, binds).catch((e: unknown): Promise<T[]> => Promise.reject(asStoreError(e))),
    close: () => s.close(),
  };
}

export function openSnowflakeStore(settings: SnowflakeSettings & { database: string; schema: string }, opts: SnowflakeStoreOptions): Promise<SnowflakeStore> {
  return SnowflakeStore.open(settings, opts);
}
