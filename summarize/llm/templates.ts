// The deterministic assessment: what the digest says when there is no model, or the model could not be used.
// Health comes from the severities the assessment assigned (never from text), the headline from counts, and each
// group's likely cause and next step from a template chosen by its error class, else by its kind.
import type { IncidentKind, NotificationPlan } from '../../normalize/incident.js';
import type { FactGroup } from './facts.js';
import type { Health } from './output.js';

/** Health from the open incidents of the plan: any critical → critical, any other open → degraded, else healthy. */
export function healthFromPlan(plan: NotificationPlan): Health {
  let health: Health = 'healthy';
  for (const team of plan.teams) {
    for (const n of team.notices) {
      if (n.incident.state !== 'open') continue;
      if (n.incident.severity === 'critical') return 'critical';
      health = 'degraded';
    }
  }
  return health;
}

const HEALTH_RANK: Record<Health, number> = { healthy: 0, degraded: 1, critical: 2 };

/** The more severe of two health values: the model may raise the health the severities give, never lower it. */
export function worseHealth(a: Health, b: Health): Health {
  return HEALTH_RANK[a] >= HEALTH_RANK[b] ? a : b;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** A headline from counts only, e.g. `3 open incidents (1 critical) for 2 teams; 1 recovered.` */
export function templateHeadline(plan: NotificationPlan): string {
  const seen = new Set<string>();
  let open = 0;
  let critical = 0;
  let recovered = 0;
  const teams = new Set<string>();
  for (const team of plan.teams) {
    for (const n of team.notices) {
      if (seen.has(n.incident.id)) continue;
      seen.add(n.incident.id);
      teams.add(team.team);
      if (n.incident.state === 'open') {
        open++;
        if (n.incident.severity === 'critical') critical++;
      } else recovered++;
    }
  }
  if (seen.size === 0) return 'Nothing to report this cycle.';
  if (open === 0) return `All reported incidents recovered (${plural(recovered, 'incident')}).`;
  const crit = critical > 0 ? ` (${critical} critical)` : '';
  const rec = recovered > 0 ? `; ${recovered} recovered` : '';
  return `${plural(open, 'open incident')}${crit} for ${plural(teams.size, 'team')}${rec}.`;
}

interface Template {
  likelyCause: string;
  nextStep: string;
}

const BY_KIND: Record<IncidentKind, Template> = {
  failed: { likelyCause: 'The job failed on its final attempt.', nextStep: 'Open the last run, read its error, fix the cause and re-run the job.' },
  too_long: { likelyCause: 'The run takes much longer than usual: more data, contention, or a hung step.', nextStep: 'Check the running run for progress; cancel and re-run it if it is stuck.' },
  stuck_queued: { likelyCause: 'The run is waiting for capacity: a busy cluster, warehouse or worker pool, or a concurrency limit.', nextStep: 'Check the capacity and concurrency limits of the platform and the queue ahead of the run.' },
  missed_schedule: { likelyCause: 'The scheduler did not start the run: a paused trigger, a changed schedule or a platform issue.', nextStep: 'Check the job’s schedule and trigger on the platform and start a run by hand if needed.' },
  deadline: { likelyCause: 'The job has not succeeded by its deadline.', nextStep: 'Find what delays the run and tell the consumers of its data.' },
  suspended: { likelyCause: 'The platform suspended the job or it was turned off.', nextStep: 'Find why it was suspended, fix that, and resume the job.' },
  zero_output: { likelyCause: 'The runs succeed but move no rows: an empty source, a filter, or a broken incremental state.', nextStep: 'Check the source for new data and the job’s cursor or filter.' },
  platform_outage: { likelyCause: 'Many jobs of the same scope fail the same way at once: a platform or shared-dependency problem.', nextStep: 'Check the platform’s status and the shared credentials or network; re-run the jobs once it is back.' },
  blind_spot: { likelyCause: 'The monitor could not read this scope: lost permission, an expired credential or an unreachable API.', nextStep: 'Check the monitor’s credentials and access to the scope; until then its jobs are not watched.' },
  flapping: { likelyCause: 'The job keeps switching between success and failure: an intermittent dependency or a race.', nextStep: 'Look for what differs between the failed and the successful runs.' },
};

/** Error classes as the platforms name them (Airbyte failureType, Databricks termination type), lower-cased. */
const BY_ERROR_CLASS: { test: RegExp; template: Template }[] = [
  { test: /config|client|user|permission|auth|credential/, template: { likelyCause: 'A configuration or permission problem on the job’s side.', nextStep: 'Check the job’s configuration, credentials and permissions, then re-run it.' } },
  { test: /transient|cloud|network|timeout|throttl/, template: { likelyCause: 'A transient infrastructure problem (cloud provider, network or throttling).', nextStep: 'Re-run the job; if it keeps failing, check the platform’s status.' } },
  { test: /system|internal|platform/, template: { likelyCause: 'An internal error of the platform.', nextStep: 'Re-run the job and check the platform’s status; open a ticket with the vendor if it persists.' } },
  { test: /cancel/, template: { likelyCause: 'The run was cancelled.', nextStep: 'Confirm with the team whether the cancellation was intended.' } },
];

/** When a group mixes kinds, the one that explains the others speaks for it. */
const KIND_PRIORITY: IncidentKind[] = ['platform_outage', 'blind_spot', 'suspended', 'failed', 'flapping', 'missed_schedule', 'deadline', 'too_long', 'stuck_queued', 'zero_output'];

export function templateFor(group: Pick<FactGroup, 'errorClass' | 'kinds' | 'open'>): Template {
  if (group.open === 0) return { likelyCause: 'The problem has cleared.', nextStep: 'No action needed; watch the next runs.' };
  const cls = group.errorClass?.toLowerCase() ?? '';
  const byClass = cls === '' ? undefined : BY_ERROR_CLASS.find((t) => t.test.test(cls));
  if (byClass) return byClass.template;
  const kind = KIND_PRIORITY.find((k) => group.kinds.includes(k)) ?? 'failed';
  return BY_KIND[kind];
}
