// Synthetic notification plans for the demo, the tests and the benchmark of the LLM call: N failing incidents
// spread over teams, platforms and error classes the way a busy estate spreads them, built deterministically
// (no randomness, no clock) so every run gives the same plan.
import type { Platform } from '../normalize/schema.js';
import type { Incident, IncidentKind, NotificationPlan, NotificationReason, PlannedNotice, Severity } from '../normalize/incident.js';

const PLATFORMS: Platform[] = ['airbyte', 'databricks', 'powerautomate', 'snowflake'];
const ERROR_CLASSES: Record<Platform, (string | null)[]> = {
  airbyte: ['config_error', 'system_error', 'transient_error', null],
  databricks: ['CLIENT_ERROR', 'INTERNAL_ERROR', 'CLOUD_FAILURE', null],
  powerautomate: [null],
  snowflake: [null],
};
const ERRORS = [
  'Connection refused by host db-prod-3 after 3 attempts (ECONNREFUSED)',
  'java.lang.OutOfMemoryError: GC overhead limit exceeded in stage 14 of the merge step',
  'SQL compilation error: Object EXPORTS.DAILY_ORDERS does not exist or not authorized.',
  'The flow run timed out after 30 days waiting for an approval action.',
  "Source 'salesforce' returned 401 Unauthorized: the refresh token has expired",
];

export interface SyntheticPlanOptions {
  /** Failing incidents in the plan. */
  failing: number;
  at?: Date;
  teams?: number;
  /** Distinct error classes per (team, platform): each incident gets its own class when set (the worst case). */
  distinctClasses?: boolean;
  /** Replaces the i-th incident's job name and error text (prompt-injection tests). */
  untrusted?: (i: number) => { jobName?: string; errorText?: string };
}

export function syntheticIncident(i: number, at: Date, opts: Pick<SyntheticPlanOptions, 'teams' | 'distinctClasses' | 'untrusted'> = {}): Incident {
  const teams = opts.teams ?? 5;
  const platform = PLATFORMS[i % PLATFORMS.length] ?? 'databricks';
  const classes = ERROR_CLASSES[platform];
  const errorClass = opts.distinctClasses ? `class_${i}` : (classes[Math.floor(i / PLATFORMS.length) % classes.length] ?? null);
  const kind: IncidentKind = i % 17 === 0 ? 'too_long' : i % 23 === 0 ? 'missed_schedule' : 'failed';
  const streak = 1 + (i % 4);
  const severity: Severity = streak >= 3 ? 'critical' : 'warning';
  const openedAt = new Date(at.getTime() - (1 + (i % 48)) * 15 * 60_000);
  const u = opts.untrusted?.(i) ?? {};
  return {
    id: `inc-${i}`,
    fingerprint: `${platform}|scope-${i % 3}|job-${i}|${kind}`,
    kind,
    platform,
    scope: `scope-${i % 3}`,
    jobId: `job-${i}`,
    jobName: u.jobName ?? `etl_${platform}_job_${String(i).padStart(5, '0')}`,
    team: `team-${i % teams}`,
    severity,
    state: 'open',
    openedAt,
    updatedAt: at,
    lastSeenAt: new Date(at.getTime() - (i % 7) * 60_000),
    resolvedAt: null,
    streak,
    lastRunId: `run-${i}`,
    lastRunAt: at,
    runUrl: `https://example.invalid/runs/${i}`,
    jobUrl: `https://example.invalid/jobs/${i}`,
    errorClass,
    errorText: u.errorText ?? ERRORS[i % ERRORS.length] ?? null,
    detail: `failed ${streak} time(s) in a row`,
    parentId: null,
    flapping: false,
    silencedUntil: null,
    acknowledged: false,
  };
}

export function syntheticPlan(opts: SyntheticPlanOptions): NotificationPlan {
  const at = opts.at ?? new Date('2026-11-23T06:00:00Z');
  const teams = opts.teams ?? 5;
  const notices = new Map<string, PlannedNotice[]>();
  for (let i = 0; i < opts.failing; i++) {
    const incident = syntheticIncident(i, at, opts);
    const reason: NotificationReason = i % 5 === 0 ? 'reminder' : 'new';
    const list = notices.get(incident.team) ?? [];
    list.push({ reason, incident });
    notices.set(incident.team, list);
  }
  return {
    cycleId: `cycle-${at.toISOString()}`,
    at,
    teams: [...Array(teams).keys()].map((t) => ({ team: `team-${t}`, email: [`team-${t}@example.invalid`], cc: [], timezone: null, notices: notices.get(`team-${t}`) ?? [] })),
  };
}
