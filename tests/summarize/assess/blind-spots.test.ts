import { describe, it, expect } from '@jest/globals';
import { at, job, kinds, Monitor, notices, openOf, plus, scopeReport } from './builder.js';

const t0 = at('2025-06-02T08:00:00Z');

describe('blind spots', () => {
  it('a platform unreadable for three cycles: told after 2 cycles, once; told when read again', () => {
    const m = new Monitor();
    const down = { scopes: [scopeReport('databricks', 'ws1', { error: 'connect ECONNREFUSED 10.0.0.1:443', complete: false })] };
    const c1 = m.cycle([], t0, down);
    expect(kinds(c1)).toEqual(['blind_spot ws1']);
    expect(notices(c1)).toEqual([]);
    const c2 = m.cycle([], plus(t0, 15), down);
    expect(notices(c2)).toEqual(['data-support blind_spot blind_spot ws1']);
    expect(openOf(c2)[0]).toMatchObject({ streak: 2, severity: 'critical', errorClass: 'unreadable', id: openOf(c1)[0]!.id });
    expect(notices(m.cycle([], plus(t0, 30), down))).toEqual([]);
    const back = m.cycle([], plus(t0, 45), { scopes: [scopeReport('databricks', 'ws1')] });
    expect(notices(back)).toEqual(['data-support recovered blind_spot ws1']);
  });

  it('a blip of one cycle tells nobody', () => {
    const m = new Monitor();
    m.cycle([], t0, { scopes: [scopeReport('airbyte', 'cloud', { error: 'socket hang up' })] });
    const r = m.cycle([], plus(t0, 15), { scopes: [scopeReport('airbyte', 'cloud')] });
    expect(notices(r)).toEqual([]);
    expect(r.incidents[0]).toMatchObject({ state: 'resolved' });
  });

  it('a scope missing from a minimal report is left as it was', () => {
    const m = new Monitor();
    m.cycle([], t0, { scopes: [scopeReport('airbyte', 'cloud', { error: 'socket hang up' })] });
    expect(kinds(m.cycle([], plus(t0, 15)))).toEqual(['blind_spot cloud']);
  });

  it('permission loss (401/403) is named and told at once', () => {
    const m = new Monitor();
    const r = m.cycle([], t0, { scopes: [scopeReport('powerautomate', 'env1', { error: 'HTTP 403 Forbidden from Dataverse' })] });
    expect(notices(r)).toEqual(['data-support blind_spot blind_spot env1']);
    expect(openOf(r)[0]).toMatchObject({ errorClass: 'permission_denied', detail: 'permission lost: the credentials were refused' });
  });

  it('an unrecoverable gap and an unwritable store are told at once', () => {
    const m = new Monitor();
    const r = m.cycle([], t0, {
      scopes: [scopeReport('snowflake', 'acct', { gaps: [{ from: '2025-05-01T00:00:00Z', to: '2025-05-02T00:00:00Z' }] })],
      store: { kind: 'snowflake', ok: false, error: 'warehouse suspended' },
    });
    expect(openOf(r).map((i) => `${i.platform} ${i.scope} ${i.errorClass}`)).toEqual(['monitor store store_unwritable', 'snowflake acct history_gap']);
    expect(notices(r)).toHaveLength(2);
  });

  it('an audit gap over 45 minutes is told once and ends quietly', () => {
    const m = new Monitor();
    m.trackCycleGaps = true;
    m.cycle([], t0);
    expect(notices(m.cycle([], plus(t0, 40)))).toEqual([]);
    const gap = m.cycle([], plus(t0, 40 + 50));
    expect(notices(gap)).toEqual(['data-support blind_spot blind_spot scheduler']);
    expect(openOf(gap)[0]).toMatchObject({ errorClass: 'audit_gap', platform: 'monitor' });
    const next = m.cycle([], plus(t0, 40 + 65));
    expect(notices(next)).toEqual([]);
    expect(next.incidents[0]).toMatchObject({ state: 'resolved' });
  });

  it('a scope-level blind spot reaches every team with jobs in the scope', () => {
    const m = new Monitor({ teams: [{ name: 'finance', email: ['fin@example.test'], match: [{ job: 'fin-*' }] }] });
    const jobs = [job('fin-close'), job('hr-sync')];
    const r = m.cycle(jobs, t0, { scopes: [scopeReport('databricks', 'ws1', { error: '401 Unauthorized' })] });
    expect(notices(r)).toEqual(['finance blind_spot blind_spot ws1', 'data-support blind_spot blind_spot ws1']);
  });
});
