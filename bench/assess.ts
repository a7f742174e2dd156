// Benchmark: one assessment cycle (`assessHealth`: its inputs in one read (snapshot, open incidents, silences,
// ledger), the pure `assess`, writeIncidents; no model) over a year of history in DuckDB, and the statements the same cycle sends to
// Snowflake (the emulator, the real snowflake-sdk). After `npx tsc -p tsconfig.build.json`:
//   node dist/bench/assess.js [--runs 2000000] [--jobs 1000] [--repeat 3] [--sf-jobs 50] [--sf-runs 100]
// The history is loaded with one INSERT … SELECT FROM range(n) straight into the runs table (a few seconds for
// 2 million rows; the store's upsertRuns stages JSON and merges, far slower at this volume and not what is measured
// here), in a child process, so the peak RSS printed is the assessing process's own.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { SCHEMA_VERSION, type Job, type Run } from '../normalize/schema.js';
import { assessHealth, DEFAULT_ASSESSMENT } from '../health.js';
import { assess, SNAPSHOT_LIMITS } from '../summarize/assess/index.js';
import type { AuditReport, ScopeReport } from '../summarize/report.js';
import type { AssessmentInputs, ScopeRef, Store } from '../sinks/store/types.js';
import { openDuckDbStore } from '../sinks/store/duckdb.js';
import { openSnowflakeStore } from '../sinks/store/snowflake.js';
import { startSnowflakeEmulator } from '../sim/snowflake/emulator.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '2000000' },
    jobs: { type: 'string', default: '1000' },
    repeat: { type: 'string', default: '3' },
    'sf-jobs': { type: 'string', default: '50' },
    'sf-runs': { type: 'string', default: '100' },
    stores: { type: 'string', default: 'duckdb,snowflake' },
    load: { type: 'string' }, // internal: the child process that builds the DuckDB file
  },
});
const RUNS = Number(values.runs);
const JOBS = Number(values.jobs);
const SCOPES = 4;
const NOW = new Date('2026-11-24T12:00:00.000Z');
const YEAR_S = 365 * 86_400;
const scopeRefs: ScopeRef[] = Array.from({ length: SCOPES }, (_, i) => ({ platform: 'databricks', scope: `ws-${i}` }));

/**
 * The year of runs, per job evenly spaced (`runs / jobs` a year: every 4.4 h at the defaults) with a per-job phase.
 * Mix: 3 % failed at random, every 50th job failing its last 5 runs (a streak), every 100th job's newest run still
 * running, 0.5 % of runs with a failed first attempt a retry fixed (a non-final attempt beside the final one).
 */
function runsSelect(n: number, jobs: number, retries: boolean): string {
  const perJob = Math.ceil(n / jobs);
  const iv = Math.floor(YEAR_S / perJob);
  const now = `TIMESTAMPTZ '${NOW.toISOString()}'`;
  const g = `SELECT i, i % ${jobs} AS j, ${perJob - 1} - i // ${jobs} AS age, hash(i) % 1000 AS h FROM range(${n}) t(i)`;
  const start = `(${now} - to_seconds(age * ${iv} + (j * 37) % ${iv} + 60))`;
  const running = `(j % 100 = 1 AND age = 0)`;
  const failed = `(NOT ${running} AND ((j % 50 = 0 AND age < 5) OR h < 30))`;
  const dur = `(60000 + (j * 1009) % 600000 + h * 97)`;
  const runId = retries ? `'run-' || i || '-a0'` : `'run-' || i`;
  const status = retries ? `'failed', NULL, 'TERMINATED/FAILED'` : `CASE WHEN ${running} THEN 'running' WHEN ${failed} THEN 'failed' ELSE 'succeeded' END, NULL, CASE WHEN ${running} THEN 'RUNNING' WHEN ${failed} THEN 'TERMINATED/FAILED' ELSE 'TERMINATED/SUCCESS' END`;
  const end = retries ? `${start} + to_milliseconds(30000)` : `CASE WHEN ${running} THEN NULL ELSE ${start} + to_milliseconds(${dur}) END`;
  const err = `CASE WHEN ${retries ? 'true' : failed} THEN 'RUN_EXECUTION_ERROR' END, CASE WHEN ${retries ? 'true' : failed} THEN 'spark' END, CASE WHEN ${retries ? 'true' : failed} THEN 'org.apache.spark.SparkException: Job aborted due to stage failure: task ' || h || ' failed 4 times' END`;
  return `INSERT INTO runs (platform, scope, run_id, job_id, job_name, attempt, attempt_group, is_final_attempt, parent_run_id, run_type, status_category, status_detail, status_raw, scheduled_at, started_at, ended_at, updated_at, duration_ms, trigger_type, error_code, error_class, error_message, url, rows_processed, bytes_processed, raw, schema_version, first_seen_at, last_seen_at, cycle_id, version)
    SELECT 'databricks', 'ws-' || (j % ${SCOPES}), ${runId}, 'job-' || j, 'job_' || j, ${retries ? 0 : `CASE WHEN h BETWEEN 30 AND 34 THEN 1 ELSE 0 END`}, 'run-' || i, ${retries ? 'false' : 'true'}, NULL, 'JOB_RUN',
      ${status}, ${start}, ${start}, ${end}, ${end}, ${retries ? '30000' : `CASE WHEN ${running} THEN NULL ELSE ${dur} END`}, 'PERIODIC', ${err},
      'https://adb-1.azuredatabricks.net/#job/' || j || '/run/' || i, ${retries ? 'NULL' : `CASE WHEN ${failed} OR ${running} THEN NULL ELSE 1000 + h END`}, NULL, NULL, ${SCHEMA_VERSION},
      COALESCE(${end}, ${start}), COALESCE(${end}, ${start}), 'seed', '0'
    FROM (${g}) ${retries ? 'WHERE h BETWEEN 30 AND 34' : ''}`;
}

