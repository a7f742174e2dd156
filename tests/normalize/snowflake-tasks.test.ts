// Snowflake Tasks normalization: TASK_HISTORY rows and SHOW TASKS rows to the run and job schema.
import { describe, expect, it } from '@jest/globals';
import { RunObservationSchema, JobObservationSchema } from '../../normalize/schema.js';
import { normalizeTask, normalizeTaskRun, snowsightUrl, taskStatus, TaskRunSchema } from '../../normalize/snowflake-tasks.js';

const ROW = TaskRunSchema.parse({
  QUERY_ID: '01b2-query',
  NAME: 'LOAD_ORDERS',
  DATABASE_NAME: 'ETL',
  SCHEMA_NAME: 'PUBLIC',
  STATE: 'FAILED',
  ERROR_CODE: 100038,
  ERROR_MESSAGE: "Numeric value 'abc' is not recognized; password=hunter2secret",
  SCHEDULED_TIME: new Date('2026-11-30T10:00:00Z'),
  QUERY_START_TIME: new Date('2026-11-30T10:00:05Z'),
  COMPLETED_TIME: new Date('2026-11-30T10:01:05Z'),
  RUN_ID: 1700000000000,
  ATTEMPT_NUMBER: 2,
  GRAPH_RUN_GROUP_ID: 'grg-1',
  SCHEDULED_FROM: 'SCHEDULE',
});

describe('Snowflake Tasks normalization', () => {
  it('maps every documented STATE, keeps the raw value, and never drops an unknown one', () => {
    expect(taskStatus('SCHEDULED').category).toBe('queued');
    expect(taskStatus('EXECUTING').category).toBe('running');
    expect(taskStatus('SUCCEEDED').category).toBe('succeeded');
    expect(taskStatus('FAILED')).toEqual({ category: 'failed', detail: null, raw: 'FAILED' });
    expect(taskStatus('FAILED_AND_AUTO_SUSPENDED')).toEqual({ category: 'failed', detail: 'auto_suspended', raw: 'FAILED_AND_AUTO_SUSPENDED' });
    expect(taskStatus('CANCELLED').category).toBe('canceled');
    expect(taskStatus('SKIPPED')).toEqual({ category: 'skipped', detail: 'condition_false', raw: 'SKIPPED' });
    expect(taskStatus('PAUSED_SOMEHOW')).toEqual({ category: 'unknown', detail: null, raw: 'PAUSED_SOMEHOW' });
  });

  it('keys a run by graph run group, task and attempt, with duration, link and redacted error', () => {
    const run = normalizeTaskRun(ROW, { scope: 'acct', account: 'myorg-prod', finalAttempt: true, secrets: [] });
    expect(RunObservationSchema.parse(run)).toEqual(run);
    expect(run).toMatchObject({ jobId: 'ETL.PUBLIC.LOAD_ORDERS', runId: 'grg-1:ETL.PUBLIC.LOAD_ORDERS:2', attempt: 1, attemptGroup: 'grg-1:ETL.PUBLIC.LOAD_ORDERS', isFinalAttempt: true, durationMs: 60_000, errorCode: '100038' });
    expect(run.errorMessage).not.toContain('hunter2secret');
    expect(run.url).toBe(snowsightUrl('myorg-prod', '01b2-query'));
    expect(snowsightUrl('not an org account', 'q')).toBeNull();
  });

  it('never marks a queued or running attempt final', () => {
    const running = normalizeTaskRun({ ...ROW, STATE: 'EXECUTING', COMPLETED_TIME: null }, { scope: 'acct', account: 'a-b', finalAttempt: true });
    expect(running.isFinalAttempt).toBe(false);
    expect(running.durationMs).toBeNull();
  });

  it('reads a SHOW TASKS row: schedule with its time zone, suspended as paused, no definition text', () => {
    const job = normalizeTask({ name: 'LOAD_ORDERS', database_name: 'ETL', schema_name: 'PUBLIC', id: 't1', owner: 'SYSADMIN', schedule: 'USING CRON 0 6 * * * Europe/Berlin', state: 'suspended' }, { scope: 'acct' });
    expect(JobObservationSchema.parse(job)).toEqual(job);
    expect(job).toMatchObject({ jobId: 'ETL.PUBLIC.LOAD_ORDERS', schedule: 'USING CRON 0 6 * * * Europe/Berlin', scheduleTimezone: 'Europe/Berlin', paused: true, state: 'suspended' });
    expect(JSON.stringify(job.raw)).not.toMatch(/definition|condition/i);
  });
});
