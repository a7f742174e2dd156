// The embedded store: one DuckDB file (via @duckdb/node-api, loaded on first use). The batch is deduplicated by
// key, written to a private temp file and read into a temporary staging table with `read_json` (values never pass
// through SQL text), and MERGEd in one transaction. Queries that only read open the file read-only: DuckDB allows one writer.
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { SchemaVersionError, StoreError } from '../../errors.js';
import { dedupeNewest } from '../../normalize/order.js';
import type { Job, Platform, Run } from '../../normalize/schema.js';
import { clip, ident, jobStateChangeSql, jsonText, storedRunKey, LATEST_VERSION, MIGRATIONS, rowToJob, rowToRun, TABLES, type Cell } from './tables.js';
import { addResults, NOTHING, jobRows, runRows, writeBisecting } from './bisect.js';
import { ddl, DUCK_TYPES, stage, StageValueError, type DuckModule } from './duckdb-stage.js';
import { mergeSql, writeRunRows } from './duckdb-write.js';
import type { Coverage, CycleRecord, Gap, Lease, QuarantineItem, RunQuery, StatusChange, Store, UpsertResult } from './types.js';
import { AssessingStore } from './assess-store.js';
import { DUCKDB_JSON, type SqlRunner, type SqlSession } from './assess-sql.js';


/** The message of an error from the native module (not always an `instanceof Error` of this realm, e.g. under jest). */
const messageOf = (e: unknown): string => (typeof (e as { message?: unknown } | null)?.message === 'string' ? (e as { message: string }).message : String(e));

const CORRUPT = /Corrupt database|checksum|not a valid DuckDB database|Serialization Error|INTERNAL Error/i;

function wrap(what: string, e: unknown): StoreError {
  const msg = messageOf(e);
  return new StoreError(`DuckDB store: ${what} failed: ${msg.split('\n')[0]}`, { cause: e, isRetryable: !CORRUPT.test(msg) && /lock|IO Error|Could not set lock/i.test(msg) });
}

/** The file cannot be read back: no retry helps, and writing on would bury the damage under more cycles. */
function corrupt(path: string, e: unknown): StoreError {
  const msg = messageOf(e).split('\n')[0];
  return new StoreError(`DuckDB store ${path} cannot be read back (${msg}): restore it from a backup, or move it (and its .wal) aside to start a new store`, { cause: e });
}

/**
 * A DuckDB error about the rows (a value that does not convert, malformed text, a constraint): writing the same
 * rows again fails again, so they are bisected out. Locks, I/O, memory, interrupts, SQL the store got wrong and
 * errors that are not DuckDB's (a full temp disk) may pass or concern every row: they fail the upsert.
 */
function isDataError(e: unknown): boolean {
  if ((e instanceof StoreError ? e.cause : e) instanceof StageValueError) return true;
  const msg = messageOf(e instanceof StoreError ? e.cause : e);
  if (!/^[A-Za-z ]+ Error: /.test(msg)) return false;
  return !/^(IO|Out of Memory|Interrupt|Parser|Binder|Catalog|TransactionContext|Connection|FATAL|INTERNAL|Permission|Dependency|Serialization) Error/i.test(msg) && !CORRUPT.test(msg);
}

/** DuckDB's buffer cap (its default is 80 % of the machine's memory). */
export const MEMORY_LIMIT_MB = 64;

/** Runs per transaction of an upsert: what one transaction holds until its commit (see upsertRuns). */
export const MAX_ROWS_PER_TRANSACTION = 50_000;

/** A whole number of MB (a setting of the instance, checked here rather than trusted). */
function memoryLimitMb(mb: number = MEMORY_LIMIT_MB): number {
  if (!Number.isInteger(mb) || mb < 16 || mb > 1_048_576) throw new StoreError(`DuckDB store: memoryLimitMb must be a whole number of MB from 16, got ${mb}`);
  return mb;
}

