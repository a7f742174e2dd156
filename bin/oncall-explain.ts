// `explain JOB`: everything the store knows about one job, for the person deciding what to do about it: its recent
// runs, its duration baseline (the one the too-long rule uses), its schedule and next expected start, and its
// incident timeline. Read-only; the job is an id or a glob on id or name.
import type { Incident, IncidentEvent } from '../normalize/incident.js';
import { truncate } from '../normalize/text.js';
import type { AssessRun, JobSnapshot } from '../normalize/assessment.js';
import {
  DEFAULT_JOB_SETTINGS,
  SNAPSHOT_LIMITS,
  durationBaseline,
  globMatch,
  inferSchedule,
  nextFire,
  parseSchedule,
  routeTeam,
  settingsFor,
  type JobSubject,
  type Schedule,
} from '../summarize/assess/index.js';
import { UsageError } from './args.js';
import { EXIT } from './cli-text.js';
import { esc, formatDuration, formatWhen, subjectOf } from './oncall-format.js';
import { assessmentOf, withStore, type OncallContext } from './oncall-store.js';
import type { CommonOptions, Emit } from './run.js';

/** Jobs shown in full; a broader glob lists the rest by name. */
const MAX_JOBS = 5;

export interface JobExplanation {
  platform: string;
  scope: string;
  jobId: string;
  jobName: string | null;
  url: string | null;
  paused: boolean | null;
  state: string | null;
  /** The zone the times are shown in: the team's (UTC when none is configured). */
  timezone: string | null;
  schedule: { kind: Schedule['kind']; text: string; timezone: string | null; nextExpectedAt: Date | null } | null;
  baseline: { samples: number; medianMs: number; p95Ms: number; thresholdMs: number } | null;
  /** Successful runs with a duration, and how many the baseline needs. */
  baselineSamples: { have: number; need: number };
  active: AssessRun[];
  pendingRetries: AssessRun[];
  /** Final attempts, newest first. */
  recent: AssessRun[];
  incidents: { incident: Incident; events: IncidentEvent[] }[];
}

function nameOf(j: JobSnapshot): string | null {
  if (j.job?.name) return j.job.name;
  for (const r of [...j.finals, ...j.active, ...j.pendingRetries].reverse()) if (r.jobName) return r.jobName;
  return null;
}

const startOf = (r: AssessRun): Date | null => r.startedAt ?? r.scheduledAt ?? null;

function explainJob(j: JobSnapshot, incidents: { incident: Incident; events: IncidentEvent[] }[], ctx: OncallContext, limit: number): JobExplanation {
  const jobName = nameOf(j);
  const subject: JobSubject = { platform: j.platform, scope: j.scope, jobId: j.jobId, jobName, tags: j.job?.tags ?? {} };
  const assessment = assessmentOf(ctx.config);
  const settings = assessment ? settingsFor(assessment, subject) : DEFAULT_JOB_SETTINGS;
  const team = incidents[0]?.incident.team;
  const timezone = team !== undefined ? ctx.zoneOf(team) : assessment ? routeTeam(assessment, subject).timezone : null;
  const starts = j.finals.map(startOf).filter((d): d is Date => d !== null);
  const schedule = parseSchedule(j.platform, j.job?.schedule ?? null, j.job?.scheduleTimezone ?? null) ?? inferSchedule(starts);
  const base = durationBaseline({ snap: j, settings, subject, now: ctx.now });
  return {
    platform: j.platform,
    scope: j.scope,
    jobId: j.jobId,
    jobName,
    url: j.job?.url ?? null,
    paused: j.job?.paused ?? null,
    state: j.job?.state ?? null,
    timezone,
    schedule: schedule && {
      kind: schedule.kind,
      text: schedule.text,
      timezone: schedule.kind === 'cron' ? schedule.timezone : null,
      nextExpectedAt: nextFire(schedule, ctx.now, j.lastStartedAt),
    },
    baseline: base,
    baselineSamples: { have: j.successes.filter((s) => s.durationMs !== null).length, need: settings.tooLongMinSamples },
    active: j.active,
    pendingRetries: j.pendingRetries,
    // A running run may already be marked final (no retry configured): it is listed once, as running.
    recent: j.finals.filter((r) => !j.active.some((a) => a.runId === r.runId)).reverse().slice(0, limit),
    incidents,
  };
}

function runLine(r: AssessRun, zone: string | null, now: Date): string {
  const start = startOf(r);
  const when = start ? formatWhen(start, zone) : 'start unknown';
  const took = r.durationMs !== null ? formatDuration(r.durationMs) : r.endedAt === null && start ? `${formatDuration(now.getTime() - start.getTime())} so far` : '-';
  const error = r.errorClass || r.errorMessage ? `  ${[r.errorClass, r.errorMessage].filter(Boolean).map((t) => esc(truncate(t!, 200))).join(': ')}` : '';
  const raw = r.status.raw && r.status.raw.toLowerCase() !== r.status.category ? ` (${esc(truncate(r.status.raw, 60))})` : '';
  return `    ${when}  ${r.status.category}${raw}  ${took}  run ${esc(r.runId)}${r.attempt > 0 ? ` attempt ${r.attempt}` : ''}${error}`;
}

