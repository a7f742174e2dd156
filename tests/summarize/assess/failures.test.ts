import { describe, it, expect } from '@jest/globals';
import { assess } from '../../../summarize/assess/index.js';
import { at, job, kinds, Monitor, notices, openOf, plus } from './builder.js';

const t0 = at('2025-06-02T08:00:00Z');

describe('failures, retries and streaks', () => {
  it('a blip fixed by a retry is nothing', () => {
    const m = new Monitor();
    const j = job('etl').add({ start: t0, status: 'failed', final: false, group: 'g1' }).add({ start: plus(t0, 6), status: 'succeeded', group: 'g1', attempt: 1 });
    expect(notices(m.cycle([j], plus(t0, 3)))).toEqual([]); // failed attempt, retry pending: waits
    const r = m.cycle([j], plus(t0, 15));
    expect(openOf(r)).toEqual([]);
    expect(r.events).toEqual([]);
    expect(notices(r)).toEqual([]);
  });

  it('a retry that does not come within the grace counts; the late retry resolves it', () => {
    const m = new Monitor();
    const j = job('etl').add({ start: t0, status: 'failed', final: false, group: 'g1', errorClass: 'DRIVER_ERROR' });
    expect(notices(m.cycle([j], plus(t0, 20)))).toEqual([]); // inside the 30-min grace
    const late = m.cycle([j], plus(t0, 40));
    expect(notices(late)).toEqual(['data-support new failed etl']);
    expect(openOf(late)[0]).toMatchObject({ errorClass: 'DRIVER_ERROR', streak: 1 });
    expect(openOf(late)[0]!.detail).toContain('retry did not come');
    j.add({ start: plus(t0, 50), status: 'succeeded', group: 'g1', attempt: 1 });
    const rec = m.cycle([j], plus(t0, 60));
    expect(notices(rec)).toEqual(['data-support recovered failed etl']);
    expect(openOf(rec)).toEqual([]);
  });

  it('a streak of 3: one incident, severity rises at 3, one recovery', () => {
    const m = new Monitor();
    const j = job('load').add({ start: t0 }).add({ start: plus(t0, 60), status: 'failed' });
    const c1 = m.cycle([j], plus(t0, 70));
    expect(notices(c1)).toEqual(['data-support new failed load']);
    const id = openOf(c1)[0]!.id;
    j.add({ start: plus(t0, 120), status: 'failed' });
    const c2 = m.cycle([j], plus(t0, 130));
    expect(notices(c2)).toEqual([]); // same incident, same severity: nothing to say
    expect(openOf(c2)[0]).toMatchObject({ id, streak: 2, severity: 'warning' });
    j.add({ start: plus(t0, 180), status: 'failed' });
    const c3 = m.cycle([j], plus(t0, 190));
    expect(openOf(c3)).toHaveLength(1);
    expect(openOf(c3)[0]).toMatchObject({ id, streak: 3, severity: 'critical' });
    expect(notices(c3)).toEqual(['data-support changed failed load']);
    expect(c3.events.map((e) => e.type)).toEqual(['severity_changed', 'updated']);
    j.add({ start: plus(t0, 240) });
    const c4 = m.cycle([j], plus(t0, 250));
    expect(notices(c4)).toEqual(['data-support recovered failed load']);
    expect(c4.incidents[0]).toMatchObject({ id, state: 'resolved' });
    expect(notices(m.cycle([j], plus(t0, 265)))).toEqual([]);
  });

  it('streakOpenAfter 3 waits for the third failure', () => {
    const m = new Monitor({ detection: { streakOpenAfter: 3 } });
    const j = job('load').series(t0, 60, 2, { status: 'failed' });
    expect(kinds(m.cycle([j], plus(t0, 70)))).toEqual([]);
    j.add({ start: plus(t0, 120), status: 'failed' });
    expect(notices(m.cycle([j], plus(t0, 130)))).toEqual(['data-support new failed load']);
  });

  it('a catch-up after 6 hours down opens one incident per fingerprint with its streak', () => {
    const m = new Monitor();
    m.trackCycleGaps = true;
    const a = job('a').series(t0, 30, 12, { status: 'failed' });
    const b = job('b').series(t0, 30, 12).add({ start: plus(t0, 360), status: 'failed' });
    m.cycle([a, b], plus(t0, -5));
    const r = m.cycle([a, b], plus(t0, 6 * 60 + 5));
    expect(kinds(r).sort()).toEqual(['blind_spot scheduler', 'failed a', 'failed b']);
    expect(openOf(r).find((i) => i.jobId === 'a')).toMatchObject({ streak: 12, severity: 'critical', openedAt: plus(t0, 5) });
    expect(notices(r).sort()).toEqual(['data-support blind_spot blind_spot scheduler', 'data-support new failed a', 'data-support new failed b']);
  });

  it('re-running the same cycle gives the same ids, incidents and plan; after delivery nothing is planned again', () => {
    const m = new Monitor();
    const j = job('x').add({ start: t0, status: 'failed' });
    const input = m.input([j], plus(t0, 10));
    const first = m.cycle([j], plus(t0, 10));
    const again = JSON.parse(JSON.stringify(first));
    // Same inputs, same outputs, ids included.
    expect(JSON.parse(JSON.stringify(assess(input)))).toEqual(again);
    // The scheduler re-runs the cycle after delivery: nothing new to send, the same incident.
    m.previousCycleEndedAt = null;
    const rerun = m.cycle([j], plus(t0, 10));
    expect(notices(rerun)).toEqual([]);
    expect(rerun.events).toEqual([]);
    expect(openOf(rerun)[0]!.id).toBe(openOf(first)[0]!.id);
  });

  it('a renamed job (same id, new name) stays the same incident', () => {
    const m = new Monitor();
    const j = job('123', { name: 'old name' }).add({ start: t0, status: 'failed' });
    const c1 = m.cycle([j], plus(t0, 10));
    j.job = { ...j.job!, name: 'new name' };
    j.add({ start: plus(t0, 60), status: 'failed' });
    const c2 = m.cycle([j], plus(t0, 70));
    expect(openOf(c2)).toHaveLength(1);
    expect(openOf(c2)[0]).toMatchObject({ id: openOf(c1)[0]!.id, jobName: 'new name', streak: 2 });
    expect(notices(c2)).toEqual([]);
  });
});
