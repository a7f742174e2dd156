// A live smoke test against a real Snowflake account: init, one upsert, a read back. It runs only when
// SNOWFLAKE_LIVE_ACCOUNT, SNOWFLAKE_LIVE_USER and a key (SNOWFLAKE_LIVE_PRIVATE_KEY_PATH) or password are set, in a
// schema of its own (SNOWFLAKE_LIVE_DATABASE, default DEV_POWERAPPS; schema AUDIT_JOB_HUB_SMOKE).
import { describe, expect, it } from '@jest/globals';
import type { SqlSession } from '../../../sinks/store/assess-sql.js';
import { openSnowflakeStore } from '../../../sinks/store/snowflake.js';
import { makeRun } from '../../helpers/run-fixtures.js';

type Env = Record<string, string | undefined>;
export function liveSettingsFromEnv(env: Env) {
  const v = (k: string) => (env[k]?.trim() ? env[k]!.trim() : undefined);
  const account = v('SNOWFLAKE_LIVE_ACCOUNT');
  const username = v('SNOWFLAKE_LIVE_USER');
  const privateKeyPath = v('SNOWFLAKE_LIVE_PRIVATE_KEY_PATH');
  const password = v('SNOWFLAKE_LIVE_PASSWORD');
  if (!account || !username || (!privateKeyPath && !password)) return null;
  return { account, username, privateKeyPath, password, role: v('SNOWFLAKE_LIVE_ROLE'), warehouse: v('SNOWFLAKE_LIVE_WAREHOUSE'), database: v('SNOWFLAKE_LIVE_DATABASE') ?? 'DEV_POWERAPPS', schema: 'AUDIT_JOB_HUB_SMOKE' };
}

const live = liveSettingsFromEnv(process.env);

describe('Snowflake live smoke test', () => {
  it('is gated on credentials: none here means no live call', () => {
    expect(liveSettingsFromEnv({})).toBeNull();
    expect(liveSettingsFromEnv({ SNOWFLAKE_LIVE_ACCOUNT: 'org-acct', SNOWFLAKE_LIVE_USER: 'svc', SNOWFLAKE_LIVE_PASSWORD: '' })).toBeNull();
    expect(liveSettingsFromEnv({ SNOWFLAKE_LIVE_ACCOUNT: 'org-acct', SNOWFLAKE_LIVE_USER: 'svc', SNOWFLAKE_LIVE_PRIVATE_KEY_PATH: '/k.p8' })).toMatchObject({ schema: 'AUDIT_JOB_HUB_SMOKE' });
  });

  if (live) {
    it('runs init, one upsert and a read back on the real account', async () => {
      const store = await openSnowflakeStore(live, { queryTag: 'pipeline-audit/live-smoke' });
      try {
        await store.migrate();
        const run = makeRun({ runId: `smoke-${Date.now()}` });
        await store.upsertRuns([run]);
        const back = await store.readRuns({ scope: run.scope });
        expect(back.map((r) => r.runId)).toContain(run.runId);
      } finally {
        await store.close();
      }
    }, 120_000);

    // What the emulator cannot vouch for: the real TO_JSON(OBJECT_CONSTRUCT_KEEP_NULL(…)) and DATE_PART(EPOCH_MILLISECOND, …)
    // of a TIMESTAMP_TZ, here in a session that is not in UTC.
    it('reads the assessment inputs in one statement as the separate reads do, sub-second instants exact', async () => {
      const store = await openSnowflakeStore(live, { queryTag: 'pipeline-audit/live-smoke' });
      try {
        await store.migrate();
        const startedAt = new Date(Date.UTC(2026, 10, 23, 12, 0, 0, 123));
        const run = makeRun({ runId: `smoke-json-${Date.now()}`, scope: 'smoke-json', startedAt, endedAt: new Date(startedAt.getTime() + 7), rowsProcessed: 2 ** 60 });
        await store.upsertRuns([run]);
        await (store as unknown as { sqlSession(): SqlSession }).sqlSession().read((q) => q.query("ALTER SESSION SET TIMEZONE = 'America/Los_Angeles'"));
        const opts = { now: new Date(startedAt.getTime() + 60_000), finals: 20, successes: 20, cycleId: 'smoke' };
        const scopes = [{ platform: run.platform, scope: run.scope }];
        const inputs = await store.readAssessmentInputs(scopes, opts);
        expect(inputs.snapshot).toEqual(await store.readAssessmentSnapshot(scopes, opts));
        expect(inputs.snapshot.jobs[0]?.finals.find((r) => r.runId === run.runId)).toMatchObject({ startedAt, endedAt: run.endedAt, rowsProcessed: 2 ** 60 });
        expect(inputs.ledger).toEqual(await store.readLedger());
      } finally {
        await store.close();
      }
    }, 120_000);
  }
});
