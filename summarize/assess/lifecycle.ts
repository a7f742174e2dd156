// Turns findings into the next state of each incident: open new ones, update the ones found again, resolve the ones
// a rule looked at and did not find, and apply silences, flapping and outage grouping. Every change is an event.
import { createHash } from 'node:crypto';
import type { Incident, IncidentEvent, IncidentEventType } from '../../normalize/incident.js';
import type { Finding } from './findings.js';
import { fingerprintOf } from './findings.js';
import type { Silence } from './snapshot.js';
import { globMatch } from './glob.js';

/** Stable across re-runs: the same fingerprint opened at the same time is the same incident. */
export function incidentId(fingerprint: string, openedAt: Date): string {
  return `inc_${createHash('sha256').update(`${fingerprint}\n${openedAt.toISOString()}`).digest('hex').slice(0, 24)}`;
}

export interface Lifecycle {
  next: Map<string, Incident>;
  events: IncidentEvent[];
  /** Ids of incidents resolved this cycle. */
  resolved: Set<string>;
  /** Ids of incidents whose silence ended this cycle while they are still open: due again. */
  unsilenced: Set<string>;
}

export interface LifecycleInput {
  open: readonly Incident[];
  findings: readonly Finding[];
  evaluated: ReadonlySet<string>;
  route: (f: Finding) => string;
  now: Date;
  cycleId: string;
}

export function applyFindings(i: LifecycleInput): Lifecycle {
  const { now, cycleId } = i;
  const events: IncidentEvent[] = [];
  const event = (inc: Incident, type: IncidentEventType, note: string | null = null) =>
    events.push({ incidentId: inc.id, cycleId, at: now, type, severity: inc.severity, streak: inc.streak, errorClass: inc.errorClass, note });
  const next = new Map<string, Incident>();
  const resolved = new Set<string>();
  const found = new Map<string, Finding>();
  for (const f of i.findings) found.set(fingerprintOf(f), f);
  const open = [...i.open].filter((o) => o.state === 'open').sort((a, b) => (a.fingerprint < b.fingerprint ? -1 : 1));
  for (const prev of open) {
    const f = found.get(prev.fingerprint);
    if (f) {
      const cur: Incident = {
        ...prev,
        jobName: f.jobName ?? prev.jobName,
        severity: f.severity,
        lastSeenAt: now,
        streak: f.streak,
        lastRunId: f.lastRunId ?? prev.lastRunId,
        lastRunAt: f.lastRunAt ?? prev.lastRunAt,
        runUrl: f.runUrl ?? prev.runUrl,
        jobUrl: f.jobUrl ?? prev.jobUrl,
        errorClass: f.errorClass,
        errorText: f.errorText,
        detail: f.detail,
      };
      const material = cur.streak !== prev.streak || cur.lastRunId !== prev.lastRunId || cur.severity !== prev.severity || cur.errorClass !== prev.errorClass || cur.jobName !== prev.jobName;
      if (material) cur.updatedAt = now;
      if (cur.severity !== prev.severity) event(cur, 'severity_changed', `${prev.severity} → ${cur.severity}`);
      if (cur.errorClass !== prev.errorClass) event(cur, 'error_changed', prev.errorClass);
      if (cur.streak !== prev.streak || cur.lastRunId !== prev.lastRunId || cur.jobName !== prev.jobName) event(cur, 'updated');
      next.set(prev.fingerprint, cur);
    } else if (i.evaluated.has(prev.fingerprint)) {
      const cur: Incident = { ...prev, state: 'resolved', resolvedAt: now, updatedAt: now };
      event(cur, 'resolved');
      resolved.add(cur.id);
      next.set(prev.fingerprint, cur);
    } else {
      next.set(prev.fingerprint, prev);
    }
  }
  for (const [fp, f] of [...found].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (next.has(fp) && next.get(fp)!.state === 'open') continue;
    // A resolved incident of the same fingerprint stays as it is; the new one lives beside it under its own id.
    const inc: Incident = {
      id: incidentId(fp, f.since),
      fingerprint: fp,
      kind: f.kind,
      platform: f.platform,
      scope: f.scope,
      jobId: f.jobId,
      jobName: f.jobName,
      team: i.route(f),
      severity: f.severity,
      state: 'open',
      openedAt: f.since,
      updatedAt: now,
      lastSeenAt: now,
      resolvedAt: null,
      streak: f.streak,
      lastRunId: f.lastRunId,
      lastRunAt: f.lastRunAt,
      runUrl: f.runUrl,
      jobUrl: f.jobUrl,
      errorClass: f.errorClass,
      errorText: f.errorText,
      detail: f.detail,
      parentId: null,
      flapping: false,
      silencedUntil: null,
      acknowledged: false,
    };
    event(inc, 'opened');
    const old = next.get(fp);
    next.set(old ? `${fp}#new` : fp, inc);
  }
  return { next, events, resolved, unsilenced: new Set() };
}

function silenceMatches(s: Silence, inc: Incident): boolean {
  if (s.match === inc.fingerprint || s.match === inc.id) return true;
  if (inc.jobId === '') return false;
  return globMatch(s.match, inc.jobId) || (inc.jobName !== null && globMatch(s.match, inc.jobName));
}

/** Sets flapping, parent and silence on the open incidents, with an event for each change. */
export function applyMarks(
  l: Lifecycle,
  marks: { flappingJobs: ReadonlySet<string>; parentOf: (fp: string) => string | null; silences: readonly Silence[]; now: Date; cycleId: string },
): void {
  const { now, cycleId } = marks;
  const event = (inc: Incident, type: IncidentEventType, note: string | null = null) =>
    l.events.push({ incidentId: inc.id, cycleId, at: now, type, severity: inc.severity, streak: inc.streak, errorClass: inc.errorClass, note });
  for (const [key, prev] of l.next) {
    const jobKey = `${prev.platform}|${prev.scope}|${prev.jobId}`;
    if (prev.state !== 'open') {
      // Resolved this cycle while the job flaps: its resolve notice is held back like its open notices.
      if (l.resolved.has(prev.id) && prev.kind === 'failed' && marks.flappingJobs.has(jobKey)) l.next.set(key, { ...prev, flapping: true });
      continue;
    }
    const cur = { ...prev };
    cur.flapping = cur.kind === 'failed' && marks.flappingJobs.has(jobKey);
    if (cur.flapping !== prev.flapping) event(cur, cur.flapping ? 'flapping_started' : 'flapping_stopped');
    cur.parentId = cur.kind === 'failed' ? marks.parentOf(cur.fingerprint) : null;
    let until: Date | null = null;
    for (const s of marks.silences) if (s.until > now && silenceMatches(s, cur) && (!until || s.until > until)) until = s.until;
    cur.silencedUntil = until;
    if (until && prev.silencedUntil?.getTime() !== until.getTime()) event(cur, 'silenced', `until ${until.toISOString()}`);
    if (!until && prev.silencedUntil) {
      event(cur, 'unsilenced', prev.silencedUntil <= now ? 'the silence expired' : 'the silence was lifted');
      l.unsilenced.add(cur.id);
    }
    if (cur.flapping !== prev.flapping || cur.parentId !== prev.parentId || cur.silencedUntil?.getTime() !== prev.silencedUntil?.getTime()) cur.updatedAt = now;
    l.next.set(key, cur);
  }
}
