import { describe, it, expect } from '@jest/globals';
import { Cron } from 'croner';
import { deadlineInstants, inferSchedule, missedSlots, parseSchedule } from '../../../summarize/assess/index.js';
import { at, job, kinds, Monitor, notices, plus } from './builder.js';

describe('schedules', () => {
  it('parses each platform\'s schedule text', () => {
    expect(parseSchedule('databricks', '0 15 2 * * ?', 'Europe/Berlin')).toMatchObject({ kind: 'cron', pattern: '0 15 2 * * ?', timezone: 'Europe/Berlin', quartz: true });
    expect(parseSchedule('databricks', '0 0 6 ? * 2 *', null)).toMatchObject({ kind: 'cron', pattern: '0 0 6 ? * 2', timezone: 'UTC' });
    expect(parseSchedule('snowflake', 'USING CRON 0 9 * * MON-FRI America/New_York', 'America/New_York')).toMatchObject({ kind: 'cron', pattern: '0 9 * * MON-FRI', timezone: 'America/New_York', quartz: false });
    expect(parseSchedule('snowflake', '60 MINUTE', null)).toMatchObject({ kind: 'interval', everyMs: 3_600_000 });
    expect(parseSchedule('snowflake', '2 HOURS', null)).toMatchObject({ kind: 'interval', everyMs: 7_200_000 });
    expect(parseSchedule('airbyte', 'Every 24 HOURS', null)).toMatchObject({ kind: 'interval', everyMs: 86_400_000 });
    expect(parseSchedule('airbyte', '0 0/30 * * * ?', null)).toMatchObject({ kind: 'cron', quartz: true });
    expect(parseSchedule('databricks', 'not a cron', null)).toBeNull();
    expect(parseSchedule('powerautomate', null, null)).toBeNull();
  });

  it('quartz day-of-week counts from Sunday = 1', () => {
    const s = parseSchedule('databricks', '0 0 6 ? * 2', 'UTC')!;
    // Monday 2025-03-24 06:00 was the slot; nothing since an earlier run → missed.
    const m = missedSlots(s, at('2025-03-17T06:00:00Z'), at('2025-03-25T00:00:00Z'), 10, 0.1);
    expect(m?.lastMissed).toEqual(at('2025-03-24T06:00:00Z'));
  });

  it('infers an interval from regular starts only', () => {
    const t = at('2025-06-01T00:00:00Z');
    expect(inferSchedule([0, 1, 2, 3, 4].map((i) => plus(t, 60 * i + (i % 2))))).toMatchObject({ kind: 'interval', everyMs: 3_600_000 });
    expect(inferSchedule([0, 1, 2, 3].map((i) => plus(t, 60 * i)))).toBeNull();
    expect(inferSchedule([0, 7, 9, 40, 41, 90].map((i) => plus(t, i)))).toBeNull();
  });

  it('cron slots walked forward match the slots read backward, across DST and beyond the slot cap', () => {
    // The reference: every fire strictly between the last start (+1 min early allowance) and the grace cutoff,
    // read with croner's backward search, as the assessment did before it walked forward.
    const cases: [string, string, string, string, string][] = [
      ['databricks', '0 0/15 * * * ?', 'UTC', '2025-03-30T00:07:00Z', '2025-03-30T03:00:00Z'],
      ['databricks', '0 30 1,2,3 * * ?', 'Europe/Berlin', '2025-03-29T00:00:00Z', '2025-03-31T06:00:00Z'],
      ['snowflake', 'USING CRON 0 9 * * MON-FRI America/New_York', 'America/New_York', '2025-10-30T13:00:00Z', '2025-11-11T00:00:00Z'],
      ['airbyte', '0 0 6 ? * 2', 'UTC', '2025-03-17T06:00:00Z', '2025-03-25T00:00:00Z'],
      ['databricks', '0 0 6 * * ?', 'Europe/Berlin', '2025-03-30T04:00:30Z', '2025-03-30T06:25:00Z'],
    ];
    for (const [platform, text, tz, last, now] of cases) {
      const s = parseSchedule(platform as 'databricks', text, tz)!;
      const m = missedSlots(s, at(last), at(now), 10, 0.1);
      const cutoff = new Date(at(now).getTime() - (m?.graceMs ?? 0) + 1);
      const c = new Cron(s.kind === 'cron' ? s.pattern : '', { timezone: tz, alternativeWeekdays: s.kind === 'cron' && s.quartz, sloppyRanges: s.kind === 'cron' && s.quartz, mode: s.kind === 'cron' && s.quartz ? '6-or-7-parts' : 'auto' });
      const fires = c.previousRuns(150, cutoff).filter((f) => f.getTime() > at(last).getTime() + 60_000);
      if (fires.length === 0) expect(m).toBeNull();
      else expect(m).toMatchObject({ firstMissed: fires[fires.length - 1], lastMissed: fires[0], count: fires.length });
    }
    // Every minute for a week without a run: the count stops at the cap, the slots are the true first and newest.
    const s = parseSchedule('databricks', '0 * * * * ?', 'UTC')!;
    const m = missedSlots(s, at('2025-06-01T00:00:00Z'), at('2025-06-08T00:00:00Z'), 10, 0.1);
    expect(m).toMatchObject({ firstMissed: at('2025-06-01T00:02:00Z'), lastMissed: at('2025-06-07T23:50:00Z'), count: 200 });
  });

  it('deadline instants follow the local day across DST', () => {
    expect(deadlineInstants('06:00', 'Europe/Berlin', at('2025-03-30T12:00:00Z'))).toEqual([at('2025-03-30T04:00:00Z'), at('2025-03-29T05:00:00Z')]);
  });
});

