// A small simulated history for the assessment scenarios: jobs with runs laid out in time, a snapshot taken at any
// `now` (runs not yet ended at `now` are running), and a monitor that runs cycles and plays delivery's part (the
// ledger records what each plan sent), so each test reads like the cycles a support team would live through.
import { assess, AssessConfigSchema } from '../../../summarize/assess/index.js';
import type { AssessConfigInput, AssessJob, AssessReport, AssessResult, AssessRun, JobSnapshot, LedgerEntry, Silence } from '../../../summarize/assess/index.js';
import type { Incident } from '../../../normalize/incident.js';
import type { Platform, StatusCategory } from '../../../normalize/schema.js';
import type { ScopeReport } from '../../../summarize/report.js';

export const at = (iso: string) => new Date(iso);
export const plus = (d: Date, minutes: number) => new Date(d.getTime() + minutes * 60_000);

export interface RunSpec {
  start: Date;
  minutes?: number;
  status?: StatusCategory;
  detail?: string | null;
  final?: boolean;
  group?: string;
  attempt?: number;
  errorClass?: string | null;
  message?: string | null;
  rows?: number | null;
  /** A run that never ends (hangs) or is still queued. */
  open?: 'running' | 'queued';
  name?: string;
}

export class JobHistory {
  readonly runs: { run: AssessRun; open: 'running' | 'queued' | null }[] = [];
  jobBefore: JobSnapshot['jobBefore'] = null;
  private seq = 0;
  constructor(
    readonly platform: Platform,
    readonly scope: string,
    readonly jobId: string,
    public job: AssessJob | null,
  ) {}

  add(s: RunSpec): this {
    const id = `${this.jobId}-r${++this.seq}`;
    const status = s.status ?? 'succeeded';
    const end = s.open ? null : plus(s.start, s.minutes ?? 5);
    this.runs.push({
      open: s.open ?? null,
      run: {
        runId: id,
        jobName: s.name ?? this.job?.name ?? null,
        attempt: s.attempt ?? 0,
        attemptGroup: s.group ?? id,
        isFinalAttempt: s.final ?? true,
        status: { category: status, detail: s.detail ?? null, raw: status.toUpperCase() },
        scheduledAt: null,
        startedAt: s.start,
        endedAt: end,
        durationMs: end ? end.getTime() - s.start.getTime() : null,
        errorClass: status === 'failed' ? (s.errorClass === undefined ? 'USER_ERROR' : s.errorClass) : null,
        errorCode: null,
        errorMessage: status === 'failed' ? (s.message ?? 'boom') : null,
        url: `https://example.test/${this.jobId}/${id}`,
        rowsProcessed: s.rows === undefined ? null : s.rows,
      },
    });
    return this;
  }

  /** Runs every `everyMinutes` from `from`, `n` times, with the given spec. */
  series(from: Date, everyMinutes: number, n: number, spec: Omit<RunSpec, 'start'> = {}): this {
    for (let i = 0; i < n; i++) this.add({ ...spec, start: plus(from, i * everyMinutes) });
    return this;
  }

  snapshot(now: Date): JobSnapshot {
    const seen = this.runs.filter((r) => r.run.startedAt! <= now);
    const ended = (r: (typeof seen)[number]) => r.open === null && r.run.endedAt! <= now;
    const terminal = seen.filter(ended).map((r) => r.run).sort((a, b) => a.endedAt!.getTime() - b.endedAt!.getTime());
    const finals = terminal.filter((r) => r.isFinalAttempt);
    const finalGroups = new Set(finals.map((r) => r.attemptGroup));
    const active = seen
      .filter((r) => !ended(r))
      .map((r) => ({ ...r.run, endedAt: null, durationMs: null, errorClass: null, errorMessage: null, status: { category: r.open ?? 'running', detail: null, raw: 'RUNNING' } }) as AssessRun);
    const successes = finals.filter((r) => r.status.category === 'succeeded');
    const starts = seen.map((r) => r.run.startedAt!.getTime());
    return {
      platform: this.platform,
      scope: this.scope,
      jobId: this.jobId,
      job: this.job,
      jobBefore: this.jobBefore,
      finals: finals.slice(-20),
      pendingRetries: terminal.filter((r) => !r.isFinalAttempt && r.status.category === 'failed' && !finalGroups.has(r.attemptGroup)),
      active,
      successes: successes.slice(-20).map((r) => ({ runId: r.runId, endedAt: r.endedAt, durationMs: r.durationMs, rowsProcessed: r.rowsProcessed })),
      lastStartedAt: starts.length ? new Date(Math.max(...starts)) : null,
    };
  }
}

