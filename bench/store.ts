// Benchmark: one upsert of N runs into each store (and, for Snowflake, the statements it took). After `npm run build`:
//   node dist/bench/store.js [--sizes 1000,10000,100000] [--stores duckdb,snowflake] [--repeat 3] [--memory-limit MB] [--tx-rows N]
//     [--backfill 500000 --batch 72000]
// DuckDB: each of --repeat upserts goes to a fresh file; the fastest and the median wall time are printed, with the
// process CPU time of the fastest (JS thread + DuckDB's threads: on a busy machine wall time waits for a core, CPU
// time does not). --backfill N then writes N runs in batches of --batch into one file, as a backfill's chunks do,
// then a second pass of the same runs (the overlap re-read: all unchanged), and prints the process's peak RSS.
// The Snowflake store runs against the local emulator (the real snowflake-sdk over HTTP, DuckDB behind it): its wall
// time measures the driver and the emulator, not a warehouse; its statement count is what a warehouse would see.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SCHEMA_VERSION, type Run } from '../normalize/schema.js';
import { openDuckDbStore } from '../sinks/store/duckdb.js';
import { startSnowflakeEmulator } from '../sim/snowflake/emulator.js';
import { openSnowflakeStore } from '../sinks/store/snowflake.js';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '1000,10000,100000' },
    stores: { type: 'string', default: 'duckdb,snowflake' },
    repeat: { type: 'string', default: '3' },
    backfill: { type: 'string', default: '0' },
    batch: { type: 'string', default: '72000' },
    /** DuckDB's memory_limit in MB (default: the store's own). */
    'memory-limit': { type: 'string' },
    /** Runs per transaction of a DuckDB upsert (default: the store's own). */
    'tx-rows': { type: 'string' },
    /** The figures as JSON on stdout (for bench/all.ts) instead of the table. */
    json: { type: 'boolean', default: false },
  },
});
const results: { store: string; rows: number; fastestS?: number; medianS?: number; cpuS?: number; statements?: number; wallS?: number }[] = [];
/** A table line, unless --json (then only the collected figures are printed at the end). */
const say = (line: string) => {
  if (!values.json) console.log(line);
};
const repeat = Math.max(1, Number(values.repeat));
const memoryLimitMb = values['memory-limit'] === undefined ? undefined : Number(values['memory-limit']);
const txRows = values['tx-rows'] === undefined ? undefined : Number(values['tx-rows']);
const duckOpts = { ...(memoryLimitMb === undefined ? {} : { memoryLimitMb }), ...(txRows === undefined ? {} : { maxRowsPerTransaction: txRows }) };
const sizes = values.sizes.split(',').map(Number);
const stores = values.stores.split(',');
const T0 = Date.now();

function run(i: number): Run {
  const at = new Date(T0 - i * 1000);
  return {
    schemaVersion: SCHEMA_VERSION,
    platform: 'databricks',
    scope: 'bench',
    jobId: `job-${i % 200}`,
    jobName: `nightly_job_${i % 200}`,
    runId: `run-${i}`,
    attempt: 0,
    attemptGroup: `run-${i}`,
    isFinalAttempt: true,
    parentRunId: null,
    runType: 'JOB_RUN',
    status: i % 10 === 0 ? { category: 'failed', detail: null, raw: 'TERMINATED/FAILED' } : { category: 'succeeded', detail: null, raw: 'TERMINATED/SUCCESS' },
    scheduledAt: null,
    startedAt: at,
    endedAt: new Date(at.getTime() + 60_000),
    updatedAt: null,
    durationMs: 60_000,
    trigger: 'PERIODIC',
    errorCode: i % 10 === 0 ? 'RUN_EXECUTION_ERROR' : null,
    errorClass: null,
    errorMessage: i % 10 === 0 ? 'org.apache.spark.SparkException: Job aborted.\nCaused by: java.io.FileNotFoundException: s3://bucket/x' : null,
    url: `https://adb-1.azuredatabricks.net/?o=1#job/1/run/${i}`,
    rowsProcessed: null,
    bytesProcessed: null,
    raw: { run_id: i, tasks: [{ task_key: 'ingest', state: 'SUCCESS' }] },
    firstSeenAt: new Date(T0),
    lastSeenAt: new Date(T0),
    cycleId: 'bench',
  };
}

