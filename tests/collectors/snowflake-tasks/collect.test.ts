// The Snowflake Tasks collector with the real driver against the emulator's seeded task history.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { collectAll } from '../../../collectors/stream.js';
import snowflake from 'snowflake-sdk';
import { snowflakeTasksCollector, type SnowflakeTasksScopeInput } from '../../../collectors/snowflake-tasks/collector.js';
import { generateSnowflakeTaskData, TASK_SECRET_QUERY } from '../../../sim/snowflake-tasks-data.js';
import { RunObservationSchema } from '../../../normalize/schema.js';
import { taskStatus } from '../../../normalize/snowflake-tasks.js';
import { startSnowflakeEmulator, type SnowflakeEmulator, type TaskHistorySeed } from '../../../sim/snowflake/emulator.js';
import { testContext } from '../../helpers/context.js';

const NOW = new Date();
const HOUR = 3_600_000;
let emu: SnowflakeEmulator;
const data = generateSnowflakeTaskData({ now: NOW, seed: 9, tasks: 6, runs: 300, days: 2, database: 'ETL' });

beforeAll(async () => {
  snowflake.configure({ logLevel: 'OFF', useEnvProxy: false }); // tests only: process-wide driver settings
  emu = await startSnowflakeEmulator({ account: 'myorg-prod', users: { svc: 'pw' } });
  await emu.seedTasks(data.tasks, data.history);
});
afterAll(async () => {
  await emu.close();
});

const ctxFor = (over: Partial<SnowflakeTasksScopeInput> = {}) => {
  const scope = snowflakeTasksCollector.scopeSchema.parse({ connection: { account: emu.account, username: 'svc', password: 'pw', accessUrl: emu.accessUrl, loginRetries: 0 }, databases: ['ETL'], ...over });
  return testContext('snowflake', scope, snowflakeTasksCollector.scopeId(scope), { now: () => NOW });
};

describe('Snowflake Tasks collector', () => {
  it('reads every run of the window, keyed by graph run group, task and attempt, never the query text', async () => {
    const tc = ctxFor();
    const runs = await collectAll(snowflakeTasksCollector, tc.ctx, { start: new Date(NOW.getTime() - 3 * HOUR * 24), end: NOW });
    await tc.close();
    expect(runs).toHaveLength(data.history.length);
    for (const r of runs) expect(RunObservationSchema.safeParse(r).success).toBe(true);
    expect(JSON.stringify(runs)).not.toContain('task-query-secret');
    expect(JSON.stringify(runs)).not.toContain(TASK_SECRET_QUERY.slice(0, 20));
    expect(new Set(runs.map((r) => r.runId)).size).toBe(runs.length);
    // A failed slot and its automatic retry: two attempts of one group, only the retry final.
    const retry = runs.find((r) => r.attempt === 1)!;
    const first = runs.find((r) => r.attemptGroup === retry.attemptGroup && r.attempt === 0)!;
    expect(first.status.category).toBe('failed');
    expect([first.isFinalAttempt, retry.isFinalAttempt]).toEqual([false, true]);
    expect(retry.trigger).toBe('AUTOMATIC RETRY');
    // A query link only where a query ran and the account is org-account.
    expect(runs.find((r) => r.raw?.query_id)!.url).toMatch(/^https:\/\/app\.snowflake\.com\/myorg\/prod\/#\/compute\/history\/queries\//);
    expect(runs.find((r) => r.status.raw === 'SKIPPED')!.url).toBeNull();
  });

  it('maps every state, a skipped run is not a failure, an auto-suspension is', () => {
    expect(['SCHEDULED', 'EXECUTING', 'SUCCEEDED', 'FAILED', 'FAILED_AND_AUTO_SUSPENDED', 'CANCELLED', 'SKIPPED', 'PAUSED'].map((s) => taskStatus(s).category)).toEqual([
      'queued',
      'running',
      'succeeded',
      'failed',
      'failed',
      'canceled',
      'skipped',
      'unknown',
    ]);
    expect(taskStatus('FAILED_AND_AUTO_SUSPENDED').detail).toBe('auto_suspended');
    expect(taskStatus('SKIPPED').detail).toBe('condition_false');
  });

  it('splits a window whose answer comes back full (RESULT_LIMIT keeps only the newest rows)', async () => {
    // The halving at a row limit of 100 (Snowflake's is 10,000: the volume is the benchmark's, not a test's).
    const many: TaskHistorySeed[] = Array.from({ length: 125 }, (_, i) => ({
      ...data.history[5]!,
      database_name: 'BIGDB',
      query_id: `q-${i}`,
      graph_run_group_id: `big-${i}`,
      scheduled_time: new Date(NOW.getTime() - 2 * HOUR - i * 60_000),
    }));
    await emu.seedTasks([], many);
    const tc = ctxFor({ databases: ['BIGDB'], historyRowLimit: 100 });
    const runs = await collectAll(snowflakeTasksCollector, tc.ctx, { start: new Date(NOW.getTime() - 6 * HOUR), end: NOW });
    await tc.close();
    expect(runs).toHaveLength(125);
    expect(tc.incomplete).toEqual([]);
    const calls = emu.statements.filter((s) => s.sqlText.includes('"BIGDB".INFORMATION_SCHEMA.TASK_HISTORY'));
    expect(calls.length).toBeGreaterThanOrEqual(3);
    expect(calls.length % 2).toBe(1); // one read, and two more for each halving
  });

  it('reaches back for a long task that started before the window and ended inside it', async () => {
    const long: TaskHistorySeed = { ...data.history[7]!, database_name: 'LONGDB', query_id: 'q-long', graph_run_group_id: 'long-1', scheduled_time: new Date(NOW.getTime() - 4 * HOUR), query_start_time: new Date(NOW.getTime() - 4 * HOUR), completed_time: new Date(NOW.getTime() - 10 * 60_000), state: 'SUCCEEDED' };
    await emu.seedTasks([], [long]);
    const tc = ctxFor({ databases: ['LONGDB'] });
    const runs = await collectAll(snowflakeTasksCollector, tc.ctx, { start: new Date(NOW.getTime() - HOUR), end: NOW });
    await tc.close();
    expect(runs.map((r) => r.raw?.query_id)).toEqual(['q-long']);
  });

  it('lists tasks with their schedule and state; a suspended task is visible; no definition text', async () => {
    const tc = ctxFor();
    const jobs = await snowflakeTasksCollector.listJobs(tc.ctx);
    await tc.close();
    expect(jobs).toHaveLength(6);
    const suspended = jobs.filter((j) => j.state === 'suspended');
    expect(suspended).toHaveLength(1);
    expect(suspended[0]!.paused).toBe(true);
    expect(jobs.find((j) => j.schedule?.startsWith('USING CRON'))!.scheduleTimezone).toBe('UTC');
    expect(JSON.stringify(jobs)).not.toContain('task-query-secret');
  });

  it('check() logs in, reads history and counts tasks; a refused login says how to fix it', async () => {
    const tc = ctxFor();
    expect(await snowflakeTasksCollector.check(tc.ctx)).toMatchObject({ ok: true, jobsVisible: 6 });
    emu.faults.refuseLogin();
    const bad = await snowflakeTasksCollector.check(tc.ctx);
    await tc.close();
    expect(bad.ok).toBe(false);
    expect(bad.fix).toMatch(/key pair|ACCOUNT/);
  });
});
