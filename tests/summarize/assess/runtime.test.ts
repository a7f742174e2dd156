import { describe, it, expect } from '@jest/globals';
import { at, job, kinds, Monitor, notices, openOf, plus } from './builder.js';

const t0 = at('2025-06-02T00:00:00Z');

describe('runs that hang, queue or move nothing', () => {
  it('too long with >= 10 samples: past max(1.5 × p95, median + 10 min); the long run ending resolves it', () => {
    const m = new Monitor();
    const j = job('etl').series(t0, 60, 10, { minutes: 20 }).add({ start: plus(t0, 600), open: 'running' });
    expect(kinds(m.cycle([j], plus(t0, 600 + 29)))).toEqual([]); // threshold max(30, 30) = 30 min
    const r = m.cycle([j], plus(t0, 600 + 31));
    expect(notices(r)).toEqual(['data-support new too_long etl']);
    expect(openOf(r)[0]!.detail).toMatch(/running 31m; usual p95 20m/);
    j.runs[j.runs.length - 1]!.open = null;
    j.runs[j.runs.length - 1]!.run.endedAt = plus(t0, 600 + 40);
    expect(notices(m.cycle([j], plus(t0, 600 + 45)))).toEqual(['data-support recovered too_long etl']);
  });

  it('with fewer samples only the configured maximum applies', () => {
    const none = new Monitor();
    const j = job('etl').series(t0, 60, 3, { minutes: 5 }).add({ start: plus(t0, 300), open: 'running' });
    expect(kinds(none.cycle([j], plus(t0, 300 + 600)))).toEqual([]);
    const capped = new Monitor({ overrides: [{ match: { job: 'ETL' }, maxDurationMinutes: 120 }] });
    expect(kinds(capped.cycle([j], plus(t0, 300 + 119)))).toEqual([]);
    const r = capped.cycle([j], plus(t0, 300 + 121));
    expect(kinds(r)).toEqual(['too_long etl']);
    expect(openOf(r)[0]!.detail).toContain('configured maximum 2h 0m');
  });

  it('stuck in the queue past 30 minutes', () => {
    const m = new Monitor();
    const j = job('sync', { platform: 'airbyte', scope: 'ws' }).add({ start: t0, open: 'queued' });
    expect(kinds(m.cycle([j], plus(t0, 29)))).toEqual([]);
    expect(notices(m.cycle([j], plus(t0, 31)))).toEqual(['data-support new stuck_queued sync']);
    j.runs[0]!.open = 'running';
    expect(notices(m.cycle([j], plus(t0, 40)))).toEqual(['data-support recovered stuck_queued sync']);
  });

  it('three zero-row successes after successes that moved rows', () => {
    const m = new Monitor();
    const j = job('sync', { platform: 'airbyte', scope: 'ws' }).series(t0, 60, 4, { rows: 1200 }).series(plus(t0, 240), 60, 2, { rows: 0 });
    expect(kinds(m.cycle([j], plus(t0, 340)))).toEqual([]);
    j.add({ start: plus(t0, 360), rows: 0 });
    const r = m.cycle([j], plus(t0, 370));
    expect(notices(r)).toEqual(['data-support new zero_output sync']);
    expect(openOf(r)[0]).toMatchObject({ streak: 3 });
    j.add({ start: plus(t0, 420), rows: 10 });
    expect(notices(m.cycle([j], plus(t0, 430)))).toEqual(['data-support recovered zero_output sync']);
  });

  it('a job that never reports rows or always moves 0 rows is not zero output', () => {
    const m = new Monitor();
    const a = job('a').series(t0, 60, 5);
    const b = job('b').series(t0, 60, 5, { rows: 0 });
    expect(kinds(m.cycle([a, b], plus(t0, 300)))).toEqual([]);
  });
});

describe('suspended', () => {
  it('Snowflake FAILED_AND_AUTO_SUSPENDED is critical, reported once; resuming resolves it', () => {
    const m = new Monitor();
    const j = job('DB.S.LOAD', { platform: 'snowflake', scope: 'acct', paused: false, state: 'started' }).add({ start: t0 });
    m.cycle([j], plus(t0, 10));
    j.add({ start: plus(t0, 60), status: 'failed', detail: 'auto_suspended', errorClass: null });
    j.job = { ...j.job!, paused: true, state: 'suspended' };
    j.jobBefore = { paused: false, state: 'started' };
    const r = m.cycle([j], plus(t0, 70));
    expect(notices(r)).toEqual(['data-support new suspended DB.S.LOAD']);
    expect(openOf(r)[0]).toMatchObject({ severity: 'critical', errorClass: 'auto_suspended' });
    j.jobBefore = { paused: true, state: 'suspended' };
    expect(notices(m.cycle([j], plus(t0, 70 + 60 * 30)))).toEqual([]); // no reminders
    j.job = { ...j.job, paused: false, state: 'started' };
    // Resumed: the suspension is over, and its last run is still a failure until the next one succeeds.
    expect(notices(m.cycle([j], plus(t0, 70 + 60 * 31)))).toEqual(['data-support new failed DB.S.LOAD', 'data-support recovered suspended DB.S.LOAD']);
  });

  it('a job turned inactive is reported on the change only', () => {
    const m = new Monitor();
    const seenPaused = job('old', { platform: 'airbyte', scope: 'ws', paused: true, state: 'inactive' });
    seenPaused.jobBefore = null;
    const turned = job('conn', { platform: 'airbyte', scope: 'ws', paused: true, state: 'locked' });
    turned.jobBefore = { paused: false, state: 'active' };
    const r = m.cycle([seenPaused, turned], t0);
    expect(kinds(r)).toEqual(['suspended conn']);
    expect(openOf(r)[0]!.detail).toContain('locked');
  });
});
