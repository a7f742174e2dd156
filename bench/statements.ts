// Benchmark: every Snowflake statement of a whole cycle, counted on the emulator's side (sim/snowflake/, driven by
// the real snowflake-sdk). The real runAudit against the simulated HTTP platforms (bench/sim-server.ts, in a child
// process), assessment on (no model: the deterministic summary), delivery to the outbox transport with two teams,
// so incidents and the ledger are written. A first cycle (a day of history), then a steady-state cycle (15 minutes
// of new runs, some failing), then one upsertRuns of 100,000 rows. After `npx tsc -p tsconfig.build.json`:
//   node dist/bench/statements.js [--jobs 20] [--runs 300] [--steady-runs 40] [--big 100000] [--list] [--json]
// Per cycle it prints the statements grouped by kind (first keyword + table) and by stage (from the store method
// called last before each statement: see tagging()).
import { fork } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runAudit } from '../audit.js';
import type { AuditConfig } from '../config/load.js';
import { SCHEMA_VERSION, type Run } from '../normalize/schema.js';
import { createOutboxTransport } from '../sinks/mail/outbox.js';
import { openSnowflakeStore } from '../sinks/store/snowflake.js';
import type { Store } from '../sinks/store/types.js';
import { startSnowflakeEmulator, type ExecutedStatement, type SnowflakeEmulator } from '../sim/snowflake/emulator.js';
import { AssessConfigSchema } from '../summarize/assess/index.js';
import { BENCH_PLATFORMS, type DataSpec, type Request, type Started } from './sim-server.js';
import { benchScopes } from './scopes.js';

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '20' },
    /** Runs per platform in the first cycle's day of history. */
    runs: { type: 'string', default: '300' },
    'steady-runs': { type: 'string', default: '40' },
    big: { type: 'string', default: '100000' },
    list: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});
const JOBS = Number(values.jobs);
const RUNS = Number(values.runs);
const STEADY = Number(values['steady-runs']);
const BIG = Number(values.big);

export type Stage = 'session' | 'lease+schema' | 'collection/store' | 'assessment' | 'delivery' | 'cycle row' | 'other';
const STAGE: Record<string, Stage> = {
  checkSchema: 'lease+schema',
  beginCycle: 'lease+schema',
  acquireLease: 'lease+schema',
  releaseLease: 'lease+schema',
  readLease: 'lease+schema',
  getCoverage: 'collection/store',
  readCoverage: 'collection/store',
  upsertRuns: 'collection/store',
  upsertJobs: 'collection/store',
  recordCoverage: 'collection/store',
  recordGap: 'collection/store',
  quarantineItems: 'collection/store',
  readJobs: 'collection/store',
  readAssessmentSnapshot: 'assessment',
  readAssessmentInputs: 'assessment',
  readOpenIncidents: 'assessment',
  readSilences: 'assessment',
  readLedger: 'assessment',
  writeIncidents: 'assessment',
  readNarrative: 'assessment',
  writeNarrative: 'assessment',
  readPendingDeliveries: 'delivery',
  claimDelivery: 'delivery',
  confirmDelivery: 'delivery',
  failDelivery: 'delivery',
  recordCycle: 'cycle row',
};

interface Tagged {
  stage: Stage;
  method: string;
  s: ExecutedStatement;
}

/**
 * The store with each statement tagged by the method whose call came last before it. Stages follow one another in
 * the cycle (collection, then assessment, then delivery, then the cycle row), so the stage is exact; within the
 * collection the scopes' calls interleave, so the method is approximate there (the store batches calls queued
 * together, which a proxy that ran them one at a time would prevent).
 */
function tagging(store: Store, emu: SnowflakeEmulator, log: Tagged[]): { store: Store; flush(): void } {
  let method = 'open';
  let from = emu.statements.length;
  const flush = () => {
    for (const s of emu.statements.slice(from)) log.push({ stage: STAGE[method] ?? 'other', method, s });
    from = emu.statements.length;
  };
  const proxy = new Proxy(store, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof v !== 'function' || prop === 'close') return v;
      return (...args: unknown[]) => {
        flush();
        method = String(prop);
        return (v as (...a: unknown[]) => Promise<unknown>).apply(target, args);
      };
    },
  });
  return { store: proxy, flush };
}

/** `MERGE DEV.SCHEMA.RUNS`, `INSERT RUN_STATUS_HISTORY`, `BEGIN`: the first keyword and the first table named. */
export function kindOf(sql: string): string {
  const text = sql.replace(/\s+/g, ' ').trim();
  const word = (/^(\w+)/.exec(text)?.[1] ?? '?').toUpperCase();
  if (['BEGIN', 'COMMIT', 'ROLLBACK'].includes(word)) return word;
  if (word === 'ALTER') return text.split(' ').slice(0, 3).join(' ').toUpperCase();
  // Every table the store names is qualified (DB.SCHEMA.NAME): the first one is the statement's table.
  const t = /\b[A-Za-z_]\w*\.[A-Za-z_]\w*\.("?[A-Za-z_][A-Za-z0-9_$]*"?)/.exec(text);
  return `${word} ${(t?.[1] ?? '').replaceAll('"', '').toLowerCase()}`.trim();
}

