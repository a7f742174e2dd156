// Failed final attempts and their streak, retry-aware: a failed attempt whose retry may still come waits out the
// grace before it counts; a failure its retry fixed never shows up here at all (the final attempt succeeded).
import type { AssessRun, JobSnapshot } from './snapshot.js';
import { emptyDetection, errorClassOf, fingerprint, runTime, shortError } from './findings.js';
import type { Detection } from './findings.js';
import { jobFinding } from './job-context.js';
import type { JobContext } from './job-context.js';

export interface Outcome {
  run: AssessRun;
  failed: boolean;
}

/**
 * The job's decided outcomes, oldest first: final attempts that succeeded or failed, plus failed attempts whose
 * retry did not come within the grace (the latest per attempt group). Canceled and skipped runs say nothing about
 * health and are left out.
 */
export function effectiveOutcomes(snap: JobSnapshot, graceMinutes: number, now: Date): Outcome[] {
  const decided = snap.finals.filter((r) => r.status.category === 'succeeded' || r.status.category === 'failed');
  const finalGroups = new Set(snap.finals.map((r) => r.attemptGroup));
  const latestPending = new Map<string, AssessRun>();
  for (const r of snap.pendingRetries) {
    if (r.status.category !== 'failed' || finalGroups.has(r.attemptGroup)) continue;
    const seen = latestPending.get(r.attemptGroup);
    if (!seen || r.attempt > seen.attempt) latestPending.set(r.attemptGroup, r);
  }
  const expired = [...latestPending.values()].filter((r) => {
    const t = runTime(r);
    return t !== null && t.getTime() + graceMinutes * 60_000 <= now.getTime();
  });
  const all = [...decided, ...expired].map((run, i) => ({ run, i, t: runTime(run)?.getTime() ?? 0 }));
  // Stable: equal times keep the store's order.
  all.sort((a, b) => a.t - b.t || a.i - b.i);
  return all.map(({ run }) => ({ run, failed: run.status.category === 'failed' }));
}

export function detectFailures(ctx: JobContext, outcomes: readonly Outcome[]): Detection {
  const d = emptyDetection();
  const fp = fingerprint(ctx.snap.platform, ctx.snap.scope, ctx.snap.jobId, 'failed');
  let streak = 0;
  while (streak < outcomes.length && outcomes[outcomes.length - 1 - streak]!.failed) streak++;
  const latest = outcomes[outcomes.length - 1];
  // Only a successful final attempt resolves a failure; an absent history proves nothing.
  if (latest && !latest.failed) d.evaluated.add(fp);
  if (streak === 0 || streak < ctx.settings.streakOpenAfter) return d;
  const last = latest!.run;
  const first = outcomes[outcomes.length - streak]!.run;
  d.evaluated.add(fp);
  const cls = errorClassOf(last);
  const pending = last.isFinalAttempt ? '' : ' (its retry did not come within the grace)';
  d.findings.push(
    jobFinding(ctx, 'failed', {
      severity: streak >= ctx.settings.streakCriticalAt ? 'critical' : 'warning',
      streak,
      since: runTime(first) ?? ctx.now,
      run: last,
      errorClass: cls,
      errorText: shortError(last.errorMessage),
      detail: `${streak} failed run${streak === 1 ? '' : 's'} in a row${pending}`,
    }),
  );
  return d;
}