export interface DuckDbOpenOptions {
  readOnly?: boolean;
  now?: () => Date;
  /** DuckDB's buffer cap in MB (default MEMORY_LIMIT_MB); beyond it DuckDB spills to its temp directory. */
  memoryLimitMb?: number;
  /** Runs written per transaction (default MAX_ROWS_PER_TRANSACTION): a larger upsert takes several. */
  maxRowsPerTransaction?: number;
}

export class DuckDbStore extends AssessingStore implements Store {
  readonly kind = 'duckdb' as const;
  private constructor(
    private readonly duck: DuckModule,
    private readonly instance: DuckDBInstance,
    private readonly conn: DuckDBConnection,
    readonly path: string,
    private readonly readOnly: boolean,
    /** The cycle's clock: every time the store writes on its own (migrations, quarantine) comes from it. */
    private readonly now: () => Date,
    private readonly txRows: number,
  ) {
    super();
  }

  static async open(path: string, opts: DuckDbOpenOptions = {}): Promise<DuckDbStore> {
    const duck = await import('@duckdb/node-api');
    const readOnly = opts.readOnly ?? false;
    // A scheduled job on a small runner: DuckDB's default is 80% of the machine's memory. Spill beyond this.
    const config: Record<string, string> = { memory_limit: `${memoryLimitMb(opts.memoryLimitMb)}MB` };
    if (readOnly) config.access_mode = 'READ_ONLY';
    let instance: DuckDBInstance;
    try {
      instance = await duck.DuckDBInstance.create(path, config);
    } catch (e) {
      throw CORRUPT.test(String(e)) ? corrupt(path, e) : wrap(`opening ${path}${readOnly ? ' read-only' : ''}`, e);
    }
    const conn = await instance.connect();
    try {
      await conn.run("SET TimeZone = 'UTC'");
      await conn.run('SET preserve_insertion_order = false');
      await verifyReadable(conn, path);
    } catch (e) {
      conn.closeSync();
      instance.closeSync();
      throw e instanceof StoreError ? e : wrap(`opening ${path}`, e);
    }
    return new DuckDbStore(duck, instance, conn, path, readOnly, opts.now ?? (() => new Date()), Math.max(1, Math.floor(opts.maxRowsPerTransaction ?? MAX_ROWS_PER_TRANSACTION)));
  }