describe('missed schedule', () => {
  const daily = () => job('nightly', { schedule: '0 0 6 * * ?', scheduleTimezone: 'Europe/Berlin' });

  it('across the change to summer time (Europe/Berlin, 30 March 2025)', () => {
    const m = new Monitor();
    const j = daily().add({ start: at('2025-03-28T05:00:10Z') }).add({ start: at('2025-03-29T05:00:10Z') });
    // 06:00 CEST is 04:00Z; the grace of a daily job is 10 % of the interval (23 h on this day: 2 h 18 min).
    // A UTC+1 reading would wait for 05:00Z + 2 h 24 min.
    expect(kinds(m.cycle([j], at('2025-03-30T06:10:00Z')))).toEqual([]);
    const missed = m.cycle([j], at('2025-03-30T06:25:00Z'));
    expect(notices(missed)).toEqual(['data-support new missed_schedule nightly']);
    expect(missed.incidents[0]).toMatchObject({ openedAt: at('2025-03-30T04:00:00Z') });
    expect(missed.incidents[0]!.detail).toContain('2025-03-30T04:00:00.000Z');
    j.add({ start: at('2025-03-30T06:40:00Z') });
    expect(notices(m.cycle([j], at('2025-03-30T06:50:00Z')))).toEqual(['data-support recovered missed_schedule nightly']);
  });

  it('interval schedules (Snowflake N MINUTE) count from the last start', () => {
    const m = new Monitor();
    const t = at('2025-06-02T10:00:00Z');
    const j = job('DB.S.T', { platform: 'snowflake', scope: 'acct', schedule: '60 MINUTE' }).add({ start: t });
    expect(kinds(m.cycle([j], plus(t, 69)))).toEqual([]);
    expect(kinds(m.cycle([j], plus(t, 71)))).toEqual(['missed_schedule DB.S.T']);
  });

  it('inferred from history when there is no schedule', () => {
    const m = new Monitor();
    const t = at('2025-06-02T00:00:00Z');
    const j = job('flow', { platform: 'powerautomate', scope: 'env' }).series(t, 120, 6);
    expect(kinds(m.cycle([j], plus(t, 5 * 120 + 125)))).toEqual([]);
    expect(kinds(m.cycle([j], plus(t, 5 * 120 + 135)))).toEqual(['missed_schedule flow']);
  });

  it('paused, suspended or deleted jobs are never missed; their incidents close quietly', () => {
    const m = new Monitor();
    const j = daily().add({ start: at('2025-06-01T04:00:00Z') });
    expect(kinds(m.cycle([j], at('2025-06-03T05:00:00Z')))).toEqual(['missed_schedule nightly']);
    j.job = { ...j.job!, paused: true, state: 'PAUSED' };
    const r = m.cycle([j], at('2025-06-04T05:00:00Z'));
    expect(kinds(r)).toEqual([]);
    expect(r.incidents[0]).toMatchObject({ kind: 'missed_schedule', state: 'resolved' });
    expect(notices(r)).toEqual([]);
    j.job = { ...j.job!, paused: false, deleted: true };
    expect(kinds(m.cycle([j], at('2025-06-06T05:00:00Z')))).toEqual([]);
  });
});

describe('deadline', () => {
  it('must have succeeded by 06:00 Europe/Berlin; a late success resolves it', () => {
    const m = new Monitor({ overrides: [{ match: { job: 'finance-*' }, deadline: { time: '06:00', timezone: 'Europe/Berlin' } }] });
    const j = job('finance-close').add({ start: at('2025-06-02T03:00:00Z') });
    const other = job('hr-sync').add({ start: at('2025-06-01T03:00:00Z') });
    expect(kinds(m.cycle([j, other], at('2025-06-03T03:30:00Z')))).toEqual([]); // before 06:00 CEST (04:00Z)
    const late = m.cycle([j, other], at('2025-06-03T04:05:00Z'));
    expect(notices(late)).toEqual(['data-support new deadline finance-close']);
    j.add({ start: at('2025-06-03T04:10:00Z') });
    expect(notices(m.cycle([j, other], at('2025-06-03T04:30:00Z')))).toEqual(['data-support recovered deadline finance-close']);
  });
});
