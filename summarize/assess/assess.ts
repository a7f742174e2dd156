// The assessment: (stored snapshot + this cycle's report + open incidents + silences + ledger + config + now) →
// (next incident states, their events, the notification plan). Pure: no I/O, no clock, no randomness, so the same
// input always yields the same output (ids included) and every rule is tested without a store.
import type { Incident, IncidentEvent, NotificationPlan } from '../../normalize/incident.js';
import { routeTeam } from './config.js';
import { emptyDetection, fingerprint, merge } from './findings.js';
import type { Detection } from './findings.js';
import type { AssessInput } from './snapshot.js';
import { detectJob, subjectOf } from './detect-jobs.js';
import { detectOutages } from './detect-outage.js';
import { detectBlindSpots } from './detect-blind-spots.js';
import { applyFindings, applyMarks } from './lifecycle.js';
import { buildPlan } from './plan.js';

export interface AssessResult {
  /** Every incident open after this cycle (changed or not) and every one resolved by it, sorted by fingerprint. */
  incidents: Incident[];
  /** This cycle's transitions, append-only. */
  events: IncidentEvent[];
  plan: NotificationPlan;
}

export function assess(input: AssessInput): AssessResult {
  const { snapshot, report, config, now, cycleId } = input;
  const open = new Map(input.open.filter((i) => i.state === 'open').map((i) => [i.fingerprint, i]));
  const all: Detection = emptyDetection();
  const jobCounts = new Map<string, number>();
  const scopeTeams = new Map<string, string[]>();
  const tagsOf = new Map<string, Readonly<Record<string, string>>>();
  const jobs = [...snapshot.jobs].sort((a, b) => (`${a.platform}|${a.scope}|${a.jobId}` < `${b.platform}|${b.scope}|${b.jobId}` ? -1 : 1));
  for (const snap of jobs) {
    const scopeKey = `${snap.platform}|${snap.scope}`;
    if (!snap.job?.deleted) jobCounts.set(scopeKey, (jobCounts.get(scopeKey) ?? 0) + 1);
    const subject = subjectOf(snap);
    tagsOf.set(`${scopeKey}|${snap.jobId}`, subject.tags);
    const team = routeTeam(config, subject).name;
    const ts = scopeTeams.get(scopeKey) ?? [];
    if (!ts.includes(team)) scopeTeams.set(scopeKey, [...ts, team]);
    merge(all, detectJob(snap, config, open, now));
  }
  const failures = all.findings.filter((f) => f.kind === 'failed');
  const outages = detectOutages(failures, jobCounts, open, config);
  merge(all, outages);
  merge(all, detectBlindSpots(report, snapshot.previousCycleEndedAt, open, config, now));

  const life = applyFindings({
    open: [...open.values()],
    findings: all.findings,
    evaluated: all.evaluated,
    route: (f) => routeTeam(config, { platform: f.platform, scope: f.scope, jobId: f.jobId, jobName: f.jobName, tags: tagsOf.get(`${f.platform}|${f.scope}|${f.jobId}`) ?? {} }).name,
    now,
    cycleId,
  });
  const flappingJobs = new Set<string>();
  for (const inc of life.next.values()) if (inc.kind === 'flapping' && inc.state === 'open') flappingJobs.add(`${inc.platform}|${inc.scope}|${inc.jobId}`);
  const outageId = (fp: string): string | null => {
    const o = life.next.get(fp);
    return o && o.state === 'open' ? o.id : null;
  };
  applyMarks(life, {
    flappingJobs,
    parentOf: (fp) => {
      const parent = outages.children.get(fp);
      return parent ? outageId(parent) : null;
    },
    silences: input.silences,
    now,
    cycleId,
  });
  const incidents = [...life.next.values()].sort((a, b) => (a.fingerprint < b.fingerprint ? -1 : a.fingerprint > b.fingerprint ? 1 : a.openedAt.getTime() - b.openedAt.getTime()));
  const plan = buildPlan({ incidents, resolvedNow: life.resolved, quiet: all.quiet, unsilenced: life.unsilenced, ledger: input.ledger, config, now, cycleId, scopeTeams });
  return { incidents, events: life.events, plan };
}

/** The fingerprint of a job-level incident (for `explain`, silences by fingerprint and the store). */
export { fingerprint };