function job(j: number): Job {
  return {
    schemaVersion: SCHEMA_VERSION,
    platform: 'databricks',
    scope: `ws-${j % SCOPES}`,
    jobId: `job-${j}`,
    name: `job_${j}`,
    // No schedule: inferred from the regular history (the assessment's heavier path).
    schedule: null,
    scheduleTimezone: null,
    paused: false,
    state: 'UNPAUSED',
    owner: null,
    tags: { team: `team-${j % 5}` },
    url: `https://adb-1.azuredatabricks.net/#job/${j}`,
    deleted: false,
    raw: null,
    firstSeenAt: new Date(NOW.getTime() - YEAR_S * 1000),
    lastSeenAt: NOW,
    cycleId: 'seed',
  };
}

async function seedCommon(store: Store, jobs: number): Promise<void> {
  await store.upsertJobs(Array.from({ length: jobs }, (_, j) => job(j)));
  const ended = new Date(NOW.getTime() - 15 * 60_000);
  await store.recordCycle({ cycleId: 'seed', startedAt: new Date(ended.getTime() - 60_000), endedAt: ended, outcome: 'ok', runsSeen: 0, runsWritten: 0, failedRuns: 0, warnings: 0, report: {}, toolVersion: 'bench' });
}

/** Child process: the DuckDB file with `runs` runs of `jobs` jobs. */
async function load(path: string): Promise<void> {
  const store = await openDuckDbStore(path);
  await store.migrate();
  await seedCommon(store, JOBS);
  await store.close();
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const db = await DuckDBInstance.create(path);
  const conn = await db.connect();
  const t = performance.now();
  await conn.run(runsSelect(RUNS, JOBS, false));
  await conn.run(runsSelect(RUNS, JOBS, true));
  await conn.run('CHECKPOINT');
  const count = (await conn.runAndReadAll('SELECT count(*) AS n FROM runs')).getRowsJS()[0]?.[0];
  console.log(`loaded ${String(count)} run rows (${RUNS} final attempts + retried first attempts) for ${JOBS} jobs in ${((performance.now() - t) / 1000).toFixed(1)} s (INSERT … SELECT FROM range)`);
  conn.closeSync();
  db.closeSync();
}

function report(cycleId: string): AuditReport {
  const scopes: ScopeReport[] = scopeRefs.map((s) => ({
    platform: s.platform, scope: s.scope, complete: true, window: { start: new Date(NOW.getTime() - 15 * 60_000).toISOString(), end: NOW.toISOString() }, coveredUntil: NOW.toISOString(),
    chunks: { planned: 1, committed: 1 }, runsSeen: 0, runsInserted: 0, runsUpdated: 0, runsRejected: 0, jobsSeen: 0, failedRuns: 0, requests: 1, retries: 0, throttled: 0, warnings: [], incomplete: [], gaps: [], error: null,
  }));
  return { cycleId, toolVersion: 'bench', startedAt: NOW.toISOString(), endedAt: NOW.toISOString(), dryRun: false, outcome: 'ok', store: { kind: 'duckdb', ok: true, error: null }, scopes, notEnabled: [], blindSpots: [], totals: { runsSeen: 0, runsWritten: 0, failedRuns: 0, warnings: 0, requests: 4 }, failedRuns: [] };
}

