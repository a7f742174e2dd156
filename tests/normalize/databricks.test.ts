// The pure Databricks mapping: every status value of the contract, the legacy fallback, attempts, times, error
// text, the raw allowlist and jobs. No network here.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import {
  DatabricksRunSchema,
  DatabricksJobSchema,
  databricksStatus,
  normalizeDatabricksJob,
  normalizeDatabricksRun,
} from '../../normalize/databricks.js';
import { RunObservationSchema, JobObservationSchema } from '../../normalize/schema.js';
import { generateJobs, makeRun, seededRandom, SPARK_ERRORS, type Outcome, type RunSpec } from '../../sim/databricks-data.js';

const defs = (JSON.parse(readFileSync(join(process.cwd(), 'tests/contracts/databricks-jobs-runs.schema.json'), 'utf8')) as { $defs: Record<string, { enum?: string[] }> }).$defs;
const enumOf = (name: string) => defs[name]?.enum ?? [];
const opts = { scope: 'adb-1.azuredatabricks.net', baseUrl: 'https://adb-1.azuredatabricks.net', secrets: ['literal-secret-value'] };
const NOW = Date.parse('2026-03-01T12:00:00Z');
const job = generateJobs(3, seededRandom(1), NOW, false)[1]!;
const run = (spec: Partial<RunSpec> & { outcome: Outcome }) =>
  DatabricksRunSchema.parse(makeRun({ runId: 4242, job, start: NOW - 3_600_000, durationMs: 600_000, ...spec }));

describe('Databricks status mapping', () => {
  it('maps every termination code, state and result state of the contract to a known category', () => {
    for (const code of [...enumOf('TerminationCodeCode'), 'CLUSTER_TERMINATED_BY_USER']) {
      const s = databricksStatus({ state: 'TERMINATED', termination_details: { code } }, null);
      expect([code, s.category]).not.toEqual([code, 'unknown']);
      expect(s.raw).toBe(`TERMINATED:${code}`);
    }
    for (const state of enumOf('RunLifecycleStateV2State').filter((s) => s !== 'TERMINATED')) {
      expect([state, databricksStatus({ state }, null).category]).not.toEqual([state, 'unknown']);
    }
    for (const result of enumOf('RunResultState')) {
      const s = databricksStatus(null, { life_cycle_state: 'TERMINATED', result_state: result });
      expect([result, s.category]).not.toEqual([result, 'unknown']);
      expect(s.raw).toBe(`TERMINATED/${result}`);
    }
    for (const life of enumOf('RunLifeCycleState').filter((s) => s !== 'TERMINATED')) {
      expect([life, databricksStatus(null, { life_cycle_state: life }).category]).not.toEqual([life, 'unknown']);
    }
  });

  it('tells timed out, user canceled, platform canceled and concurrency-skipped apart', () => {
    const legacy = (result_state: string, life_cycle_state = 'TERMINATED') => databricksStatus(null, { life_cycle_state, result_state });
    expect(legacy('TIMEDOUT')).toMatchObject({ category: 'failed', detail: 'timed_out' });
    expect(legacy('CANCELED')).toMatchObject({ category: 'canceled', detail: 'user_canceled' });
    expect(legacy('MAXIMUM_CONCURRENT_RUNS_REACHED', 'SKIPPED')).toMatchObject({ category: 'skipped', detail: 'concurrency_limit' });
    const v2 = (code: string) => databricksStatus({ state: 'TERMINATED', termination_details: { code } }, null);
    expect(v2('USER_CANCELED')).toMatchObject({ category: 'canceled', detail: 'user_canceled' });
    expect(v2('CANCELED')).toMatchObject({ category: 'canceled', detail: 'platform_canceled' });
    expect(v2('MAX_CONCURRENT_RUNS_EXCEEDED')).toMatchObject({ category: 'skipped', detail: 'concurrency_limit' });
    // Jobs 2.2 reports a timeout as CANCELED; the legacy block beside it says TIMEDOUT.
    expect(databricksStatus({ state: 'TERMINATED', termination_details: { code: 'CANCELED' } }, { life_cycle_state: 'TERMINATED', result_state: 'TIMEDOUT' })).toEqual({
      category: 'failed',
      detail: 'timed_out',
      raw: 'TERMINATED:CANCELED',
    });
  });

  it('counts SUCCESS_WITH_FAILURES as a failure with its own detail', () => {
    expect(databricksStatus({ state: 'TERMINATED', termination_details: { code: 'SUCCESS_WITH_FAILURES' } }, null)).toMatchObject({ category: 'failed', detail: 'success_with_failures' });
    expect(databricksStatus(null, { life_cycle_state: 'TERMINATED', result_state: 'SUCCESS_WITH_FAILURES' })).toMatchObject({ category: 'failed', detail: 'success_with_failures' });
  });

  it('reads status first and falls back to the legacy state', () => {
    expect(databricksStatus({ state: 'RUNNING' }, { life_cycle_state: 'TERMINATED', result_state: 'FAILED' })).toMatchObject({ category: 'running', raw: 'RUNNING' });
    expect(databricksStatus({ state: 'TERMINATED' }, { life_cycle_state: 'TERMINATED', result_state: 'FAILED' })).toMatchObject({ category: 'failed', raw: 'TERMINATED/FAILED' });
    expect(databricksStatus(null, { life_cycle_state: 'PENDING' })).toMatchObject({ category: 'queued', detail: 'pending' });
  });

  it('maps unknown values to unknown and keeps the raw value', () => {
    expect(databricksStatus({ state: 'TERMINATED', termination_details: { code: 'QUANTUM_FLUX' } }, null)).toEqual({ category: 'unknown', detail: null, raw: 'TERMINATED:QUANTUM_FLUX' });
    expect(databricksStatus({ state: 'HIBERNATING' }, null)).toEqual({ category: 'unknown', detail: null, raw: 'HIBERNATING' });
    expect(databricksStatus(null, { life_cycle_state: 'TERMINATED', result_state: 'PARTIAL' })).toEqual({ category: 'unknown', detail: null, raw: 'TERMINATED/PARTIAL' });
    expect(databricksStatus(null, null)).toEqual({ category: 'unknown', detail: null, raw: '' });
  });
});

