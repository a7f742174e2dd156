// Which databases are monitored. TASK_HISTORY answers for the whole account whichever database it is called through
// (the emulator serves it so), so the collector must read it once per window and keep the configured databases and
// schemas only, names compared as Snowflake resolves identifiers. A full cycle stores into DuckDB.
import { mkdtempSync, rmSync } from 'node:fs';
import { collectAll } from '../../../collectors/stream.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import snowflake from 'snowflake-sdk';
import { runAudit } from '../../../audit.js';
import { snowflakeTasksCollector, type SnowflakeTasksScopeInput } from '../../../collectors/snowflake-tasks/collector.js';
import type { AuditConfig } from '../../../config/load.js';
import { generateSnowflakeAccountData } from '../../../sim/snowflake-tasks-data.js';
import { startSnowflakeEmulator, type SnowflakeEmulator, type TaskHistorySeed } from '../../../sim/snowflake/emulator.js';
import { openDuckDbStore } from '../../../sinks/store/duckdb.js';
import { testContext } from '../../helpers/context.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOW = new Date('2026-11-23T12:00:00.000Z');
const dir = mkdtempSync(join(tmpdir(), 'pa-sf-dbs-'));
const data = generateSnowflakeAccountData({ now: NOW, seed: 5, tasks: 4, runs: 40, days: 1, databases: ['ETL', 'MARTS', 'SANDBOX'] });
let emu: SnowflakeEmulator;

beforeAll(async () => {
  snowflake.configure({ logLevel: 'OFF', useEnvProxy: false }); // tests only: process-wide driver settings
  emu = await startSnowflakeEmulator({ account: 'myorg-prod', users: { svc: 'pw' } });
  await emu.seedTasks(data.tasks, data.history);
});
afterAll(async () => {
  await emu.close();
  rmSync(dir, { recursive: true, force: true });
});

const scopeOf = (databases: SnowflakeTasksScopeInput['databases']) =>
  snowflakeTasksCollector.scopeSchema.parse({ connection: { account: emu.account, username: 'svc', password: 'pw', accessUrl: emu.accessUrl, loginRetries: 0 }, databases });
const historyReads = (from: number) => emu.statements.slice(from).filter((s) => /INFORMATION_SCHEMA\s*\.\s*TASK_HISTORY/i.test(s.sqlText));
const ctxFor = (databases: SnowflakeTasksScopeInput['databases'], historyRowLimit?: number) =>
  testContext('snowflake', historyRowLimit ? { ...scopeOf(databases), historyRowLimit } : scopeOf(databases), 'myorg-prod', { now: () => NOW });

