// readAssessmentInputs' rows as each engine sends them: Snowflake's TO_JSON nests a VARIANT and may leave a NULL's
// key out, DuckDB's session may sit in another time zone, a BIGINT may pass 2^53. The store contract checks that
// the one statement answers as the separate reads do on both stores; this checks the parse itself.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { inputsFromRows, inputsSql } from '../../../sinks/store/assess-inputs.js';
import type { SqlSession } from '../../../sinks/store/assess-sql.js';
import { openDuckDbStore } from '../../../sinks/store/duckdb.js';
import { makeJob, makeRun, at } from '../../helpers/run-fixtures.js';
import { incident } from './contract-assess.js';

const opts = { now: at(60), finals: 20, successes: 20, cycleId: 'c1' };
const ms = (minutes: number, extra: number) => at(minutes).getTime() + extra;

describe('the assessment inputs read as JSON rows', () => {
  it("parses Snowflake's shape: upper-case columns, nested tags, NULL keys left out, rows in any order", () => {
    const job = { prev_end: ms(-1, 5), platform: 'databricks', scope: 'ws-1', job_id: 'job-1', paused: false, deleted: false, tags: { team: 'data-eng' }, first_seen_at: ms(0, 1) };
    const run = { part: 'final', platform: 'databricks', scope: 'ws-1', job_id: 'job-1', run_id: 'r1', attempt: 0, attempt_group: 'r1', is_final_attempt: true, status_category: 'succeeded', status_raw: 'OK', started_at: ms(0, 999), ended_at: ms(1, 1), duration_ms: 60_002, rows_processed: 2 ** 60, rn: 1, srn: 1 };
    const inc = incident({ openedAt: new Date(ms(0, 7)), updatedAt: new Date(ms(0, 8)), lastSeenAt: new Date(ms(0, 9)) });
    const incRow = { incident_id: inc.id, fingerprint: inc.fingerprint, kind: inc.kind, platform: inc.platform, scope: inc.scope, job_id: inc.jobId, job_name: inc.jobName, team: inc.team, severity: inc.severity, state: 'open', opened_at: ms(0, 7), updated_at: ms(0, 8), last_seen_at: ms(0, 9), streak: 1, last_run_id: inc.lastRunId, last_run_at: inc.lastRunAt!.getTime(), run_url: inc.runUrl, error_class: inc.errorClass, error_text: inc.errorText, detail: inc.detail, flapping: false, acknowledged: false };
    const ledger = (team: string, told: number, state: string) => ({ fingerprint: 'fp', team, last_state: state, severity: 'warning', told_at: told, message_id: 'm' });
    const rows = [
      { PART: 'ledger', J: JSON.stringify(ledger('ops', ms(5, 1), 'resolved')) },
      { PART: 'silence', J: JSON.stringify({ silence_id: 's2', match_text: 'b', until_at: ms(90, 0), author: 'x', reason: 'r', created_at: ms(0, 0) }) },
      { PART: 'run', J: JSON.stringify(run) },
      { PART: 'open', J: JSON.stringify(incRow) },
      { PART: 'silence', J: JSON.stringify({ silence_id: 's1', match_text: 'a', until_at: ms(90, 0), author: 'x', reason: 'r', created_at: ms(0, 0) }) },
      { PART: 'ledger', J: JSON.stringify(ledger('data-eng', ms(5, 1), 'open')) },
      { PART: 'ledger', J: JSON.stringify(ledger('zeta', ms(5, 0), 'open')) },
      { PART: 'job', J: JSON.stringify(job) },
    ];
    const out = inputsFromRows(rows, opts);
    expect(out.snapshot.previousCycleEndedAt).toEqual(new Date(ms(-1, 5)));
    const [j] = out.snapshot.jobs;
    expect(j?.job).toEqual({ name: null, schedule: null, scheduleTimezone: null, paused: false, state: null, tags: { team: 'data-eng' }, url: null, deleted: false, firstSeenAt: new Date(ms(0, 1)) });
    expect(j?.finals).toEqual([
      { runId: 'r1', jobName: null, attempt: 0, attemptGroup: 'r1', isFinalAttempt: true, status: { category: 'succeeded', detail: null, raw: 'OK' }, scheduledAt: null, startedAt: new Date(ms(0, 999)), endedAt: new Date(ms(1, 1)), durationMs: 60_002, errorClass: null, errorCode: null, errorMessage: null, url: null, rowsProcessed: 2 ** 60 },
    ]);
    expect(out.open).toEqual([{ ...inc, jobUrl: null, parentId: null, resolvedAt: null, silencedUntil: null }]);
    expect(out.silences.map((s) => s.id)).toEqual(['s1', 's2']);
    // The latest entry per fingerprint; a tie in time goes to the team last in order, as the SQL ORDER BY did.
    expect(out.ledger).toEqual({ fp: { lastState: 'resolved', at: new Date(ms(5, 1)), severity: 'warning', errorClass: null, team: 'ops' } });
    expect(() => inputsFromRows([{ part: 'other', j: '{}' }], opts)).toThrow(/unexpected part/);
  });

  it('gives the same instants in a DuckDB session in another time zone, and integers beyond 2^53 as Number() does', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pa-inputs-'));
    const store = await openDuckDbStore(join(dir, 'a.duckdb'));
    try {
      await store.migrate();
      await store.upsertRuns([makeRun({ runId: 'a', startedAt: new Date(ms(0, 123)), endedAt: new Date(ms(3, 7)) })]);
      await store.upsertJobs([makeJob({ firstSeenAt: new Date(ms(0, 1)) })]);
      const session = (store as unknown as { sqlSession(): SqlSession }).sqlSession();
      await session.read(async (q) => {
        await q.query("SET TimeZone = 'Asia/Kolkata'"); // +05:30: not a whole hour either
        await q.query('UPDATE runs SET rows_processed = 9007199254740993');
      });
      // Timestamps travel as epoch milliseconds, never as the engine's rendering ('2026-11-23 17:30:00.123+05:30' here).
      const { sql, binds } = inputsSql(session, 'all', opts);
      const sent = (await session.read((q) => q.query(sql, binds))).map((r) => [r.part, JSON.parse(String(r.j)) as Record<string, unknown>] as const);
      expect(sent.filter(([p]) => p === 'run').map(([, j]) => [typeof j.started_at, typeof j.ended_at])).toContainEqual(['number', 'number']);
      expect(sent.filter(([p]) => p === 'job').map(([, j]) => typeof j.first_seen_at)).toEqual(['number']);
      const inputs = await store.readAssessmentInputs('all', opts);
      const run = inputs.snapshot.jobs[0]?.finals[0];
      expect([run?.startedAt, run?.endedAt, inputs.snapshot.jobs[0]?.job?.firstSeenAt]).toEqual([new Date(ms(0, 123)), new Date(ms(3, 7)), new Date(ms(0, 1))]);
      expect(run?.rowsProcessed).toBe(Number(9007199254740993n));
      expect(inputs.snapshot).toEqual(await store.readAssessmentSnapshot('all', opts));
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
