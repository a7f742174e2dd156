import { describe, it, expect } from '@jest/globals';
import { at, job, Monitor, notices, openOf, plus } from './builder.js';

const t0 = at('2025-06-02T08:00:00Z');

describe('platform outage', () => {
  it('200 jobs failing with one error class within 10 minutes: one incident, children never notified', () => {
    const m = new Monitor();
    const jobs = Array.from({ length: 200 }, (_, i) => job(`job-${String(i).padStart(3, '0')}`).add({ start: t0 }));
    m.cycle(jobs, plus(t0, 30));
    jobs.forEach((j, i) => j.add({ start: plus(t0, 60 + (i % 9)), status: 'failed', errorClass: 'CLOUD_FAILURE', minutes: 1 }));
    const r = m.cycle(jobs, plus(t0, 80));
    expect(notices(r)).toEqual(['data-support new platform_outage ws1']);
    const outage = openOf(r).find((i) => i.kind === 'platform_outage')!;
    expect(outage).toMatchObject({ severity: 'critical', streak: 200, errorClass: 'CLOUD_FAILURE' });
    const children = openOf(r).filter((i) => i.kind === 'failed');
    expect(children).toHaveLength(200);
    expect(children.every((c) => c.parentId === outage.id)).toBe(true);
    // Half recover: the outage stays one incident; no child speaks.
    jobs.slice(0, 100).forEach((j) => j.add({ start: plus(t0, 120) }));
    expect(notices(m.cycle(jobs, plus(t0, 130)))).toEqual([]);
    jobs.slice(100).forEach((j) => j.add({ start: plus(t0, 120) }));
    expect(notices(m.cycle(jobs, plus(t0, 140)))).toEqual(['data-support recovered platform_outage ws1']);
  });

  it('a few jobs failing with different classes are separate incidents', () => {
    const m = new Monitor();
    const jobs = ['a', 'b', 'c', 'd', 'e', 'f'].map((n, i) => job(n).add({ start: t0, status: 'failed', errorClass: `E${i}` }));
    const r = m.cycle(jobs, plus(t0, 30));
    expect(openOf(r).map((i) => i.kind)).toEqual(Array(6).fill('failed'));
    expect(notices(r)).toHaveLength(6);
  });
});