describe('Snowflake Tasks: monitored databases', () => {
  it('three databases in the account, two configured: a cycle stores exactly their runs, one TASK_HISTORY read per window', async () => {
    const store = await openDuckDbStore(join(dir, 'cycle.duckdb'));
    await store.migrate();
    const config: AuditConfig = {
      scopes: [{ platform: 'snowflake', scope: scopeOf(['etl', 'MARTS']), scopeId: 'myorg-prod', source: 'test' }],
      enabled: ['snowflake'],
      notEnabled: [],
      store: { kind: 'duckdb', path: ':test:' },
      initialLookbackMs: 1.5 * DAY,
      cycleTimeoutMs: 60_000,
      limits: { maxPages: 1000, maxDetailRequests: 50 },
      http: { retries: 1, minDelayMs: 1, maxDelayMs: 5, requestTimeoutMs: 5_000 },
      secrets: ['pw'],
      configFile: null,
    };
    const before = emu.statements.length;
    let ids = 0;
    const report = await runAudit(config, { store, now: () => NOW, newId: () => `cycle-${++ids}` });
    const runs = await store.readRuns({ platform: 'snowflake' });
    const jobs = await store.readJobs('snowflake');
    await store.close();

    expect(report.outcome).toBe('ok');
    const wanted = data.history.filter((h) => h.database_name !== 'SANDBOX');
    expect(wanted.length).toBeGreaterThan(40); // both configured databases have runs; SANDBOX has its own
    expect(runs).toHaveLength(wanted.length);
    expect(new Set(runs.map((r) => r.jobId.split('.')[0]))).toEqual(new Set(['ETL', 'MARTS']));
    expect(new Set(jobs.map((j) => j.jobId.split('.')[0]))).toEqual(new Set(['ETL', 'MARTS']));
    // The README's count: one TASK_HISTORY statement per window and account (no answer was full, so no halving).
    const planned = report.scopes[0]!.chunks.planned;
    expect(planned).toBe(2);
    expect(historyReads(before)).toHaveLength(planned);
    // SHOW TASKS once per configured database, the names quoted as resolved.
    expect(emu.statements.slice(before).filter((s) => /^SHOW TASKS/.test(s.sqlText)).map((s) => s.sqlText)).toEqual(['SHOW TASKS IN DATABASE "ETL"', 'SHOW TASKS IN DATABASE "MARTS"']);
  });

  it('keeps only the configured schemas of a database', async () => {
    const tc = ctxFor(['ETL.CORE', 'MARTS']);
    const runs = await collectAll(snowflakeTasksCollector, tc.ctx, { start: new Date(NOW.getTime() - DAY), end: NOW });
    const jobs = await snowflakeTasksCollector.listJobs(tc.ctx);
    await tc.close();
    const wanted = data.history.filter((h) => (h.database_name === 'ETL' && h.schema_name === 'CORE') || h.database_name === 'MARTS');
    expect(runs).toHaveLength(wanted.length);
    expect(new Set(runs.map((r) => r.jobId.split('.').slice(0, 2).join('.')))).toEqual(new Set(['ETL.CORE', 'MARTS.CORE', 'MARTS.STAGING']));
    expect(jobs.every((j) => j.jobId.startsWith('ETL.CORE.') || j.jobId.startsWith('MARTS.'))).toBe(true);
    expect(jobs.some((j) => j.jobId.startsWith('ETL.CORE.'))).toBe(true);
  });

  it('matches a quoted mixed-case database exactly and an unquoted name as its upper-case form', async () => {
    const base = data.history[3]!;
    const at = (i: number) => new Date(NOW.getTime() - HOUR - i * 60_000);
    const seeds: TaskHistorySeed[] = [
      { ...base, database_name: 'Finance', schema_name: 'Core', name: 'LOAD', query_id: 'q-mixed', graph_run_group_id: 'g-mixed', scheduled_time: at(1) },
      { ...base, database_name: 'FINANCE', schema_name: 'CORE', name: 'LOAD', query_id: 'q-upper', graph_run_group_id: 'g-upper', scheduled_time: at(2) },
    ];
    await emu.seedTasks([], seeds);
    const read = async (databases: SnowflakeTasksScopeInput['databases']) => {
      const tc = ctxFor(databases);
      const runs = await collectAll(snowflakeTasksCollector, tc.ctx, { start: new Date(NOW.getTime() - 2 * HOUR), end: NOW });
      await tc.close();
      return runs.filter((r) => r.jobId.toUpperCase().startsWith('FINANCE.')).map((r) => r.raw?.query_id);
    };
    expect(await read(['"Finance"'])).toEqual(['q-mixed']);
    expect(await read(['finance'])).toEqual(['q-upper']);
    expect(await read(['"FINANCE"'])).toEqual(['q-upper']);
    expect(await read([{ name: '"Finance"', schemas: ['"Core"'] }])).toEqual(['q-mixed']);
    expect(await read([{ name: '"Finance"', schemas: ['core'] }])).toEqual([]); // CORE is not "Core"
  });

  it('halves the window when the account-wide answer is full, even when none of its rows is monitored', async () => {
    // RESULT_LIMIT applies before any filter: 120 NOISY runs hide the older QUIET run of the window (at a row limit
    // of 100; Snowflake's 10,000 is the benchmark's volume, not a test's).
    const busy: TaskHistorySeed[] = Array.from({ length: 120 }, (_, i) => ({
      ...data.history[5]!,
      database_name: 'NOISY',
      query_id: `noisy-${i}`,
      graph_run_group_id: `noisy-${i}`,
      scheduled_time: new Date(NOW.getTime() - 3 * DAY + 2 * HOUR - i * 10_000),
    }));
    const old: TaskHistorySeed = { ...data.history[6]!, database_name: 'QUIET', query_id: 'q-quiet', graph_run_group_id: 'quiet-1', scheduled_time: new Date(NOW.getTime() - 3 * DAY - HOUR) };
    await emu.seedTasks([], [...busy, old]);
    const before = emu.statements.length;
    const tc = ctxFor(['QUIET'], 100);
    const runs = await collectAll(snowflakeTasksCollector, tc.ctx, { start: new Date(NOW.getTime() - 3 * DAY - 2 * HOUR), end: new Date(NOW.getTime() - 3 * DAY + 3 * HOUR), continuation: true });
    await tc.close();
    expect(runs.map((r) => r.raw?.query_id)).toEqual(['q-quiet']);
    expect(tc.incomplete).toEqual([]);
    const reads = historyReads(before);
    expect(reads.length).toBeGreaterThanOrEqual(3);
    expect(reads.length % 2).toBe(1); // one read per window, plus two for each halving
  });

  it('check() counts the tasks of the monitored databases only and names them', async () => {
    const tc = ctxFor(['etl', 'MARTS.CORE']);
    const r = await snowflakeTasksCollector.check(tc.ctx);
    await tc.close();
    const expected = data.tasks.filter((t) => t.database_name === 'ETL' || (t.database_name === 'MARTS' && t.schema_name === 'CORE')).length;
    expect(r).toMatchObject({ ok: true, jobsVisible: expected });
    expect(r.message).toContain('ETL (every schema), MARTS (schema CORE)');
  });
});
