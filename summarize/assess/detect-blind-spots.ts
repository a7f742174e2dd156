// What the monitor could not see: a scope it could not read (a permission loss named as such), an unrecoverable gap
// in a scope's history, the store not writable, and a gap between audit cycles (the scheduler skipped runs).
import type { AssessConfig } from './config.js';
import { emptyDetection, fingerprint } from './findings.js';
import type { Detection, Finding } from './findings.js';
import type { AssessReport } from './snapshot.js';
import type { Incident, IncidentPlatform } from '../../normalize/incident.js';

/** Blind-spot classes told at once; the others (a scope that may be back next cycle) wait out the cycles/minutes. */
export const IMMEDIATE_BLIND_SPOTS: ReadonlySet<string> = new Set(['permission_denied', 'history_gap', 'store_unwritable', 'audit_gap']);

const PERMISSION = /\b(401|403)\b|unauthori[sz]ed|forbidden|permission|access denied|not authorized/i;

export function blindSpotClass(error: string): 'permission_denied' | 'unreadable' {
  return PERMISSION.test(error) ? 'permission_denied' : 'unreadable';
}

function finding(platform: IncidentPlatform, scope: string, cls: string, text: string | null, detail: string, since: Date, prev: Incident | undefined): Finding {
  return {
    kind: 'blind_spot',
    platform,
    scope,
    jobId: '',
    jobName: null,
    severity: 'critical',
    // Consecutive cycles the scope has been unreadable: the incident itself is the memory of it.
    streak: (prev?.streak ?? 0) + 1,
    since: prev?.openedAt ?? since,
    lastRunId: null,
    lastRunAt: null,
    runUrl: null,
    jobUrl: null,
    errorClass: cls,
    errorText: text,
    detail,
  };
}

export function detectBlindSpots(report: AssessReport, previousCycleEndedAt: Date | null, open: ReadonlyMap<string, Incident>, config: AssessConfig, now: Date): Detection {
  const d = emptyDetection();
  const seen = new Set<string>();
  for (const s of [...report.scopes].sort((a, b) => (`${a.platform}|${a.scope}` < `${b.platform}|${b.scope}` ? -1 : 1))) {
    const fp = fingerprint(s.platform, s.scope, '', 'blind_spot');
    if (seen.has(fp)) continue;
    seen.add(fp);
    d.evaluated.add(fp);
    const prev = open.get(fp);
    const short = (x: string) => (x.length > 300 ? `${x.slice(0, 299)}…` : x);
    if (s.error) {
      const cls = blindSpotClass(s.error);
      d.findings.push(finding(s.platform, s.scope, cls, short(s.error), cls === 'permission_denied' ? 'permission lost: the credentials were refused' : 'the scope could not be read', now, prev));
    } else if (s.gaps.length > 0) {
      const g = s.gaps.map((x) => `${x.from} → ${x.to}`).join(', ');
      d.findings.push(finding(s.platform, s.scope, 'history_gap', null, `runs lost: outside the platform's history (${short(g)})`, now, prev));
    } else if (!s.complete) {
      d.findings.push(finding(s.platform, s.scope, 'incomplete', short(s.incomplete.join('; ')) || null, 'the scope was read only in part', now, prev));
    }
  }
  for (const b of report.blindSpots) {
    const fp = fingerprint(b.platform, b.scope, '', 'blind_spot');
    if (seen.has(fp)) continue;
    seen.add(fp);
    d.evaluated.add(fp);
    const cls = blindSpotClass(b.reason);
    d.findings.push(finding(b.platform, b.scope, cls, b.reason.slice(0, 300), 'the scope could not be read', now, open.get(fp)));
  }
  const storeFp = fingerprint('monitor', 'store', '', 'blind_spot');
  d.evaluated.add(storeFp);
  if (!report.store.ok) {
    d.findings.push(finding('monitor', 'store', 'store_unwritable', report.store.error?.slice(0, 300) ?? null, `the ${report.store.kind} store could not be written: nothing was recorded this cycle`, now, open.get(storeFp)));
  }
  const gapFp = fingerprint('monitor', 'scheduler', '', 'blind_spot');
  d.evaluated.add(gapFp);
  // An audit gap is a fact about the past: told once, and its end tells nobody.
  d.quiet.add(gapFp);
  if (previousCycleEndedAt && now.getTime() - previousCycleEndedAt.getTime() > config.blindSpot.auditGapMinutes * 60_000) {
    const mins = Math.round((now.getTime() - previousCycleEndedAt.getTime()) / 60_000);
    d.findings.push(finding('monitor', 'scheduler', 'audit_gap', null, `no audit cycle between ${previousCycleEndedAt.toISOString()} and ${now.toISOString()} (${mins} min)`, previousCycleEndedAt, undefined));
  }
  return d;
}
