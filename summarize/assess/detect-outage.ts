// Many jobs of one scope failing with the same error class at once is one problem (the warehouse is down, a token
// expired), not two hundred. One incident for the scope; the job failures it explains become its children.
import type { AssessConfig } from './config.js';
import { emptyDetection, fingerprint } from './findings.js';
import type { Detection, Finding } from './findings.js';
import type { Incident } from '../../normalize/incident.js';
import type { Platform } from '../../normalize/schema.js';

export interface OutageDetection extends Detection {
  /** Failed-incident fingerprint of each child → the outage fingerprint that explains it. */
  children: Map<string, string>;
}

/**
 * The number of jobs failing together that makes an outage: k, or the configured share of the scope if smaller,
 * but never fewer than 3 (two jobs failing alike in a small scope is as likely a coincidence as an outage).
 */
export function outageThreshold(config: AssessConfig, jobsInScope: number): number {
  return Math.min(config.outage.minJobs, Math.max(3, Math.ceil(config.outage.fraction * jobsInScope)));
}

/** The most jobs whose failure times fit in one window, and the earliest/latest of them. */
function densest(fs: readonly Finding[], windowMs: number): Finding[] {
  const s = [...fs].sort((a, b) => (a.lastRunAt?.getTime() ?? 0) - (b.lastRunAt?.getTime() ?? 0) || (a.jobId < b.jobId ? -1 : 1));
  let best: Finding[] = [];
  let lo = 0;
  for (let hi = 0; hi < s.length; hi++) {
    while ((s[hi]!.lastRunAt?.getTime() ?? 0) - (s[lo]!.lastRunAt?.getTime() ?? 0) > windowMs) lo++;
    if (hi - lo + 1 > best.length) best = s.slice(lo, hi + 1);
  }
  return best;
}

/**
 * `failures`: this cycle's `failed` findings; `jobCounts`: known jobs per `platform|scope`. An open outage stays
 * open while any job still fails with its error class, so a scope recovering job by job is one outage throughout.
 */
export function detectOutages(failures: readonly Finding[], jobCounts: ReadonlyMap<string, number>, open: ReadonlyMap<string, Incident>, config: AssessConfig): OutageDetection {
  const d: OutageDetection = { ...emptyDetection(), children: new Map() };
  const byScope = new Map<string, Finding[]>();
  for (const f of failures) {
    const k = `${f.platform}|${f.scope}`;
    byScope.set(k, [...(byScope.get(k) ?? []), f]);
  }
  for (const [key, n] of [...jobCounts].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const [platform, ...rest] = key.split('|');
    const scope = rest.join('|');
    const fp = fingerprint(platform as Platform, scope, '', 'platform_outage');
    d.evaluated.add(fp);
    const fs = byScope.get(key) ?? [];
    const byClass = new Map<string, Finding[]>();
    for (const f of fs) byClass.set(f.errorClass ?? 'unclassified', [...(byClass.get(f.errorClass ?? 'unclassified') ?? []), f]);
    const prev = open.get(fp);
    let cls: string | null = null;
    let members: Finding[] = [];
    if (prev && byClass.has(prev.errorClass ?? 'unclassified')) {
      cls = prev.errorClass ?? 'unclassified';
      members = byClass.get(cls)!;
    } else {
      const need = outageThreshold(config, n);
      for (const [c, group] of [...byClass].sort(([a], [b]) => (a < b ? -1 : 1))) {
        const burst = densest(group, config.outage.windowMinutes * 60_000);
        if (burst.length >= need && burst.length > members.length) {
          cls = c;
          // Every job failing with the class belongs to the outage, not only the ones inside the burst window.
          members = group;
        }
      }
    }
    if (cls === null || members.length === 0) continue;
    const sorted = [...members].sort((a, b) => (a.lastRunAt?.getTime() ?? 0) - (b.lastRunAt?.getTime() ?? 0) || (a.jobId < b.jobId ? -1 : 1));
    const last = sorted[sorted.length - 1]!;
    for (const m of sorted) d.children.set(fingerprint(m.platform, m.scope, m.jobId, 'failed'), fp);
    d.findings.push({
      kind: 'platform_outage',
      platform: platform as Platform,
      scope,
      jobId: '',
      jobName: null,
      severity: 'critical',
      streak: sorted.length,
      since: prev?.openedAt ?? sorted.reduce((t, f) => (f.since < t ? f.since : t), sorted[0]!.since),
      lastRunId: last.lastRunId,
      lastRunAt: last.lastRunAt,
      runUrl: last.runUrl,
      jobUrl: null,
      errorClass: cls === 'unclassified' ? null : cls,
      errorText: last.errorText,
      detail: `${sorted.length} of ${n} jobs failing with ${cls}`,
    });
  }
  return d;
}
