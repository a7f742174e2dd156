// Runs that hang and runs stuck in the queue. The too-long threshold is the larger of 1.5 × p95 and median + 10 min
// of the job's recent successful durations (only with enough samples: a baseline from three runs is noise), or the
// configured maximum, whichever comes first.
import { median } from './schedule.js';
import { emptyDetection, fingerprint, fmtDuration } from './findings.js';
import type { Detection } from './findings.js';
import { jobFinding } from './job-context.js';
import type { JobContext } from './job-context.js';
import type { AssessRun } from './snapshot.js';

/** Nearest-rank percentile of a non-empty list. */
export function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.max(0, Math.ceil(p * s.length) - 1)]!;
}

export interface Baseline {
  samples: number;
  p95Ms: number;
  medianMs: number;
  thresholdMs: number;
}

export function durationBaseline(ctx: JobContext): Baseline | null {
  const ds = ctx.snap.successes.map((s) => s.durationMs).filter((d): d is number => d !== null);
  if (ds.length < ctx.settings.tooLongMinSamples) return null;
  const p95Ms = percentile(ds, 0.95);
  const medianMs = median(ds);
  const thresholdMs = Math.max(ctx.settings.tooLongFactor * p95Ms, medianMs + ctx.settings.tooLongMarginMinutes * 60_000);
  return { samples: ds.length, p95Ms, medianMs, thresholdMs };
}

function longest(runs: readonly AssessRun[], since: (r: AssessRun) => Date | null, now: Date): { run: AssessRun; ms: number } | null {
  let best: { run: AssessRun; ms: number } | null = null;
  for (const r of runs) {
    const t = since(r);
    if (!t) continue;
    const ms = now.getTime() - t.getTime();
    if (!best || ms > best.ms || (ms === best.ms && r.runId < best.run.runId)) best = { run: r, ms };
  }
  return best;
}

export function detectTooLong(ctx: JobContext): Detection {
  const d = emptyDetection();
  d.evaluated.add(fingerprint(ctx.snap.platform, ctx.snap.scope, ctx.snap.jobId, 'too_long'));
  const base = durationBaseline(ctx);
  const capMs = ctx.settings.maxDurationMinutes === null ? Infinity : ctx.settings.maxDurationMinutes * 60_000;
  const limit = Math.min(base?.thresholdMs ?? Infinity, capMs);
  if (limit === Infinity) return d;
  const l = longest(ctx.snap.active.filter((r) => r.status.category === 'running'), (r) => r.startedAt, ctx.now);
  if (!l || l.ms <= limit) return d;
  const why = base && base.thresholdMs <= capMs ? `usual p95 ${fmtDuration(base.p95Ms)}, median ${fmtDuration(base.medianMs)} over ${base.samples} runs` : `configured maximum ${fmtDuration(capMs)}`;
  d.findings.push(
    jobFinding(ctx, 'too_long', {
      streak: 1,
      since: new Date(l.run.startedAt!.getTime() + limit),
      run: l.run,
      detail: `running ${fmtDuration(l.ms)}; ${why}`,
    }),
  );
  return d;
}

export function detectStuckQueued(ctx: JobContext): Detection {
  const d = emptyDetection();
  d.evaluated.add(fingerprint(ctx.snap.platform, ctx.snap.scope, ctx.snap.jobId, 'stuck_queued'));
  const limit = ctx.settings.queueLimitMinutes * 60_000;
  const queued = ctx.snap.active.filter((r) => r.status.category === 'queued');
  const l = longest(queued, (r) => r.startedAt ?? r.scheduledAt, ctx.now);
  if (!l || l.ms <= limit) return d;
  const n = queued.length;
  d.findings.push(
    jobFinding(ctx, 'stuck_queued', {
      streak: n,
      since: new Date(ctx.now.getTime() - l.ms + limit),
      run: l.run,
      detail: `queued for ${fmtDuration(l.ms)} (limit ${fmtDuration(limit)})${n > 1 ? `; ${n} runs waiting` : ''}`,
    }),
  );
  return d;
}
