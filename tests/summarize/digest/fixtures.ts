import type { Incident, NotificationReason, PlannedNotice, TeamPlan } from '../../../normalize/incident.js';

let seq = 0;
export function incident(over: Partial<Incident> = {}): Incident {
  seq++;
  const at = new Date('2026-03-29T04:10:00Z');
  return {
    id: `inc-${seq}`,
    fingerprint: `databricks|ws1|job${seq}|failed`,
    kind: 'failed',
    platform: 'databricks',
    scope: 'ws1',
    jobId: `job${seq}`,
    jobName: `nightly_load_${seq}`,
    team: 'data-eng',
    severity: 'critical',
    state: 'open',
    openedAt: at,
    updatedAt: at,
    lastSeenAt: at,
    resolvedAt: null,
    streak: 1,
    lastRunId: `run${seq}`,
    lastRunAt: at,
    runUrl: `https://adb-1.azuredatabricks.net/jobs/${seq}/runs/${seq}`,
    jobUrl: `https://adb-1.azuredatabricks.net/jobs/${seq}`,
    errorClass: 'DRIVER_ERROR',
    errorText: 'Task failed with an exception',
    detail: 'failed on its last attempt',
    parentId: null,
    flapping: false,
    silencedUntil: null,
    acknowledged: false,
    ...over,
  };
}

export const notice = (reason: NotificationReason, over: Partial<Incident> = {}): PlannedNotice => ({ reason, incident: incident(over) });

export function team(notices: PlannedNotice[], over: Partial<TeamPlan> = {}): TeamPlan {
  return { team: 'data-eng', email: ['oncall@example.com'], cc: [], timezone: 'Europe/Berlin', notices, ...over };
}

export const OPTS = { cycleId: 'cyc-20260329T0415Z', now: new Date('2026-03-29T04:15:00Z'), from: 'audit@example.com' };
