// Shared by the delivery tests and the child process they kill: the team configuration, incidents, and plans built
// by the real planner (summarize/assess buildPlan) against the real ledger. No jest imports: the child runs it too.
import type { Incident, NotificationPlan } from '../../normalize/incident.js';
import { AssessConfigSchema } from '../../summarize/assess/config.js';
import { buildPlan } from '../../summarize/assess/plan.js';
import type { Store } from '../../sinks/store/types.js';

export const FROM = 'alerts@contoso.example';
export const SMTP_USER = 'user';
export const SMTP_PASSWORD = 'pa$$-secret';

export const CONFIG = AssessConfigSchema.parse({
  teams: [{ name: 'data-eng', email: ['de@contoso.example'], cc: ['lead@contoso.example'], timezone: 'Europe/Berlin', match: [{ platform: 'databricks' }] }],
  defaultTeam: { name: 'ops', email: ['ops@contoso.example'] },
});

export const T0 = new Date('2026-03-20T10:00:00.000Z');
export const hours = (h: number) => new Date(T0.getTime() + h * 3_600_000);

export function incident(over: Partial<Incident> = {}): Incident {
  return {
    id: 'inc_orders',
    fingerprint: 'databricks|ws-1|job-1|failed',
    kind: 'failed',
    platform: 'databricks',
    scope: 'ws-1',
    jobId: 'job-1',
    jobName: 'nightly_orders',
    team: 'data-eng',
    severity: 'warning',
    state: 'open',
    openedAt: T0,
    updatedAt: T0,
    lastSeenAt: T0,
    resolvedAt: null,
    streak: 1,
    lastRunId: 'run-1',
    lastRunAt: T0,
    runUrl: 'https://adb-1.azuredatabricks.net/jobs/1/runs/1',
    jobUrl: null,
    errorClass: 'OOM',
    errorText: 'java.lang.OutOfMemoryError <img src=x onerror=alert(1)>',
    detail: '1 failed run in a row',
    parentId: null,
    flapping: false,
    silencedUntil: null,
    acknowledged: false,
    ...over,
  };
}

export const airbyteIncident = (over: Partial<Incident> = {}): Incident =>
  incident({ id: 'inc_sync', fingerprint: 'airbyte|w-1|conn-1|failed', platform: 'airbyte', scope: 'w-1', jobId: 'conn-1', jobName: 'orders_sync', team: 'ops', errorClass: 'config_error', ...over });

/** The plan the cycle would make now: the incidents compared with what the ledger says was told. */
export async function planNow(store: Pick<Store, 'readLedger'>, incidents: Incident[], now: Date, cycleId: string, resolvedNow: string[] = []): Promise<NotificationPlan> {
  return buildPlan({
    incidents,
    resolvedNow: new Set(resolvedNow),
    quiet: new Set(),
    unsilenced: new Set(),
    ledger: await store.readLedger(),
    config: CONFIG,
    now,
    cycleId,
    scopeTeams: new Map(),
  });
}