/** One job as text (pure). */
export function renderExplanation(e: JobExplanation, now: Date): string {
  const zone = e.timezone;
  const out = [subjectOf(e), `  times in UTC${zone ? ` and ${esc(zone)}` : ''}`];
  if (e.url) out.push(`  link: ${esc(e.url)}`);
  if (e.paused) out.push(`  paused${e.state ? ` (${esc(e.state)})` : ''}: no scheduled runs are expected`);
  if (e.schedule) {
    const next = e.schedule.nextExpectedAt;
    const nextText = !next ? 'next start unknown' : next < now ? `expected by ${formatWhen(next, e.schedule.timezone ?? zone)}: late` : `next expected start ${formatWhen(next, e.schedule.timezone ?? zone)}`;
    out.push(`  schedule: ${esc(e.schedule.text)}${e.schedule.timezone ? ` (${esc(e.schedule.timezone)})` : ''}; ${nextText}`);
  } else out.push('  schedule: none known (no platform schedule, and too few regular runs to infer one)');
  if (e.baseline) {
    out.push(`  duration baseline: median ${formatDuration(e.baseline.medianMs)}, p95 ${formatDuration(e.baseline.p95Ms)} over ${e.baseline.samples} successful runs; a run past ${formatDuration(e.baseline.thresholdMs)} is too long`);
  } else out.push(`  duration baseline: none yet (${e.baselineSamples.have} of ${e.baselineSamples.need} successful runs with a duration)`);
  if (e.active.length) out.push('  running or queued now:', ...e.active.map((r) => runLine(r, zone, now)));
  if (e.pendingRetries.length) out.push('  failed, a retry may follow:', ...e.pendingRetries.map((r) => runLine(r, zone, now)));
  out.push(e.recent.length ? `  recent runs (final attempts, newest first):` : '  recent runs: none stored in the last 60 days', ...e.recent.map((r) => runLine(r, zone, now)));
  if (e.incidents.length === 0) out.push('  incidents: none');
  else out.push('  incidents (newest first):');
  for (const { incident: i, events } of e.incidents) {
    const state = i.state === 'resolved' && i.resolvedAt ? `resolved ${formatWhen(i.resolvedAt, zone)}` : 'open';
    out.push(`    ${i.kind} ${i.severity}, ${state}; ${esc(i.id)}`, `      ${esc(truncate(i.detail, 300))}`);
    for (const ev of events) out.push(`      ${formatWhen(ev.at, zone)}  ${ev.type}${ev.streak > 1 ? ` (streak ${ev.streak})` : ''}${ev.note ? `: ${esc(truncate(ev.note, 200))}` : ''}`);
  }
  return out.join('\n');
}

export async function explainCommand(o: CommonOptions & { target: string; limit: number | undefined }, emit: Emit): Promise<number> {
  const limit = o.limit ?? SNAPSHOT_LIMITS.finals;
  const { jobs, others } = await withStore(o, false, 'explain', async (store, ctx) => {
    const snap = await store.readAssessmentSnapshot('all', { now: ctx.now, finals: Math.max(limit, SNAPSHOT_LIMITS.finals), successes: SNAPSHOT_LIMITS.successes, cycleId: 'explain' });
    const matched = snap.jobs
      .filter((j) => globMatch(o.target, j.jobId) || globMatch(o.target, nameOf(j) ?? ''))
      .sort((a, b) => (a.platform + a.scope + a.jobId < b.platform + b.scope + b.jobId ? -1 : 1));
    const shown = matched.slice(0, MAX_JOBS);
    const incidents = await store.readIncidents({ all: true, jobGlob: o.target, limit: 100 });
    const out: JobExplanation[] = [];
    for (const j of shown) {
      const mine = incidents.filter((i) => i.platform === j.platform && i.scope === j.scope && i.jobId === j.jobId).slice(0, 10);
      const withEvents = [];
      for (const incident of mine) withEvents.push({ incident, events: await store.readIncidentEvents(incident.id) });
      out.push(explainJob(j, withEvents, ctx, limit));
    }
    return { jobs: out, others: matched.slice(MAX_JOBS).map((j) => ({ platform: j.platform, scope: j.scope, jobId: j.jobId, jobName: nameOf(j) })) };
  });
  if (jobs.length === 0) throw new UsageError(`explain: no stored job has an id or name matching '${esc(o.target)}' (runs of the last 60 days; globs: * and ?)`, 'explain');
  const now = o.now ?? new Date();
  const text = [
    ...jobs.map((j) => renderExplanation(j, now)),
    ...(others.length ? [`${others.length} more job(s) match; narrow the pattern:\n${others.map((j) => `  ${subjectOf(j)}`).join('\n')}`] : []),
  ].join('\n\n');
  emit(text, { at: now, jobs, moreJobs: others });
  return EXIT.OK;
}