  // One connection, used by scopes collecting concurrently: every operation (a read, or a whole transaction) runs
  // alone, in call order.
  private chain: Promise<unknown> = Promise.resolve();
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const p = this.chain.then(fn, fn);
    this.chain = p.catch(() => undefined);
    return p;
  }

  private writable(what: string): void {
    if (this.readOnly) throw new StoreError(`DuckDB store ${this.path} is open read-only: cannot ${what}`);
  }

  /** Values are always bound; Dates become TIMESTAMPTZ values. */
  private bind(values: readonly Cell[]): never {
    return values.map((v) => (v instanceof Date ? this.duck.timestampTZValue(BigInt(v.getTime()) * 1000n) : v)) as never;
  }

  private async all(sql: string, values: readonly Cell[] = []): Promise<Record<string, unknown>[]> {
    const reader = await this.conn.runAndReadAll(sql, this.bind(values));
    return reader.getRowObjectsJS() as Record<string, unknown>[];
  }

  private async exec(sql: string, values: readonly Cell[] = []): Promise<void> {
    await this.conn.run(sql, this.bind(values));
  }

  private async tx<T>(what: string, fn: () => Promise<T>): Promise<T> {
    this.writable(what);
    return this.serial(() => this.txNow(what, fn));
  }

  private async txNow<T>(what: string, fn: () => Promise<T>): Promise<T> {
    await this.conn.run('BEGIN TRANSACTION');
    try {
      const out = await fn();
      await this.conn.run('COMMIT');
      return out;
    } catch (e) {
      await this.conn.run('ROLLBACK').catch(() => undefined);
      throw e instanceof StoreError ? e : wrap(what, e);
    }
  }

  async migrate(): Promise<void> {
    await this.tx('migrate', async () => {
      await this.conn.run('CREATE TABLE IF NOT EXISTS schema_version (version BIGINT, description VARCHAR, applied_at TIMESTAMPTZ)');
      const rows = await this.all('SELECT max(version) AS v FROM schema_version');
      const current = Number(rows[0]?.v ?? 0);
      for (const m of MIGRATIONS) {
        if (m.version <= current) continue;
        for (const t of m.tables) await this.conn.run(ddl(t));
        for (const a of m.addColumns ?? []) await this.conn.run(`ALTER TABLE ${ident(a.table)} ADD COLUMN IF NOT EXISTS ${ident(a.column[0])} ${DUCK_TYPES[a.column[1]]}`);
        await this.exec('INSERT INTO schema_version VALUES ($1, $2, $3)', [m.version, m.description, this.now()]);
      }
    });
  }

  checkSchema(): Promise<number> {
    return this.serial(async () => {
      let v = 0;
      try {
        const t = await this.all("SELECT count(*) AS n FROM information_schema.tables WHERE table_name = 'schema_version'");
        if (Number(t[0]?.n ?? 0) > 0) v = Number((await this.all('SELECT max(version) AS v FROM schema_version'))[0]?.v ?? 0);
      } catch (e) {
        throw wrap('reading the schema version', e);
      }
      if (v !== LATEST_VERSION) throw new SchemaVersionError(v, LATEST_VERSION);
      return v;
    });
  }

  /**
   * Writes the runs in transactions of at most `txRows` rows, each all or nothing (and bisected on its own when
   * DuckDB refuses a row): DuckDB holds a transaction's appended rows in memory until its commit, and at 64 MB a
   * transaction of 100,000 runs fails to append (measured; 72,000 pass), so this bounds the store's memory
   * whatever the batch's size (large text spills; the row count is what does not). A failure part-way leaves the transactions before it committed; the upsert is idempotent, so the
   * cycle that retries finds those rows unchanged. Other operations may run between two transactions.
   */
  async upsertRuns(input: readonly Run[]): Promise<UpsertResult> {
    this.writable('write runs');
    const runs = dedupeNewest(input, storedRunKey);
    const bad: { run: Run; reason: string }[] = [];
    let res: UpsertResult = NOTHING;
    for (let from = 0; from < runs.length || from === 0; from += this.txRows) {
      const { rows, bad: unfit } = runRows(runs.slice(from, from + this.txRows));
      bad.push(...unfit);
      const part = await this.serial(() =>
        writeBisecting(rows, {
          write: (p) => this.txNow('writing runs', () => writeRunRows(this.duck, this.conn, p.map((x) => x.row))),
          isDataError,
          refuse: (p, reason) => bad.push({ run: p.run, reason }),
        }),
      );
      res = addResults(res, part);
    }
    if (bad.length > 0)
      await this.serial(() =>
        this.txNow('quarantining runs', async () => {
          for (const b of bad) await this.quarantine(b.run.platform, b.run.scope, b.run.runId, b.run.cycleId, b.reason, { ...b.run, raw: undefined });
        }),
      );
    return { ...res, quarantined: bad.length };
  }

  private async quarantine(platform: string, scope: string, id: string, cycleId: string, reason: string, item: unknown): Promise<void> {
    let payload: string;
    try {
      payload = jsonText(item) ?? '{}';
    } catch {
      payload = '{}';
    }
    await this.exec('INSERT INTO quarantine VALUES ($1, $2, $3, $4, $5, $6, $7)', [clip(platform, 1000), clip(scope, 1000), clip(id, 1000), clip(reason, 1000), payload, clip(cycleId, 1000), this.now()]);
  }

  async quarantineItems(items: readonly QuarantineItem[]): Promise<void> {
    if (items.length === 0) return;
    await this.tx('quarantining items', async () => {
      for (const q of items) await this.exec('INSERT INTO quarantine VALUES ($1, $2, $3, $4, $5, $6, $7)', [q.platform, q.scope, q.itemId, q.reason.slice(0, 1000), q.payload, q.cycleId, q.at]);
    });
  }

  async readQuarantine(opts: { limit?: number } = {}): Promise<QuarantineItem[]> {
    const rows = await this.serial(() => this.all('SELECT * FROM quarantine ORDER BY quarantined_at, platform, scope, run_id LIMIT $1', [opts.limit ?? 1000]));
    return rows.map((r) => ({ platform: String(r.platform), scope: String(r.scope), itemId: String(r.run_id), reason: String(r.reason), payload: String(r.payload), cycleId: String(r.cycle_id), at: r.quarantined_at as Date }));
  }

  async releaseQuarantine(items: readonly Pick<QuarantineItem, 'platform' | 'scope' | 'itemId' | 'cycleId'>[]): Promise<void> {
    if (items.length === 0) return;
    await this.tx('releasing quarantined items', async () => {
      for (const q of items) await this.exec('DELETE FROM quarantine WHERE platform = $1 AND scope = $2 AND run_id = $3 AND cycle_id = $4', [q.platform, q.scope, q.itemId, q.cycleId]);
    });
  }

  async upsertJobs(input: readonly Job[]): Promise<UpsertResult> {
    this.writable('write jobs');
    const rows = jobRows(input);
    const bad: { job: Job; reason: string }[] = [];
    return this.serial(async () => {
      const res = await writeBisecting(rows, {
        write: (part) => this.txNow('writing jobs', () => this.writeJobs(part.map((p) => p.row))),
        isDataError,
        refuse: (p, reason) => bad.push({ job: p.job, reason }),
      });
      // A refused job is kept under the id `job:<jobId>`, so that it is never mistaken for a run.
      if (bad.length > 0) await this.txNow('quarantining jobs', async () => {
        for (const b of bad) await this.quarantine(b.job.platform, b.job.scope, `job:${b.job.jobId}`, b.job.cycleId, b.reason, { ...b.job, raw: undefined });
      });
      return { ...res, quarantined: bad.length };
    });
  }

  private async writeJobs(rows: readonly Cell[][]): Promise<UpsertResult> {
    await stage(this.duck, this.conn, TABLES.jobs!, 'stage_jobs', rows);
    const c = await this.all(
      'SELECT count(*) FILTER (WHERE t.job_id IS NULL) AS ins, count(*) FILTER (WHERE t.job_id IS NOT NULL) AS upd FROM stage_jobs s LEFT JOIN jobs t ON t.platform = s.platform AND t.scope = s.scope AND t.job_id = s.job_id',
    );
    await this.conn.run(jobStateChangeSql('jobs', 'stage_jobs'));
    await this.conn.run(mergeSql(TABLES.jobs!, 'stage_jobs', 's.last_seen_at >= t.last_seen_at'));
    await this.conn.run('DROP TABLE IF EXISTS temp.stage_jobs');
    return { inserted: Number(c[0]?.ins ?? 0), updated: Number(c[0]?.upd ?? 0), unchanged: 0, statusChanges: 0, quarantined: 0 };
  }

  getCoverage(platform: Platform, scope: string): Promise<Coverage | null> {
    return this.serial(async () => {
      const rows = await this.all('SELECT * FROM coverage WHERE platform = $1 AND scope = $2', [platform, scope]).catch((e: unknown) => {
        throw wrap('reading coverage', e);
      });
      const r = rows[0];
      return r ? { platform, scope, coveredUntil: r.covered_until as Date, cycleId: String(r.cycle_id), updatedAt: r.updated_at as Date } : null;
    });
  }

  async recordCoverage(c: Coverage): Promise<void> {
    await this.tx('recording coverage', async () => {
      await this.exec('DELETE FROM coverage WHERE platform = $1 AND scope = $2', [c.platform, c.scope]);
      await this.exec('INSERT INTO coverage VALUES ($1, $2, $3, $4, $5)', [c.platform, c.scope, c.coveredUntil, c.cycleId, c.updatedAt]);
    });
  }

  async recordGap(g: Gap): Promise<void> {
    await this.tx('recording a gap', () => this.exec('INSERT INTO gaps VALUES ($1, $2, $3, $4, $5, $6)', [g.platform, g.scope, g.from, g.to, g.cycleId, g.recordedAt]));
  }

  async recordCycle(c: CycleRecord): Promise<void> {
    await this.tx('recording the cycle', () =>
      this.exec('INSERT INTO cycles VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)', [
        c.cycleId,
        c.startedAt,
        c.endedAt,
        c.outcome,
        c.runsSeen,
        c.runsWritten,
        c.failedRuns,
        c.warnings,
        JSON.stringify(c.report),
        c.toolVersion,
      ]),
    );
  }

  lastCycle(): Promise<CycleRecord | null> {
    return this.serial(async () => {
      const r = (await this.all('SELECT * FROM cycles ORDER BY ended_at DESC, cycle_id DESC LIMIT 1'))[0];
      if (!r) return null;
      return {
        cycleId: String(r.cycle_id),
        startedAt: r.started_at as Date,
        endedAt: r.ended_at as Date,
        outcome: r.outcome as CycleRecord['outcome'],
        runsSeen: Number(r.runs_seen),
        runsWritten: Number(r.runs_written),
        failedRuns: Number(r.failed_runs),
        warnings: Number(r.warnings),
        report: JSON.parse(String(r.report)) as unknown,
        toolVersion: String(r.tool_version),
      };
    });
  }

  readRuns(q: RunQuery = {}): Promise<Run[]> {
    return this.serial(async () => {
      const where: string[] = [];
      const values: Cell[] = [];
      const add = (sql: string, v: Cell) => {
        values.push(v);
        where.push(sql.replace('?', `$${values.length}`));
      };
      if (q.platform) add('platform = ?', q.platform);
      if (q.scope) add('scope = ?', q.scope);
      if (q.since) add('coalesce(started_at, last_seen_at) >= ?', q.since);
      if (q.categories?.length) where.push(`status_category IN (${q.categories.map((c) => { values.push(c); return `$${values.length}`; }).join(', ')})`);
      const limit = q.limit ? ` LIMIT ${Math.max(1, Math.floor(q.limit))}` : '';
      const rows = await this.all(`SELECT * FROM runs${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY started_at DESC NULLS LAST, platform, scope, run_id${limit}`, values);
      return rows.map(rowToRun);
    });
  }

  readJobs(platform?: Platform): Promise<Job[]> {
    return this.serial(async () => {
      const rows = platform ? await this.all('SELECT * FROM jobs WHERE platform = $1 ORDER BY scope, job_id', [platform]) : await this.all('SELECT * FROM jobs ORDER BY platform, scope, job_id');
      return rows.map(rowToJob);
    });
  }

  readStatusHistory(platform: Platform, scope: string, runId: string): Promise<StatusChange[]> {
    return this.serial(async () => {
      const rows = await this.all('SELECT * FROM run_status_history WHERE platform = $1 AND scope = $2 AND run_id = $3 ORDER BY observed_at, cycle_id', [platform, scope, runId]);
      return rows.map((r) => ({
        platform,
        scope,
        runId,
        category: r.status_category as StatusChange['category'],
        detail: (r.status_detail as string | null) ?? null,
        raw: String(r.status_raw),
        observedAt: r.observed_at as Date,
        vendorUpdatedAt: (r.vendor_updated_at as Date | null) ?? null,
        cycleId: String(r.cycle_id),
      }));
    });
  }

  countRuns(): Promise<number> {
    return this.serial(async () => {
      return Number((await this.all('SELECT count(*) AS n FROM runs'))[0]?.n ?? 0);
    });
  }

  /** Statements cost no round trip here: the schema check, then the lease. */
  async beginCycle(holder: string, ttlMs: number, now: Date): Promise<boolean> {
    await this.checkSchema();
    return this.acquireLease(holder, ttlMs, now);
  }

  async acquireLease(holder: string, ttlMs: number, now: Date): Promise<boolean> {
    return this.tx('taking the write lease', async () => {
      const cur = (await this.all('SELECT holder, expires_at FROM lease WHERE lease_id = 1'))[0];
      if (cur && cur.holder !== holder && (cur.expires_at as Date).getTime() > now.getTime()) return false;
      await this.conn.run('DELETE FROM lease WHERE lease_id = 1');
      await this.exec('INSERT INTO lease VALUES (1, $1, $2)', [holder, new Date(now.getTime() + ttlMs)]);
      return true;
    });
  }

  async releaseLease(holder: string): Promise<void> {
    await this.tx('releasing the write lease', () => this.exec('DELETE FROM lease WHERE lease_id = 1 AND holder = $1', [holder]));
  }

  readLease(): Promise<Lease | null> {
    return this.serial(async () => {
      const r = (await this.all('SELECT holder, expires_at FROM lease WHERE lease_id = 1'))[0];
      return r ? { holder: String(r.holder), expiresAt: r.expires_at as Date } : null;
    });
  }

  /**
   * Checkpoints before closing, so the file holds everything and no `.wal` is left to replay (or to lose) later;
   * a checkpoint that fails is reported, after the file is closed.
   */
  async close(): Promise<void> {
    let failed: unknown = null;
    if (!this.readOnly) await this.serial(() => this.conn.run('CHECKPOINT')).catch((e: unknown) => (failed = e));
    this.conn.closeSync();
    this.instance.closeSync();
    if (failed !== null) throw CORRUPT.test(String(failed)) ? corrupt(this.path, failed) : wrap(`checkpointing ${this.path}`, failed);
  }

  // ---- Assessment and delivery (AssessStore): one shared implementation over this store's SQL session. ----
  protected sqlSession(): SqlSession {
    const runner: SqlRunner = { query: (sql, binds = []) => this.all(sql, binds) };
    return {
        table: (name) => ident(name),
        types: DUCK_TYPES,
        json: DUCKDB_JSON,
        read: (fn) =>
          this.serial(() => fn(runner)).catch((e: unknown) => {
            throw e instanceof StoreError ? e : wrap('reading', e);
          }),
        tx: (what, fn) => this.tx(what, () => fn(runner)),
      };
  }
}

