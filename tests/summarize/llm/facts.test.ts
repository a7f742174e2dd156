import { describe, expect, it } from '@jest/globals';
import { buildFacts, factsHash, groupPlan, MAX_ERROR_CHARS } from '../../../summarize/llm/facts.js';
import { buildPrompt, promptTokens } from '../../../summarize/llm/prompt.js';
import { syntheticIncident, syntheticPlan } from '../../../sim/incidents.js';
import type { NotificationPlan } from '../../../normalize/incident.js';
import { loadTokenizer } from '../../../summarize/llm/prompt.js';

// The facts are measured with the o200k tokenizer, loaded on first need (summarize/llm/prompt.ts).
await loadTokenizer();

const at = new Date('2026-11-23T06:00:00Z');

function planOf(...incidents: ReturnType<typeof syntheticIncident>[]): NotificationPlan {
  const teams = [...new Set(incidents.map((i) => i.team))].sort();
  return { cycleId: 'c1', at, teams: teams.map((team) => ({ team, email: ['t@example.invalid'], cc: [], timezone: null, notices: incidents.filter((i) => i.team === team).map((incident) => ({ reason: 'new' as const, incident })) })) };
}

describe('buildFacts', () => {
  it('groups by team, platform and error class with counts, times, at most three job names and a trimmed error', () => {
    const base = syntheticIncident(1, at);
    const incidents = [0, 1, 2, 3, 4].map((n) => ({
      ...base,
      id: `i${n}`,
      jobId: `job-${n}`,
      jobName: `job name ${n}`,
      streak: n + 1,
      severity: n >= 2 ? ('critical' as const) : ('warning' as const),
      openedAt: new Date(at.getTime() - (n + 1) * 3_600_000),
      lastSeenAt: new Date(at.getTime() - n * 60_000),
      errorText: n === 0 ? `boom ${'x'.repeat(500)}` : 'older error',
    }));
    const other = { ...base, id: 'j1', errorClass: 'something_else' };
    const facts = buildFacts(planOf(...incidents, other));
    expect(facts.groups).toHaveLength(2);
    const g = facts.groups[0]!;
    expect(g).toMatchObject({ id: 'g1', team: base.team, platform: base.platform, errorClass: base.errorClass, severity: 'critical', incidents: 5, open: 5, maxStreak: 5, otherJobs: 2 });
    expect(g.jobs).toEqual(['job name 0', 'job name 1', 'job name 2']);
    expect(g.firstAt).toBe('2026-11-23T01:00Z');
    expect(g.lastAt).toBe('2026-11-23T06:00Z');
    expect(g.error!.startsWith('boom x')).toBe(true); // the most recent error
    expect(g.error!.length).toBeLessThanOrEqual(MAX_ERROR_CHARS);
    expect(g.incidentIds).toEqual(['i0', 'i1', 'i2', 'i3', 'i4']);
    expect(facts.groups[1]).toMatchObject({ id: 'g2', errorClass: 'something_else', incidents: 1 });
    expect(facts.more).toBeNull();
  });

  it('is deterministic whatever the order of teams and notices', () => {
    const plan = syntheticPlan({ failing: 300 });
    const shuffled: NotificationPlan = { ...plan, teams: [...plan.teams].reverse().map((t) => ({ ...t, notices: [...t.notices].reverse() })) };
    expect(buildFacts(shuffled)).toEqual(buildFacts(plan));
    expect(factsHash(buildFacts(shuffled))).toBe(factsHash(buildFacts(plan)));
  });

  it.each([10, 1_000, 10_000])('keeps the prompt within 6,000 tokens at %i failing incidents', (failing) => {
    const facts = buildFacts(syntheticPlan({ failing }));
    const measured = promptTokens(buildPrompt(facts));
    expect(measured).toBe(facts.promptTokens);
    expect(measured).toBeLessThanOrEqual(6_000);
    const all = groupPlan(syntheticPlan({ failing }));
    expect(facts.groups.length + (facts.more?.groups ?? 0)).toBe(all.length);
    expect(facts.groups.reduce((n, g) => n + g.incidents, 0) + (facts.more?.incidents ?? 0)).toBe(failing);
  });

  it('keeps the budget in the worst case (every incident its own group) and summarizes the rest as counts', () => {
    const facts = buildFacts(syntheticPlan({ failing: 10_000, distinctClasses: true }));
    expect(facts.promptTokens).toBeLessThanOrEqual(6_000);
    expect(facts.groups.length).toBeGreaterThan(5);
    expect(facts.more).toMatchObject({ groups: 10_000 - facts.groups.length, incidents: 10_000 - facts.groups.length });
    expect(buildPrompt(facts).user).toContain('"moreGroups":{"groups":');
  });

  it('honours a smaller budget exactly', () => {
    const facts = buildFacts(syntheticPlan({ failing: 200 }), { maxPromptTokens: 1_500 });
    expect(facts.promptTokens).toBeLessThanOrEqual(1_500);
    expect(facts.groups.length).toBeGreaterThan(0);
    expect(facts.more).not.toBeNull();
  });

  it('hashes what the narrative depends on: a reminder (new times, streaks, reasons) hits, a new incident misses', () => {
    const plan = syntheticPlan({ failing: 40 });
    const later: NotificationPlan = {
      ...plan,
      at: new Date(at.getTime() + 4 * 3_600_000),
      teams: plan.teams.map((t) => ({ ...t, notices: t.notices.map((n) => ({ reason: 'reminder' as const, incident: { ...n.incident, lastSeenAt: new Date(at.getTime() + 3_600_000), streak: n.incident.streak + 1 } })) })),
    };
    expect(factsHash(buildFacts(later))).toBe(factsHash(buildFacts(plan)));
    expect(factsHash(buildFacts(syntheticPlan({ failing: 41 })))).not.toBe(factsHash(buildFacts(plan)));
    const severer: NotificationPlan = { ...plan, teams: plan.teams.map((t) => ({ ...t, notices: t.notices.map((n) => ({ ...n, incident: { ...n.incident, severity: 'critical' as const } })) })) };
    expect(factsHash(buildFacts(severer))).not.toBe(factsHash(buildFacts(plan)));
  });

  it('names scopes for scope-level incidents and counts recovered ones', () => {
    const outage = { ...syntheticIncident(0, at), id: 'o1', kind: 'platform_outage' as const, jobId: '', jobName: null, scope: 'adb-123.azuredatabricks.net' };
    const gone = { ...syntheticIncident(4, at), id: 'r1', state: 'resolved' as const, resolvedAt: at };
    const facts = buildFacts(planOf(outage, gone));
    const o = facts.groups.find((g) => g.kinds.includes('platform_outage'))!;
    expect(o.scopes).toEqual(['adb-123.azuredatabricks.net']);
    expect(o.jobs).toEqual([]);
    expect(facts.groups.find((g) => g.incidentIds.includes('r1'))).toMatchObject({ open: 0, resolved: 1 });
  });
});