function configFor(s: Started): AuditConfig {
  const scopes = benchScopes(s);
  return {
    scopes,
    enabled: scopes.map((x) => x.platform),
    notEnabled: [],
    store: { kind: 'snowflake', settings: { account: 'emulator', username: 'bench', database: 'DEV_POWERAPPS', schema: 'STATEMENTS' }, spoolDir: null },
    initialLookbackMs: 86_400_000,
    cycleTimeoutMs: 10 * 60_000,
    limits: { maxPages: 100_000, maxDetailRequests: 10_000 },
    http: { retries: 2 },
    secrets: [],
    configFile: null,
    assessment: AssessConfigSchema.parse({
      teams: [
        { name: 'data', email: ['data@example.test'], match: [{ platform: 'databricks' }] },
        { name: 'integrations', email: ['integrations@example.test'], match: [{ platform: 'airbyte' }, { platform: 'powerautomate' }] },
      ],
      defaultTeam: { name: 'support', email: ['support@example.test'] },
    }),
    llm: null,
  };
}

export interface CycleCount {
  label: string;
  total: number;
  failed: number;
  byStage: Record<string, number>;
  byKind: Record<string, number>;
  byMethod: Record<string, number>;
  openIncidents: number;
  events: number;
  deliveries: string[];
  list: string[];
}

function summarize(label: string, log: readonly Tagged[], report: Awaited<ReturnType<typeof runAudit>>): CycleCount {
  const count = (key: (t: Tagged) => string) => {
    const out: Record<string, number> = {};
    for (const t of log) out[key(t)] = (out[key(t)] ?? 0) + 1;
    return Object.fromEntries(Object.entries(out).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)));
  };
  const h = report.health;
  return {
    label,
    total: log.length,
    failed: log.filter((t) => !t.s.ok).length,
    byStage: count((t) => t.stage),
    byKind: count((t) => `${t.stage} | ${kindOf(t.s.sqlText)}`),
    byMethod: count((t) => `${t.stage} | ${t.method}`),
    openIncidents: (h?.open.critical ?? 0) + (h?.open.warning ?? 0),
    events: (h?.opened ?? 0) + (h?.resolved ?? 0),
    deliveries: (h?.deliveries ?? []).map((d) => `${d.team}: ${d.status}${d.reason ? ` (${d.reason})` : ''}`),
    list: log.map((t) => `${t.s.ok ? 'ok ' : 'ERR'} ${t.stage.padEnd(16)} ${t.method.padEnd(22)} ${t.s.sqlText.replace(/\s+/g, ' ').slice(0, 120)}`),
  };
}

function bigRuns(n: number): Run[] {
  const t0 = Date.parse('2026-11-24T12:00:00.000Z');
  return Array.from({ length: n }, (_, i): Run => {
    const at = new Date(t0 - i * 1000);
    return {
      schemaVersion: SCHEMA_VERSION, platform: 'databricks', scope: 'big', jobId: `job-${i % 200}`, jobName: `job_${i % 200}`, runId: `run-${i}`, attempt: 0, attemptGroup: `run-${i}`, isFinalAttempt: true,
      parentRunId: null, runType: 'JOB_RUN', status: i % 10 === 0 ? { category: 'failed', detail: null, raw: 'TERMINATED/FAILED' } : { category: 'succeeded', detail: null, raw: 'TERMINATED/SUCCESS' },
      scheduledAt: null, startedAt: at, endedAt: new Date(at.getTime() + 60_000), updatedAt: null, durationMs: 60_000, trigger: 'PERIODIC',
      errorCode: null, errorClass: null, errorMessage: i % 10 === 0 ? 'org.apache.spark.SparkException: Job aborted.' : null,
      url: `https://adb-1.azuredatabricks.net/?o=1#job/1/run/${i}`, rowsProcessed: null, bytesProcessed: null, raw: { run_id: i }, firstSeenAt: new Date(t0), lastSeenAt: new Date(t0), cycleId: 'big',
    };
  });
}

