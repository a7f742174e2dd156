// Nagios-style flap detection with hysteresis: a job enters flapping at `flapEnterChanges` or more state changes
// among its last `flapWindow` decided outcomes, and leaves only at `flapLeaveChanges` or fewer, so a job near the
// threshold does not flap in and out of flapping.
import { emptyDetection, fingerprint } from './findings.js';
import type { Detection } from './findings.js';
import { jobFinding } from './job-context.js';
import type { JobContext } from './job-context.js';
import type { Outcome } from './detect-failures.js';

export function stateChanges(outcomes: readonly Outcome[]): number {
  let n = 0;
  for (let i = 1; i < outcomes.length; i++) if (outcomes[i]!.failed !== outcomes[i - 1]!.failed) n++;
  return n;
}

export function detectFlapping(ctx: JobContext, outcomes: readonly Outcome[], wasFlapping: boolean): Detection {
  const d = emptyDetection();
  if (outcomes.length === 0) return d;
  const fp = fingerprint(ctx.snap.platform, ctx.snap.scope, ctx.snap.jobId, 'flapping');
  d.evaluated.add(fp);
  const window = outcomes.slice(-ctx.settings.flapWindow);
  const changes = stateChanges(window);
  const flapping = wasFlapping ? changes > ctx.settings.flapLeaveChanges : changes >= ctx.settings.flapEnterChanges;
  if (!flapping) return d;
  const last = window[window.length - 1]!.run;
  d.findings.push(
    jobFinding(ctx, 'flapping', {
      streak: changes,
      since: ctx.now,
      run: last,
      detail: `${changes} state changes in its last ${window.length} runs`,
    }),
  );
  return d;
}