describe('normalizeDatabricksRun', () => {
  it('maps ids, times and durations; end_time 0 means still running', () => {
    const done = normalizeDatabricksRun(run({ outcome: 'SUCCESS' }), opts);
    expect(RunObservationSchema.parse(done)).toBeTruthy();
    expect(done).toMatchObject({ platform: 'databricks', scope: opts.scope, runId: '4242', jobId: String(job.job_id), attempt: 0, attemptGroup: '4242', isFinalAttempt: true });
    expect(done.startedAt?.getTime()).toBe(NOW - 3_600_000);
    expect(done.endedAt?.getTime()).toBe(NOW - 3_000_000);
    expect(done.durationMs).toBe(600_000);
    expect(done.errorMessage).toBeNull();
    const running = normalizeDatabricksRun(run({ outcome: 'RUNNING', durationMs: null }), opts);
    expect(running).toMatchObject({ endedAt: null, durationMs: null, status: { category: 'running' } });
  });

  it('computes the duration from start and end when run_duration is absent', () => {
    const r = run({ outcome: 'SUCCESS' });
    const obs = normalizeDatabricksRun({ ...r, run_duration: null }, opts);
    expect(obs.durationMs).toBe(600_000);
  });

  it('groups retries and marks a run waiting for retry as not final', () => {
    const retry = normalizeDatabricksRun(run({ outcome: 'SUCCESS', runId: 5000, attempt: 2, originalAttemptRunId: 4242 }), opts);
    expect(retry).toMatchObject({ runId: '5000', attempt: 2, attemptGroup: '4242', isFinalAttempt: true, trigger: 'RETRY' });
    const waiting = normalizeDatabricksRun(run({ outcome: 'WAITING_FOR_RETRY', durationMs: null }), opts);
    expect(waiting).toMatchObject({ isFinalAttempt: false, status: { category: 'running', detail: 'waiting_for_retry' } });
    const legacyWaiting = normalizeDatabricksRun(run({ outcome: 'WAITING_FOR_RETRY', durationMs: null, blocks: 'legacy' }), opts);
    expect(legacyWaiting.isFinalAttempt).toBe(false);
  });

  it('takes the error text from the failed task, naming it, with head and tail kept and secrets redacted', () => {
    const obs = normalizeDatabricksRun(run({ outcome: 'FAILED', tasks: 3, failTask: 1, errorText: SPARK_ERRORS[0]! }), opts);
    expect(obs).toMatchObject({ errorCode: 'RUN_EXECUTION_ERROR', errorClass: 'CLIENT_ERROR', status: { category: 'failed' } });
    const msg = obs.errorMessage ?? '';
    expect(msg.length).toBeLessThanOrEqual(4000);
    expect(msg.startsWith('[validate] org.apache.spark.SparkException: Job aborted')).toBe(true);
    expect(msg).toContain('Caused by: java.net.SocketTimeoutException: Read timed out');
    expect(msg).toContain('characters cut');
    expect(msg).not.toContain('Winter2026!Sup3r');
    expect(msg).not.toContain('dapi0123456789abcdef');
  });

  it('falls back to the run message when no task says why, and redacts literal secrets', () => {
    const r = run({ outcome: 'FAILED', tasks: 1 });
    const bare = { ...r, tasks: [], status: { state: 'TERMINATED', termination_details: { code: 'CLUSTER_ERROR', type: 'CLOUD_FAILURE', message: 'Cluster died; token literal-secret-value' } } };
    const obs = normalizeDatabricksRun(bare, opts);
    expect(obs).toMatchObject({ errorCode: 'CLUSTER_ERROR', errorClass: 'CLOUD_FAILURE', errorMessage: 'Cluster died; token [REDACTED]' });
  });

  it('uses the legacy error fields when only the state block is present', () => {
    const obs = normalizeDatabricksRun(run({ outcome: 'FAILED', blocks: 'legacy', errorText: 'boom' }), opts);
    expect(obs).toMatchObject({ status: { category: 'failed', raw: 'TERMINATED/FAILED' }, errorCode: 'FAILED', errorClass: null, errorMessage: '[validate] boom' });
  });

  it('keeps an allowlisted raw extract: no parameters, repairs counted, tasks listed', () => {
    const wire = makeRun({ runId: 77, job, start: NOW - 7_200_000, durationMs: 3_600_000, outcome: 'SUCCESS' });
    wire.repair_history = [
      { type: 'ORIGINAL', start_time: NOW - 7_200_000, end_time: NOW - 6_000_000 },
      { type: 'REPAIR', start_time: NOW - 4_000_000, end_time: NOW - 3_600_000 },
    ];
    const obs = normalizeDatabricksRun(DatabricksRunSchema.parse(wire), opts);
    const text = JSON.stringify(obs);
    for (const secret of ['sk-live-param', 'override-param-secret', 'notebook-param-secret', 'api_key', 'job_parameters', 'overriding_parameters', 'base_parameters']) {
      expect(text).not.toContain(secret);
    }
    expect(obs.raw).toMatchObject({ repair_count: 1, task_count: 3, tasks_complete: true, attempt_number: 0, cluster_id: expect.any(String) });
    expect((obs.raw as { tasks: unknown[] }).tasks[0]).toEqual({ key: 'ingest_raw', status: 'TERMINATED:SUCCESS' });
    // The repair is the latest change the vendor reports: it orders this observation after the first failure.
    expect(obs.updatedAt?.getTime()).toBe(NOW - 3_600_000);
  });

  it('bounds long names and gives submit runs a job key', () => {
    const r = DatabricksRunSchema.parse({ run_id: 9, run_name: 'x'.repeat(5000), run_type: 'SUBMIT_RUN', status: { state: 'RUNNING' } });
    const obs = normalizeDatabricksRun(r, opts);
    expect(RunObservationSchema.parse(obs).jobName).toHaveLength(1000);
    expect(obs.jobId.startsWith('submit:')).toBe(true);
    expect(obs.url).toBeNull();
  });
});

describe('normalizeDatabricksJob', () => {
  it('maps name, schedule, time zone, pause, tags, owner and link, never parameters', () => {
    const jobs = generateJobs(8, seededRandom(3), NOW, false);
    const paused = DatabricksJobSchema.parse(jobs[6]);
    const obs = normalizeDatabricksJob(paused, opts);
    expect(JobObservationSchema.parse(obs)).toBeTruthy();
    expect(obs).toMatchObject({
      jobId: String(jobs[6]!.job_id),
      name: 'hourly_customers_etl',
      schedule: '0 15 * * * ?',
      scheduleTimezone: 'Europe/Paris',
      paused: true,
      owner: 'data-eng-1@example.com',
      tags: { team: 'supply-chain', env: 'prod' },
      url: `https://adb-1.azuredatabricks.net/jobs/${jobs[6]!.job_id}`,
      deleted: false,
    });
    expect(JSON.stringify(obs)).not.toContain('parameters');
    const manual = normalizeDatabricksJob(DatabricksJobSchema.parse({ job_id: 5, settings: { name: 'adhoc' } }), opts);
    expect(manual).toMatchObject({ schedule: null, paused: null, tags: {} });
  });
});
