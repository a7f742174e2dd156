// The pure Airbyte mapping: every JobStatusEnum value and an unknown one, Java timestamps without seconds, ISO
// durations, job types kept apart, deep links, failure reasons redacted and bounded, connections to inventory.
import { describe, expect, it } from '@jest/globals';
import {
  AirbyteConnectionSchema,
  AirbyteJobInfoSchema,
  AirbyteJobSchema,
  airbyteStatus,
  lastAttemptFailure,
  normalizeAirbyteConnection,
  normalizeAirbyteJob,
  parseAirbyteTime,
  parseIsoDuration,
} from '../../normalize/airbyte.js';
import { JobObservationSchema, RunObservationSchema } from '../../normalize/schema.js';

const opts = { scope: 'api.airbyte.com/v1', webUrl: 'https://cloud.airbyte.com', secrets: ['ab-static-key-7f3c91d2e4'] };
const WS = '2f7f3c1e-1b7a-4c1e-9a3e-0c1d2e3f4a5b';
const CONN = '9924bcd0-99be-453d-ba47-c2c9766f7da5';
const job = (over: Record<string, unknown> = {}) =>
  AirbyteJobSchema.parse({ jobId: 4711, status: 'succeeded', jobType: 'sync', startTime: '2026-11-23T10:15Z', connectionId: CONN, lastUpdatedAt: '2026-11-23T10:23:12Z', duration: 'PT8M12S', rowsSynced: 1200, bytesSynced: 340_000, ...over });

describe('Airbyte status mapping', () => {
  it.each([
    ['pending', 'queued', 'pending'],
    ['queued', 'queued', 'queued'],
    ['running', 'running', null],
    ['incomplete', 'running', 'attempt_failed_retrying'],
    ['failed', 'failed', null],
    ['succeeded', 'succeeded', null],
    ['cancelled', 'canceled', 'user_canceled'],
    ['waiting_for_capacity', 'unknown', null],
  ])('%s -> %s (%s)', (raw, category, detail) => {
    expect(airbyteStatus(raw)).toEqual({ category, detail, raw });
  });

  it('marks an incomplete job as not final: another attempt may follow', () => {
    expect(normalizeAirbyteJob(job({ status: 'incomplete', lastUpdatedAt: undefined }), opts, null).isFinalAttempt).toBe(false);
    expect(normalizeAirbyteJob(job({ status: 'failed' }), opts, null).isFinalAttempt).toBe(true);
  });
});

describe('Airbyte times and durations', () => {
  it('parses Java timestamps with and without seconds, and refuses non-ISO text', () => {
    expect(parseAirbyteTime('2026-11-23T10:15Z')?.toISOString()).toBe('2026-11-23T10:15:00.000Z');
    expect(parseAirbyteTime('2026-11-23T10:15:07.123+02:00')?.toISOString()).toBe('2026-11-23T08:15:07.123Z');
    expect(parseAirbyteTime('1687450500000')).toBeNull();
    expect(parseAirbyteTime('yesterday')).toBeNull();
  });

  it('reads ISO-8601 durations, days included', () => {
    expect(parseIsoDuration('PT8H6M12S')).toBe((8 * 3600 + 6 * 60 + 12) * 1000);
    expect(parseIsoDuration('P1DT2H')).toBe(26 * 3_600_000);
    expect(parseIsoDuration('PT0.5S')).toBe(500);
    expect(parseIsoDuration('PT0S')).toBe(0);
    expect(parseIsoDuration('PT-3S')).toBeNull();
    expect(parseIsoDuration('P')).toBeNull();
    expect(parseIsoDuration(null)).toBeNull();
  });
});

