// A job the platform stopped (auto-suspended, paused, turned inactive or locked), and successes that moved nothing.
import { emptyDetection, fingerprint, runTime } from './findings.js';
import type { Detection } from './findings.js';
import { jobFinding } from './job-context.js';
import type { JobContext } from './job-context.js';
import type { Incident } from '../../normalize/incident.js';

/**
 * Reported on the change: a job that was active before this cycle and is not now, or whose latest run says the
 * platform suspended it (Snowflake FAILED_AND_AUTO_SUSPENDED: critical). A job first seen paused is not an incident:
 * nothing says it changed. Stays open while the job stays stopped; resolves when it is active again.
 */
export function detectSuspended(ctx: JobContext, open: Incident | undefined): Detection {
  const d = emptyDetection();
  const job = ctx.snap.job;
  if (!job) return d;
  const fp = fingerprint(ctx.snap.platform, ctx.snap.scope, ctx.snap.jobId, 'suspended');
  d.evaluated.add(fp);
  if (job.deleted) {
    d.quiet.add(fp);
    return d;
  }
  const latest = ctx.snap.finals[ctx.snap.finals.length - 1];
  const auto = latest?.status.detail === 'auto_suspended' && job.paused !== false;
  const changed = job.paused === true && ctx.snap.jobBefore?.paused === false;
  if (!auto && !changed && !(open && job.paused === true)) return d;
  const state = job.state ?? (job.paused ? 'paused' : 'unknown');
  d.findings.push(
    jobFinding(ctx, 'suspended', {
      severity: auto ? 'critical' : 'warning',
      streak: 1,
      since: auto && latest ? (runTime(latest) ?? ctx.now) : (open?.openedAt ?? ctx.now),
      run: auto ? latest : null,
      errorClass: auto ? 'auto_suspended' : `state:${state}`,
      detail: auto ? 'the platform suspended the job after failed runs' : `the job is no longer active (state ${state})`,
    }),
  );
  return d;
}

/** N successes in a row that moved 0 rows, where an earlier success in the window moved rows. */
export function detectZeroOutput(ctx: JobContext): Detection {
  const d = emptyDetection();
  const fp = fingerprint(ctx.snap.platform, ctx.snap.scope, ctx.snap.jobId, 'zero_output');
  const reported = ctx.snap.successes.filter((s) => s.rowsProcessed !== null);
  const latest = reported[reported.length - 1];
  if (!latest) return d;
  d.evaluated.add(fp);
  let zeros = 0;
  while (zeros < reported.length && reported[reported.length - 1 - zeros]!.rowsProcessed === 0) zeros++;
  const movedBefore = reported.slice(0, reported.length - zeros).some((s) => (s.rowsProcessed ?? 0) > 0);
  if (zeros < ctx.settings.zeroOutputRuns || !movedBefore) return d;
  const first = reported[reported.length - zeros]!;
  const run = ctx.snap.finals.find((r) => r.runId === latest.runId) ?? null;
  d.findings.push(
    jobFinding(ctx, 'zero_output', {
      streak: zeros,
      since: first.endedAt ?? ctx.now,
      run,
      detail: `${zeros} successful runs in a row moved 0 rows; earlier runs moved rows`,
    }),
  );
  if (!run) d.findings[0]!.lastRunId = latest.runId;
  return d;
}
