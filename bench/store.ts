// Benchmark: one upsert of N runs into each store (and, for Snowflake, the statements it took). After `npm run build`:
//   node dist/bench/store.js [--sizes 1000,10000,100000]
// The Snowflake store runs against the local emulator (the real snowflake-sdk over HTTP, DuckDB behind it): its wall
// time measures the driver and the emulator, not a warehouse; its statement count is what a warehouse would see.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SCHEMA_VERSION, type Run } from '../normalize/schema.js';
import { openDuckDbStore } from '../sinks/store/duckdb.js';
import { startSnowflakeEmulator } from '../sim/snowflake/emulator.js';
import { openSnowflakeStore } from '../sinks/store/snowflake.js';

const { values } = parseArgs({ options: { sizes: { type: 'string', default: '1000,10000,100000' }, stores: { type: 'string', default: 'duckdb,snowflake' } } });
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

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'pa-bench-store-'));
  const emu = await startSnowflakeEmulator({ users: { bench: 'bench' } });
  const { default: snowflake } = await import('snowflake-sdk');
  snowflake.configure({ logLevel: 'OFF', additionalLogToConsole: false });
  console.log('store | rows | statements | wall s');
  try {
    for (const n of sizes) {
      const runs = Array.from({ length: n }, (_, i) => run(i));
      if (stores.includes('duckdb')) {
        const duck = await openDuckDbStore(join(dir, `b${n}.duckdb`));
        await duck.migrate();
        const t = performance.now();
        await duck.upsertRuns(runs);
        console.log(`duckdb | ${n} | — | ${((performance.now() - t) / 1000).toFixed(2)}`);
        await duck.close();
      }
      if (!stores.includes('snowflake')) continue;

      const sf = await openSnowflakeStore({ account: emu.account, username: 'bench', password: 'bench', accessUrl: emu.accessUrl, loginRetries: 0, database: 'DEV_POWERAPPS', schema: `B${n}` }, { queryTag: 'pipeline-audit bench' });
      await sf.migrate();
      const before = emu.statements.length;
      const t = performance.now();
      await sf.upsertRuns(runs);
      console.log(`snowflake (emulator) | ${n} | ${emu.statements.length - before} | ${((performance.now() - t) / 1000).toFixed(2)}`);
      await sf.close();
    }
  } finally {
    await emu.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
