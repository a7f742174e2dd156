// Silent failures in time: a run that never started when the schedule said (or when the history says it always
// does), and a job that has not succeeded by its configured local deadline.
import { deadlineInstants, inferSchedule, missedSlots, parseSchedule } from './schedule.js';
import type { Schedule } from './schedule.js';
import { emptyDetection, fingerprint, runTime } from './findings.js';
import type { Detection } from './findings.js';
import { jobFinding } from './job-context.js';
import type { JobContext } from './job-context.js';

/** The job's schedule: the platform's, else one inferred from its run starts. */
export function scheduleOf(ctx: JobContext): Schedule | null {
  const job = ctx.snap.job;
  const declared = job ? parseSchedule(ctx.snap.platform, job.schedule, job.scheduleTimezone) : null;
  if (declared) return declared;
  const starts = [...ctx.snap.finals, ...ctx.snap.active].map((r) => r.startedAt ?? r.scheduledAt).filter((t): t is Date => t !== null);
  return inferSchedule(starts);
}

/** The latest start known for the job: the store's value and anything in the snapshot's runs. */
export function lastStart(ctx: JobContext): Date | null {
  let best = ctx.snap.lastStartedAt?.getTime() ?? -Infinity;
  for (const r of [...ctx.snap.finals, ...ctx.snap.active, ...ctx.snap.pendingRetries]) {
    const t = (r.startedAt ?? r.scheduledAt)?.getTime();
    if (t !== undefined && t > best) best = t;
  }
  return best === -Infinity ? null : new Date(best);
}

export function detectMissed(ctx: JobContext): Detection {
  const d = emptyDetection();
  const s = scheduleOf(ctx);
  if (!s) return d;
  // Without any run and without knowing since when the job exists, a missed slot cannot be told from a new job.
  const anchor = lastStart(ctx) ?? ctx.snap.job?.firstSeenAt ?? null;
  if (!anchor) return d;
  d.evaluated.add(fingerprint(ctx.snap.platform, ctx.snap.scope, ctx.snap.jobId, 'missed_schedule'));
  const m = missedSlots(s, anchor, ctx.now, ctx.settings.missedGraceMinutes, ctx.settings.missedGraceFraction);
  if (!m) return d;
  const tz = s.kind === 'cron' ? ` ${s.timezone}` : '';
  d.findings.push(
    jobFinding(ctx, 'missed_schedule', {
      streak: m.count,
      since: m.firstMissed,
      detail: `no run started since ${anchor.toISOString()}; expected at ${m.lastMissed.toISOString()} (${s.text}${tz})${m.count > 1 ? `; ${m.count} slots missed` : ''}`,
    }),
  );
  return d;
}

export function detectDeadline(ctx: JobContext): Detection {
  const d = emptyDetection();
  const dl = ctx.settings.deadline;
  if (!dl) return d;
  const at = deadlineInstants(dl.time, dl.timezone, ctx.now);
  if (!at) return d;
  const [latest, before] = at;
  d.evaluated.add(fingerprint(ctx.snap.platform, ctx.snap.scope, ctx.snap.jobId, 'deadline'));
  // A success after the previous deadline counts: on time, or late (which resolves the incident).
  const ok = ctx.snap.finals.some((r) => {
    const t = runTime(r);
    return r.status.category === 'succeeded' && t !== null && t > before;
  });
  if (ok) return d;
  d.findings.push(
    jobFinding(ctx, 'deadline', {
      streak: 1,
      since: latest,
      detail: `not succeeded by ${dl.time} ${dl.timezone} (${latest.toISOString()})`,
    }),
  );
  return d;
}
