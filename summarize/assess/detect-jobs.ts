// Runs every job rule over one job. A paused or deleted job is never missed, late or hanging: its incidents close
// quietly, and only the suspended rule looks at it.
import type { AssessConfig, JobSubject } from './config.js';
import { settingsFor } from './config.js';
import { INCIDENT_KINDS } from '../../normalize/incident.js';
import type { Incident } from '../../normalize/incident.js';
import { emptyDetection, fingerprint, merge } from './findings.js';
import type { Detection } from './findings.js';
import type { JobSnapshot } from './snapshot.js';
import { jobNameOf } from './job-context.js';
import type { JobContext } from './job-context.js';
import { detectFailures, effectiveOutcomes } from './detect-failures.js';
import { detectFlapping } from './detect-flapping.js';
import { detectStuckQueued, detectTooLong } from './detect-runtime.js';
import { detectDeadline, detectMissed } from './detect-schedule.js';
import { detectSuspended, detectZeroOutput } from './detect-state.js';

export function subjectOf(snap: JobSnapshot): JobSubject {
  return { platform: snap.platform, scope: snap.scope, jobId: snap.jobId, jobName: jobNameOf(snap), tags: snap.job?.tags ?? {} };
}

export function detectJob(snap: JobSnapshot, config: AssessConfig, open: ReadonlyMap<string, Incident>, now: Date): Detection {
  const subject = subjectOf(snap);
  const ctx: JobContext = { snap, settings: settingsFor(config, subject), subject, now };
  const d = emptyDetection();
  const fp = (k: (typeof INCIDENT_KINDS)[number]) => fingerprint(snap.platform, snap.scope, snap.jobId, k);
  merge(d, detectSuspended(ctx, open.get(fp('suspended'))));
  if (snap.job?.deleted || snap.job?.paused === true) {
    for (const k of INCIDENT_KINDS) {
      if (k === 'suspended' || k === 'platform_outage' || k === 'blind_spot') continue;
      d.evaluated.add(fp(k));
      d.quiet.add(fp(k));
    }
    return d;
  }
  const outcomes = effectiveOutcomes(snap, ctx.settings.failureGraceMinutes, now);
  merge(d, detectFailures(ctx, outcomes));
  merge(d, detectFlapping(ctx, outcomes, open.has(fp('flapping'))));
  merge(d, detectTooLong(ctx));
  merge(d, detectStuckQueued(ctx));
  merge(d, detectMissed(ctx));
  merge(d, detectDeadline(ctx));
  merge(d, detectZeroOutput(ctx));
  return d;
}