/** The store with each method's time added up by name (for the breakdown of one cycle). */
function timed(store: Store, ms: Map<string, number>, captured: { inputs?: AssessmentInputs }): Store {
  return new Proxy(store, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof v !== 'function') return v;
      return async (...args: unknown[]) => {
        const t = performance.now();
        try {
          const out: unknown = await (v as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          if (prop === 'readAssessmentInputs') captured.inputs = out as AssessmentInputs;
          return out;
        } finally {
          ms.set(String(prop), (ms.get(String(prop)) ?? 0) + performance.now() - t);
        }
      };
    },
  });
}

async function cycle(store: Store, cycleId: string) {
  const ms = new Map<string, number>();
  const captured: { inputs?: AssessmentInputs } = {};
  const t = performance.now();
  const out = await assessHealth({ store: timed(store, ms, captured), config: DEFAULT_ASSESSMENT, report: report(cycleId), scopes: scopeRefs, collected: [], now: () => NOW, cycleId, model: null, modelName: null, dryRun: false, secrets: [] });
  const total = performance.now() - t;
  // assess() alone, again on the same inputs (it is pure): its own figure, not a remainder.
  const inputs = captured.inputs!;
  const t2 = performance.now();
  assess({ ...inputs, report: report(cycleId), config: DEFAULT_ASSESSMENT, now: NOW, cycleId });
  const assessMs = performance.now() - t2;
  return { ms, total, assessMs, out, jobs: inputs.snapshot.jobs.length };
}

/**
 * The one statement against the five separate reads it replaced (readAssessmentSnapshot's two, open incidents,
 * silences, ledger), alternated so that both see the same machine load: the median of each.
 */
async function readsCompared(store: Store, times: number): Promise<{ one: number; separate: number }> {
  const opts = { now: NOW, finals: SNAPSHOT_LIMITS.finals, successes: SNAPSHOT_LIMITS.successes, cycleId: 'bench-compare' };
  const one: number[] = [];
  const separate: number[] = [];
  for (let i = 0; i < times; i++) {
    let t = performance.now();
    await store.readAssessmentInputs(scopeRefs, opts);
    one.push(performance.now() - t);
    t = performance.now();
    await store.readAssessmentSnapshot(scopeRefs, opts);
    await store.readOpenIncidents();
    await store.readSilences(NOW);
    await store.readLedger();
    separate.push(performance.now() - t);
  }
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  return { one: median(one), separate: median(separate) };
}

const f = (x: number | undefined) => (x ?? 0).toFixed(0);