export function job(jobId: string, o: Partial<AssessJob> & { platform?: Platform; scope?: string } = {}): JobHistory {
  const { platform = 'databricks', scope = 'ws1', ...rest } = o;
  return new JobHistory(platform, scope, jobId, { name: jobId, schedule: null, scheduleTimezone: null, paused: false, state: null, tags: {}, url: `https://example.test/${jobId}`, deleted: false, ...rest });
}

export function scopeReport(platform: Platform, scope: string, o: Partial<ScopeReport> = {}): ScopeReport {
  return {
    platform,
    scope,
    complete: true,
    window: null,
    coveredUntil: null,
    chunks: { planned: 1, committed: 1 },
    runsSeen: 0,
    runsInserted: 0,
    runsUpdated: 0,
    runsRejected: 0,
    jobsSeen: 0,
    failedRuns: 0,
    requests: 1,
    retries: 0,
    throttled: 0,
    warnings: [],
    incomplete: [],
    gaps: [],
    error: null,
    ...o,
  };
}

export const DEFAULT_TEAM = { name: 'data-support', email: ['support@example.test'] };

/** Runs cycles like the real loop: the open incidents and the ledger carry over; delivery sends every plan. */
export class Monitor {
  open: Incident[] = [];
  ledger: Record<string, LedgerEntry> = {};
  silences: Silence[] = [];
  previousCycleEndedAt: Date | null = null;
  /** Most scenarios step hours between cycles; only the audit-gap ones want the gap rule to see that. */
  trackCycleGaps = false;
  readonly config;
  private n = 0;
  constructor(config: Partial<AssessConfigInput> = {}) {
    this.config = AssessConfigSchema.parse({ defaultTeam: DEFAULT_TEAM, ...config });
  }

  input(jobs: readonly JobHistory[], now: Date, report: Partial<AssessReport> = {}) {
    const cycleId = `c${this.n + 1}`;
    return {
      snapshot: { jobs: jobs.map((j) => j.snapshot(now)), previousCycleEndedAt: this.previousCycleEndedAt },
      report: { cycleId, scopes: [], blindSpots: [], store: { kind: 'duckdb', ok: true, error: null }, ...report },
      open: this.open,
      silences: this.silences,
      ledger: { ...this.ledger },
      config: this.config,
      now,
      cycleId,
    };
  }

  cycle(jobs: readonly JobHistory[], now: Date, report: Partial<AssessReport> = {}): AssessResult {
    const res = assess(this.input(jobs, now, report));
    this.n++;
    this.deliver(res, now);
    this.open = res.incidents.filter((i) => i.state === 'open');
    if (this.trackCycleGaps) this.previousCycleEndedAt = now;
    return res;
  }

  deliver(res: AssessResult, now: Date): void {
    for (const t of res.plan.teams)
      for (const n of t.notices)
        this.ledger[n.incident.fingerprint] = { lastState: n.reason === 'recovered' ? 'resolved' : 'open', at: now, severity: n.incident.severity, errorClass: n.incident.errorClass };
  }
}

/** `team reason kind jobId` per notice, for compact assertions. */
export function notices(res: AssessResult): string[] {
  return res.plan.teams.flatMap((t) => t.notices.map((n) => `${t.team} ${n.reason} ${n.incident.kind} ${n.incident.jobId || n.incident.scope}`));
}

export const openOf = (res: AssessResult) => res.incidents.filter((i) => i.state === 'open');
export const kinds = (res: AssessResult) => openOf(res).map((i) => `${i.kind} ${i.jobId || i.scope}`);