async function main(): Promise<void> {
  const child = fork(join(dirname(fileURLToPath(import.meta.url)), 'sim-server.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ask = <T>(msg: Request): Promise<T> =>
    new Promise((resolve, reject) => {
      child.once('message', (m) => (m && typeof m === 'object' && 'error' in m ? reject(new Error(`simulators: ${String(m.error)}`)) : resolve(m as T)));
      child.send(msg);
    });
  const outbox = mkdtempSync(join(tmpdir(), 'pa-bench-statements-'));
  const emu = await startSnowflakeEmulator({ users: { bench: 'bench' } });
  const { default: snowflake } = await import('snowflake-sdk');
  snowflake.configure({ logLevel: 'OFF', additionalLogToConsole: false });
  const out: { loadavg: string; session: { statements: number; list: string[] }; cycles: CycleCount[]; big: { rows: number; statements: number; byKind: Record<string, number>; seconds: number } | null } = {
    loadavg: readFileSync('/proc/loadavg', 'utf8').trim(),
    session: { statements: 0, list: [] },
    cycles: [],
    big: null,
  };
  try {
    const spec = (runs: number, days: number, seed: number): DataSpec => ({ platforms: [...BENCH_PLATFORMS], runs, jobs: JOBS, days, now: new Date().toISOString(), seed });
    const started = await ask<Started>({ cmd: 'start', latencyMs: 1, ...spec(RUNS, 1, 1) });
    const config = configFor(started);
    const settings = { account: emu.account, username: 'bench', password: 'bench', accessUrl: emu.accessUrl, loginRetries: 0, database: 'DEV_POWERAPPS', schema: 'STATEMENTS' };
    const setup = await openSnowflakeStore(settings, { queryTag: 'pipeline-audit bench statements' });
    await setup.migrate();
    await setup.close();

    for (const [i, label] of ['first cycle (a day of history)', 'steady state (15 min of new runs)', 'steady state again (the same data re-read)'].entries()) {
      // The simulators take one fresh data set (sim-server's Airbyte swap works once); the third cycle re-reads it,
      // as a cycle does whose overlap finds nothing new: incidents stay open, nothing changes.
      if (i === 1) await ask({ cmd: 'steady', ...spec(STEADY, 15 / 1440, 1 + i) });
      // A scheduled run opens its own session: its setup statements are counted apart (they do not depend on the cycle).
      const before = emu.statements.length;
      const raw = await openSnowflakeStore(settings, { queryTag: `pipeline-audit bench statements ${i}` });
      out.session = { statements: emu.statements.length - before, list: emu.statements.slice(before).map((s) => s.sqlText) };
      const log: Tagged[] = [];
      const tagged = tagging(raw, emu, log);
      const transport = createOutboxTransport({ dir: outbox, now: () => new Date() });
      try {
        const report = await runAudit(config, { store: tagged.store, model: null, transport, leaseRenewMs: 3_600_000 });
        tagged.flush();
        const broken = report.scopes.filter((s) => !s.complete).map((s) => `${s.platform}: ${s.error ?? s.incomplete.join('; ')}`);
        if (broken.length > 0) throw new Error(`${label}: incomplete: ${broken.join(' | ')}`);
        const untagged = emu.statements.length - before - out.session.statements - log.length;
        if (untagged !== 0) throw new Error(`${label}: ${untagged} statement(s) sent outside a store method`);
        out.cycles.push(summarize(label, log, report));
      } finally {
        await raw.close();
      }
    }

    if (BIG > 0) {
      const store = await openSnowflakeStore({ ...settings, schema: 'BIG' }, { queryTag: 'pipeline-audit bench statements big' });
      try {
        await store.migrate();
        const runs = bigRuns(BIG);
        const before = emu.statements.length;
        const t = performance.now();
        await store.upsertRuns(runs);
        const seconds = (performance.now() - t) / 1000;
        const used = emu.statements.slice(before);
        const byKind: Record<string, number> = {};
        for (const s of used) byKind[kindOf(s.sqlText)] = (byKind[kindOf(s.sqlText)] ?? 0) + 1;
        out.big = { rows: BIG, statements: used.length, byKind, seconds };
      } finally {
        await store.close();
      }
    }
  } finally {
    await ask({ cmd: 'stop' }).catch(() => undefined);
    child.kill();
    await emu.close();
    rmSync(outbox, { recursive: true, force: true });
  }
  if (values.json) return void process.stdout.write(JSON.stringify(out, null, 2) + '\n');
  const lines = [`Snowflake statements per cycle (emulator, real snowflake-sdk): 3 platforms, ${JOBS} jobs each; load average ${out.loadavg}`, ''];
  lines.push(`session setup (once per scheduled run, at open): ${out.session.statements}: ${out.session.list.join(' | ')}`, '');
  for (const c of out.cycles) {
    lines.push(`## ${c.label}: ${c.total} statements${c.failed ? ` (${c.failed} failed)` : ''}; ${c.openIncidents} open incidents, ${c.events} events; deliveries: ${c.deliveries.join('; ') || 'none'}`);
    lines.push(`stage | statements`, ...Object.entries(c.byStage).map(([k, v]) => `${k} | ${v}`), '');
    lines.push(`stage | method (last called; approximate within the collection) | statements`, ...Object.entries(c.byMethod).map(([k, v]) => `${k} | ${v}`), '');
    lines.push(`stage | kind | statements`, ...Object.entries(c.byKind).map(([k, v]) => `${k} | ${v}`), '');
    if (values.list) lines.push(...c.list, '');
  }
  if (out.big) lines.push(`## one upsertRuns of ${out.big.rows} rows: ${out.big.statements} statements (${out.big.seconds.toFixed(1)} s on the emulator)`, ...Object.entries(out.big.byKind).map(([k, v]) => `${k} | ${v}`));
  process.stdout.write(lines.join('\n') + '\n');
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