async function duckdb(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'pa-bench-assess-'));
  const path = join(dir, 'assess.duckdb');
  try {
    execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--load', path, '--runs', String(RUNS), '--jobs', String(JOBS)], { stdio: 'inherit' });
    const store = await openDuckDbStore(path);
    try {
      console.log(`\nDuckDB, ${JOBS} jobs, ${RUNS} runs over 365 days (finals ${SNAPSHOT_LIMITS.finals}, successes ${SNAPSHOT_LIMITS.successes}); RSS after open ${(process.memoryUsage().rss / 1048576).toFixed(0)} MB`);
      console.log('cycle | inputs ms (one read) | assess() ms | writeIncidents ms | total ms | jobs | open incidents | events written | peak RSS MB');
      const repeat = Number(values.repeat);
      for (let i = 0; i <= repeat; i++) {
        const { ms, total, assessMs, out, jobs } = await cycle(store, `bench-${i}`);
        const label = i === 0 ? 'first (opens)' : `steady ${i}`;
        console.log(`${label} | ${f(ms.get('readAssessmentInputs'))} | ${f(assessMs)} | ${f(ms.get('writeIncidents'))} | ${f(total)} | ${jobs} | ${out.incidents.filter((x) => x.state === 'open').length} | ${out.events.length} | ${(process.resourceUsage().maxRSS / 1024).toFixed(0)}`);
      }
      const c = await readsCompared(store, Math.max(3, repeat * 2 + 1));
      console.log(`reads, median of ${Math.max(3, repeat * 2 + 1)} alternated: one statement ${f(c.one)} ms, the separate reads ${f(c.separate)} ms`);
    } finally {
      await store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function sfRuns(jobs: number, perJob: number): Run[] {
  const iv = 3_600_000;
  const out: Run[] = [];
  for (let j = 0; j < jobs; j++)
    for (let k = 0; k < perJob; k++) {
      const age = perJob - 1 - k;
      const failed = (j % 10 === 0 && age < 4) || (j * 31 + k) % 37 === 0;
      const start = new Date(NOW.getTime() - age * iv - ((j * 37_000) % iv) - 60_000);
      const end = new Date(start.getTime() + 120_000 + j * 1000);
      out.push({
        schemaVersion: SCHEMA_VERSION, platform: 'databricks', scope: `ws-${j % SCOPES}`, jobId: `job-${j}`, jobName: `job_${j}`, runId: `run-${j}-${k}`, attempt: 0, attemptGroup: `run-${j}-${k}`, isFinalAttempt: true,
        parentRunId: null, runType: 'JOB_RUN', status: failed ? { category: 'failed', detail: null, raw: 'TERMINATED/FAILED' } : { category: 'succeeded', detail: null, raw: 'TERMINATED/SUCCESS' },
        scheduledAt: start, startedAt: start, endedAt: end, updatedAt: end, durationMs: end.getTime() - start.getTime(), trigger: 'PERIODIC',
        errorCode: failed ? 'RUN_EXECUTION_ERROR' : null, errorClass: failed ? 'spark' : null, errorMessage: failed ? 'org.apache.spark.SparkException: Job aborted.' : null,
        url: null, rowsProcessed: failed ? null : 1000, bytesProcessed: null, raw: null, firstSeenAt: end, lastSeenAt: end, cycleId: 'seed',
      });
    }
  return out;
}

async function snowflakeStatements(): Promise<void> {
  const jobs = Number(values['sf-jobs']);
  const perJob = Number(values['sf-runs']);
  const emu = await startSnowflakeEmulator({ users: { bench: 'bench' } });
  const { default: snowflake } = await import('snowflake-sdk');
  snowflake.configure({ logLevel: 'OFF', additionalLogToConsole: false });
  try {
    const store = await openSnowflakeStore({ account: emu.account, username: 'bench', password: 'bench', accessUrl: emu.accessUrl, loginRetries: 0, database: 'DEV_POWERAPPS', schema: 'ASSESS' }, { queryTag: 'pipeline-audit bench assess' });
    try {
      await store.migrate();
      await store.upsertRuns(sfRuns(jobs, perJob));
      await seedCommon(store, jobs);
      console.log(`\nSnowflake (emulator), ${jobs} jobs × ${perJob} runs: statements per assessment cycle`);
      for (const [i, label] of ['first (opens)', 'steady 1', 'steady 2'].entries()) {
        const before = emu.statements.length;
        const t = performance.now();
        const out = await assessHealth({ store, config: DEFAULT_ASSESSMENT, report: report(`sf-${i}`), scopes: scopeRefs, collected: [], now: () => NOW, cycleId: `sf-${i}`, model: null, modelName: null, dryRun: false, secrets: [] });
        const used = emu.statements.slice(before);
        console.log(`${label}: ${used.length} statements (${((performance.now() - t) / 1000).toFixed(2)} s on the emulator; ${out.incidents.filter((x) => x.state === 'open').length} open incidents, ${out.events.length} events)`);
        for (const s of used) console.log(`  ${s.ok ? 'ok ' : 'ERR'} ${s.sqlText.replace(/\s+/g, ' ').slice(0, 110)}`);
      }
    } finally {
      await store.close();
    }
  } finally {
    await emu.close();
  }
}

async function main(): Promise<void> {
  if (values.load !== undefined) return load(values.load);
  console.log(`load average: ${readFileSync('/proc/loadavg', 'utf8').trim()}`);
  const stores = values.stores.split(',');
  if (stores.includes('duckdb')) await duckdb();
  if (stores.includes('snowflake')) await snowflakeStatements();
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