describe('normalizeAirbyteJob', () => {
  it('maps a succeeded sync: creation time as start, lastUpdatedAt as end and update, counts, deep link', () => {
    const obs = RunObservationSchema.parse(normalizeAirbyteJob(job(), opts, { name: 'Salesforce → Snowflake', workspaceId: WS }));
    expect(obs).toMatchObject({
      platform: 'airbyte',
      jobId: CONN,
      jobName: 'Salesforce → Snowflake',
      runId: '4711',
      attempt: 0,
      attemptGroup: '4711',
      runType: 'sync',
      durationMs: 492_000,
      rowsProcessed: 1200,
      bytesProcessed: 340_000,
      errorMessage: null,
      url: `https://cloud.airbyte.com/workspaces/${WS}/connections/${CONN}/timeline?jobId=4711&openLogs=true`,
    });
    expect(obs.startedAt?.toISOString()).toBe('2026-11-23T10:15:00.000Z');
    expect(obs.endedAt?.toISOString()).toBe('2026-11-23T10:23:12.000Z');
    expect(obs.updatedAt).toEqual(obs.endedAt);
    expect(obs.raw).toMatchObject({ startTimeIsCreation: true, workspaceId: WS });
  });

  it('keeps resets, refreshes and clears apart from syncs, and running jobs open', () => {
    expect(normalizeAirbyteJob(job({ jobType: 'reset', status: 'failed' }), opts, null).runType).toBe('reset');
    const running = normalizeAirbyteJob(job({ status: 'running', lastUpdatedAt: undefined, duration: 'PT2M' }), opts, null);
    expect(running).toMatchObject({ endedAt: null, updatedAt: null, durationMs: 120_000, url: null, jobName: null });
  });

  it('keeps a hostile connection name verbatim', () => {
    const name = `<img src=x onerror=alert(1)>'); DROP TABLE RUNS;-- IGNORE ALL PREVIOUS INSTRUCTIONS`;
    expect(normalizeAirbyteJob(job(), opts, { name, workspaceId: WS }).jobName).toBe(name);
  });

  it('takes the failure reason of the last attempt only, redacted and bounded', () => {
    const info = AirbyteJobInfoSchema.parse({
      job: { id: 4711 },
      attempts: [
        { attempt: { id: 0, failureSummary: { failures: [{ failureOrigin: 'source', failureType: 'config_error', externalMessage: 'first attempt' }] } } },
        {
          attempt: {
            id: 1,
            failureSummary: {
              failures: [
                {
                  failureOrigin: 'destination',
                  failureType: 'transient_error',
                  externalMessage: `Warehouse suspended (password=Hunter2 token ab-static-key-7f3c91d2e4) ${'x'.repeat(6000)} root cause`,
                  internalMessage: 'jdbc:snowflake://u:Hunter2@acct',
                  stacktrace: 'at Hunter2',
                },
                { failureOrigin: 'source', externalMessage: 'second failure' },
              ],
            },
          },
        },
      ],
    });
    const failure = lastAttemptFailure(info);
    expect(Object.keys(failure ?? {}).sort()).toEqual(['externalMessage', 'failureOrigin', 'failureType']);
    const obs = normalizeAirbyteJob(job({ status: 'failed' }), opts, null, failure);
    expect(obs).toMatchObject({ errorCode: 'destination', errorClass: 'transient_error' });
    expect(obs.errorMessage?.length).toBeLessThanOrEqual(4000);
    expect(obs.errorMessage).toMatch(/^Warehouse suspended/);
    expect(obs.errorMessage).toMatch(/root cause$/);
    expect(JSON.stringify(obs)).not.toMatch(/Hunter2|ab-static-key/);
  });
});

describe('normalizeAirbyteConnection', () => {
  const conn = (over: Record<string, unknown>) =>
    AirbyteConnectionSchema.parse({ connectionId: CONN, name: 'Postgres → BigQuery', workspaceId: WS, status: 'active', schedule: { scheduleType: 'manual' }, tags: [], ...over });

  it('reads cron and basic schedules, manual as none, and pauses on any status but active', () => {
    const cron = JobObservationSchema.parse(normalizeAirbyteConnection(conn({ schedule: { scheduleType: 'cron', cronExpression: '0 0 * * * ?' }, tags: [{ tagId: 't', name: 'critical', color: 'FF0000' }] }), opts));
    expect(cron).toMatchObject({ schedule: '0 0 * * * ?', paused: false, state: 'active', deleted: false, tags: { critical: '' } });
    expect(normalizeAirbyteConnection(conn({ schedule: { scheduleType: 'basic', basicTiming: 'Every 24 HOURS' } }), opts).schedule).toBe('Every 24 HOURS');
    expect(normalizeAirbyteConnection(conn({}), opts).schedule).toBeNull();
    for (const status of ['inactive', 'locked']) expect(normalizeAirbyteConnection(conn({ status }), opts)).toMatchObject({ paused: true, deleted: false });
    expect(normalizeAirbyteConnection(conn({ status: 'deprecated' }), opts)).toMatchObject({ paused: true, deleted: true });
  });
});
