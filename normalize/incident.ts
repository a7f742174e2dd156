// The shapes the assessment produces and every later stage consumes: incidents, their events, and the notification
// plan per team. `assess` (summarize/assess) writes them, the store keeps them, the LLM call reads facts drawn from
// them, and the digest renders them. One definition here, so the stages cannot drift apart.
import type { Platform } from './schema.js';

/** What kind of problem an incident is. One incident per (platform, scope, job, kind); scope-level kinds have job ''. */
export const INCIDENT_KINDS = [
  'failed', // a job's final attempt failed (the streak count rises with each further failure)
  'too_long', // a run still running well past its baseline or configured maximum
  'stuck_queued', // queued or pending past a limit
  'missed_schedule', // no run started within the grace after the schedule's time
  'deadline', // not succeeded by a configured local time
  'suspended', // the platform suspended the job or it stopped being active
  'zero_output', // successes that moved no rows where the job usually moves rows
  'platform_outage', // many jobs of one scope failing with the same error class at once (scope level)
  'blind_spot', // a scope, the store or a span of history the monitor could not read (scope level)
  'flapping', // a job that keeps changing state
] as const;
export type IncidentKind = (typeof INCIDENT_KINDS)[number];

export type Severity = 'critical' | 'warning';

/**
 * Where an incident lives: a platform, or `monitor` for blind spots of pipeline-audit itself (the store not
 * writable: scope `store`; a gap between audit cycles: scope `scheduler`).
 */
export type IncidentPlatform = Platform | 'monitor';

export interface Incident {
  /** Stable id: derived from the fingerprint and the time it opened, so re-running a cycle yields the same id. */
  id: string;
  /** `platform|scope|jobId|kind` (jobId '' for scope-level kinds). */
  fingerprint: string;
  kind: IncidentKind;
  platform: IncidentPlatform;
  scope: string;
  /** '' for scope-level incidents (outage, blind spot). */
  jobId: string;
  jobName: string | null;
  /** The team that owns the incident (routing rules, first match; `defaultTeam` otherwise). */
  team: string;
  severity: Severity;
  state: 'open' | 'resolved';
  openedAt: Date;
  updatedAt: Date;
  lastSeenAt: Date;
  resolvedAt: Date | null;
  /** Consecutive failed final attempts (failed kind); occurrences otherwise. */
  streak: number;
  lastRunId: string | null;
  lastRunAt: Date | null;
  /** Link to the run and to the job, from the platform's own data (never from error text or model output). */
  runUrl: string | null;
  jobUrl: string | null;
  errorClass: string | null;
  /** Short error text: redacted, bounded, untrusted (escape before rendering). */
  errorText: string | null;
  /** A deterministic one-line explanation, e.g. `running 3h 10m; usual p95 1h 2m`. */
  detail: string;
  /** Set when an outage incident explains this one: it is never notified on its own. */
  parentId: string | null;
  /** The job is flapping: open and resolve notices are held back, one flapping notice is sent instead. */
  flapping: boolean;
  /** A silence or acknowledgement holds notifications back until this time (null: none). */
  silencedUntil: Date | null;
  acknowledged: boolean;
}

export type IncidentEventType = 'opened' | 'updated' | 'severity_changed' | 'error_changed' | 'resolved' | 'flapping_started' | 'flapping_stopped' | 'silenced' | 'acknowledged' | 'unsilenced';

/** Append-only: one row per transition, with the cycle that made it. */
export interface IncidentEvent {
  incidentId: string;
  cycleId: string;
  at: Date;
  type: IncidentEventType;
  severity: Severity;
  streak: number;
  errorClass: string | null;
  note: string | null;
}

/** Why an incident is in a team's plan this cycle. */
export type NotificationReason = 'new' | 'changed' | 'recovered' | 'flapping' | 'reminder' | 'blind_spot';

export interface PlannedNotice {
  reason: NotificationReason;
  incident: Incident;
}

/** What the delivery stage tells one team this cycle. Empty `notices` means: send nothing. */
export interface TeamPlan {
  team: string;
  email: string[];
  cc: string[];
  /** IANA zone the team reads times in (null: UTC). */
  timezone: string | null;
  notices: PlannedNotice[];
}

export interface NotificationPlan {
  cycleId: string;
  at: Date;
  teams: TeamPlan[];
}
