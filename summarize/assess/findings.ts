// What a rule reports: a finding (the problem is there now), and which fingerprints it looked at (an open incident
// a rule looked at and did not find again is resolved; one no rule looked at is left as it is). `quiet` marks the
// fingerprints whose resolution tells nobody (a paused or deleted job, an audit gap that is over).
import type { IncidentKind, IncidentPlatform, Severity } from '../../normalize/incident.js';
import type { AssessRun } from './snapshot.js';

export interface Finding {
  kind: IncidentKind;
  platform: IncidentPlatform;
  scope: string;
  /** '' for scope-level findings. */
  jobId: string;
  jobName: string | null;
  severity: Severity;
  streak: number;
  /** When the problem began according to the evidence; a new incident opens at this time. */
  since: Date;
  lastRunId: string | null;
  lastRunAt: Date | null;
  runUrl: string | null;
  jobUrl: string | null;
  errorClass: string | null;
  errorText: string | null;
  detail: string;
}

export interface Detection {
  findings: Finding[];
  evaluated: Set<string>;
  quiet: Set<string>;
}

export const emptyDetection = (): Detection => ({ findings: [], evaluated: new Set(), quiet: new Set() });

export function merge(into: Detection, d: Detection): void {
  into.findings.push(...d.findings);
  for (const f of d.evaluated) into.evaluated.add(f);
  for (const f of d.quiet) into.quiet.add(f);
}

export function fingerprint(platform: IncidentPlatform, scope: string, jobId: string, kind: IncidentKind): string {
  return `${platform}|${scope}|${jobId}|${kind}`;
}

export const fingerprintOf = (f: Pick<Finding, 'platform' | 'scope' | 'jobId' | 'kind'>) => fingerprint(f.platform, f.scope, f.jobId, f.kind);

/** When a run happened, for ordering: its end, else its start, else its scheduled time. */
export function runTime(r: Pick<AssessRun, 'endedAt' | 'startedAt' | 'scheduledAt'>): Date | null {
  return r.endedAt ?? r.startedAt ?? r.scheduledAt ?? null;
}

/** The error's class as the platforms give it, most specific first. */
export function errorClassOf(r: Pick<AssessRun, 'errorClass' | 'errorCode' | 'status'>): string | null {
  return r.errorClass ?? r.errorCode ?? r.status.detail ?? null;
}

/** The first non-empty line of the error text, bounded. The text is untrusted: it is carried, never interpreted. */
export function shortError(msg: string | null): string | null {
  if (!msg) return null;
  const line = msg.split('\n').find((l) => l.trim() !== '')?.trim() ?? '';
  return line.length > 300 ? `${line.slice(0, 299)}…` : line || null;
}

export function fmtDuration(ms: number): string {
  const m = Math.round(ms / 60_000);
  return m >= 60 ? `${Math.floor(m / 60)}h ${m % 60}m` : `${m}m`;
}
