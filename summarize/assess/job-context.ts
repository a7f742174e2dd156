// Everything a job rule needs about one job: its snapshot, its effective settings and how to name it.
import type { JobSettings, JobSubject } from './config.js';
import type { AssessRun, JobSnapshot } from './snapshot.js';
import type { Finding } from './findings.js';
import type { IncidentKind, Severity } from '../../normalize/incident.js';

export interface JobContext {
  snap: JobSnapshot;
  settings: JobSettings;
  subject: JobSubject;
  now: Date;
}

/** The job's current name: the platform's listing first, else the newest run's (a rename follows the platform). */
export function jobNameOf(snap: JobSnapshot): string | null {
  if (snap.job?.name) return snap.job.name;
  const runs = [...snap.finals, ...snap.active, ...snap.pendingRetries];
  for (let i = runs.length - 1; i >= 0; i--) if (runs[i]!.jobName) return runs[i]!.jobName;
  return null;
}

/** A finding for a job with the identity fields filled in. */
export function jobFinding(
  ctx: JobContext,
  kind: IncidentKind,
  f: { severity?: Severity; streak: number; since: Date; run?: AssessRun | null; errorClass?: string | null; errorText?: string | null; detail: string },
): Finding {
  const run = f.run ?? null;
  return {
    kind,
    platform: ctx.snap.platform,
    scope: ctx.snap.scope,
    jobId: ctx.snap.jobId,
    jobName: ctx.subject.jobName,
    severity: f.severity ?? 'warning',
    streak: f.streak,
    since: f.since,
    lastRunId: run?.runId ?? null,
    lastRunAt: run ? (run.startedAt ?? run.scheduledAt ?? run.endedAt ?? null) : null,
    runUrl: run?.url ?? null,
    jobUrl: ctx.snap.job?.url ?? null,
    errorClass: f.errorClass ?? null,
    errorText: f.errorText ?? null,
    detail: f.detail,
  };
}