/**
 * Reads every column of every table once. DuckDB checks a block's checksum when it reads it, and only then, so a
 * damaged data block goes unnoticed by writes (new rows go to new blocks) until something reads it; this makes the
 * damage fail the open, loudly, instead of cycles reporting "ok" on top of it. It is a scan of the whole file:
 * tens of milliseconds for a year of runs of a typical estate.
 */
async function verifyReadable(conn: DuckDBConnection, path: string): Promise<void> {
  try {
    const cols = (await conn.runAndReadAll("SELECT table_name, column_name FROM duckdb_columns() WHERE database_name = current_database() AND schema_name = 'main' AND NOT internal ORDER BY table_name, column_index")).getRowsJS();
    const byTable = new Map<string, string[]>();
    for (const [t, c] of cols) byTable.set(String(t), [...(byTable.get(String(t)) ?? []), String(c)]);
    for (const [t, cs] of byTable) {
      const q = (n: string) => `"${n.replaceAll('"', '""')}"`;
      await conn.run(`SELECT count(*), ${cs.map((c) => `max(${q(c)})`).join(', ')} FROM ${q(t)}`);
    }
  } catch (e) {
    throw CORRUPT.test(String(e)) || /IO Error/.test(String(e)) ? corrupt(path, e) : wrap(`reading ${path}`, e);
  }

}

export function openDuckDbStore(path: string, opts: DuckDbOpenOptions = {}): Promise<DuckDbStore> {
  return DuckDbStore.open(path, opts);
}