/** A backfill's writes: `total` runs in batches, then the same runs again (unchanged); the peak RSS of the process. */
async function backfill(dir: string, total: number, batch: number) {
  const duck = await openDuckDbStore(join(dir, 'backfill.duckdb'), duckOpts);
  try {
    await duck.migrate();
    for (const pass of ['new', 'unchanged']) {
      const t = performance.now();
      for (let from = 0; from < total; from += batch) await duck.upsertRuns(Array.from({ length: Math.min(batch, total - from) }, (_, i) => run(from + i)));
      console.log(`duckdb backfill | ${total} ${pass} in batches of ${batch} | — | ${((performance.now() - t) / 1000).toFixed(2)}`);
    }
  } finally {
    await duck.close();
  }
  console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB${memoryLimitMb === undefined ? '' : `, DuckDB memory_limit ${memoryLimitMb} MB`}`);
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'pa-bench-store-'));
  // The emulator (DuckDB inside) only when measured: it would add its own memory to the peak RSS.
  const emu = stores.includes('snowflake') ? await startSnowflakeEmulator({ users: { bench: 'bench' } }) : null;
  if (emu) (await import('snowflake-sdk')).default.configure({ logLevel: 'OFF', additionalLogToConsole: false });
  say('store | rows | statements | wall s');
  try {
    for (const n of sizes) {
      const runs = Array.from({ length: n }, (_, i) => run(i));
      if (stores.includes('duckdb')) {
        const walls: number[] = [];
        let cpuOfFastest = 0;
        for (let k = 0; k < repeat; k++) {
          const duck = await openDuckDbStore(join(dir, `b${n}-${k}.duckdb`), duckOpts);
          await duck.migrate();
          const cpu = process.cpuUsage();
          const t = performance.now();
          await duck.upsertRuns(runs);
          const wall = (performance.now() - t) / 1000;
          const used = process.cpuUsage(cpu);
          if (walls.every((w) => wall < w)) cpuOfFastest = (used.user + used.system) / 1e6;
          walls.push(wall);
          await duck.close();
        }
        const sorted = [...walls].sort((a, b) => a - b);
        results.push({ store: 'duckdb', rows: n, fastestS: sorted[0]!, medianS: sorted[Math.floor(repeat / 2)]!, cpuS: cpuOfFastest });
        say(`duckdb | ${n} | — | ${sorted[0]!.toFixed(2)} fastest of ${repeat}, median ${sorted[Math.floor(repeat / 2)]!.toFixed(2)}, CPU ${cpuOfFastest.toFixed(2)} s`);
      }
      if (!emu) continue;

      const sf = await openSnowflakeStore({ account: emu.account, username: 'bench', password: 'bench', accessUrl: emu.accessUrl, loginRetries: 0, database: 'DEV_POWERAPPS', schema: `B${n}` }, { queryTag: 'pipeline-audit bench' });
      await sf.migrate();
      const before = emu.statements.length;
      const t = performance.now();
      await sf.upsertRuns(runs);
      results.push({ store: 'snowflake', rows: n, statements: emu.statements.length - before, wallS: (performance.now() - t) / 1000 });
      say(`snowflake (emulator) | ${n} | ${emu.statements.length - before} | ${((performance.now() - t) / 1000).toFixed(2)}`);
      await sf.close();
    }
    const total = Number(values.backfill);
    if (total > 0 && stores.includes('duckdb')) await backfill(dir, total, Number(values.batch));
  } finally {
    await emu?.close();
    rmSync(dir, { recursive: true, force: true });
  }
  if (values.json) process.stdout.write(JSON.stringify({ loadavg: readFileSync('/proc/loadavg', 'utf8').trim(), results }, null, 2) + '\n');
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
