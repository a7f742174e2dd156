// The facts the model sees: the notification plan folded into a few groups, bounded by a token budget whatever the
// number of incidents. Grouping is by (team, platform, error class, or the kind when there is no class); each
// group carries counts, first and last time, up to three job names and one trimmed error text. Job names, scopes
// and error texts are untrusted: they are only ever placed in the prompt's JSON data block (see prompt.ts).
// Everything here is pure and deterministic, so the same plan always gives the same facts, ids and hash.
import { createHash } from 'node:crypto';
import type { Incident, IncidentPlatform, NotificationPlan, NotificationReason, Severity } from '../../normalize/incident.js';
import { buildPrompt, groupView, promptTokens } from './prompt.js';
import type { FactGroup, Facts, MoreGroups } from './facts-types.js';

export type { FactGroup, Facts, MoreGroups } from './facts-types.js';
import { oneLine } from './text.js';

/** Bump when the facts or the prompt change meaning: cached narratives of an older version are not reused. */
export const FACTS_VERSION = 1;
export const DEFAULT_MAX_PROMPT_TOKENS = 6_000;
/** More groups than this make a digest nobody reads, and the answer grows with every group. */
export const DEFAULT_MAX_GROUPS = 40;
export const MAX_JOB_NAMES = 3;
export const MAX_ERROR_CHARS = 200;
const MAX_NAME_CHARS = 80;


export interface BuildFactsOptions {
  maxPromptTokens?: number;
  maxGroups?: number;
}

const SEVERITY_RANK: Record<Severity, number> = { critical: 1, warning: 0 };

function isoMinute(d: Date): string {
  return `${d.toISOString().slice(0, 16)}Z`;
}

function groupKey(i: Incident): string {
  return JSON.stringify([i.team, i.platform, i.errorClass ?? `kind:${i.kind}`]);
}

interface Acc {
  team: string;
  platform: IncidentPlatform;
  errorClass: string | null;
  incidents: Map<string, { incident: Incident; reasons: NotificationReason[] }>;
}

/** Every group of the plan, sorted (critical and largest first), ids assigned in that order. No budget applied. */
export function groupPlan(plan: NotificationPlan): FactGroup[] {
  const accs = new Map<string, Acc>();
  for (const team of plan.teams) {
    for (const notice of team.notices) {
      const i = notice.incident;
      const key = groupKey(i);
      let acc = accs.get(key);
      if (!acc) {
        acc = { team: i.team, platform: i.platform, errorClass: i.errorClass, incidents: new Map() };
        accs.set(key, acc);
      }
      const seen = acc.incidents.get(i.id);
      if (seen) seen.reasons.push(notice.reason);
      else acc.incidents.set(i.id, { incident: i, reasons: [notice.reason] });
    }
  }
  const groups = [...accs.values()].map(toGroup);
  groups.sort(compareGroups);
  groups.forEach((g, n) => (g.id = `g${n + 1}`));
  return groups;
}

function toGroup(acc: Acc): FactGroup {
  const entries = [...acc.incidents.values()].sort((a, b) => (a.incident.id < b.incident.id ? -1 : a.incident.id > b.incident.id ? 1 : 0));
  const incidents = entries.map((e) => e.incident);
  const reasons: Partial<Record<NotificationReason, number>> = {};
  for (const e of entries) for (const r of new Set(e.reasons)) reasons[r] = (reasons[r] ?? 0) + 1;
  const jobs = [...new Set(incidents.filter((i) => i.jobId !== '').map((i) => oneLine(i.jobName ?? i.jobId, MAX_NAME_CHARS)))].sort();
  const scopes = [...new Set(incidents.filter((i) => i.jobId === '').map((i) => oneLine(i.scope, MAX_NAME_CHARS)))].sort();
  // The most recent error is the most telling; ties go to the smaller id so the choice is stable.
  const withError = incidents.filter((i) => i.errorText !== null && i.errorText.trim() !== '');
  withError.sort((a, b) => b.lastSeenAt.getTime() - a.lastSeenAt.getTime() || (a.id < b.id ? -1 : 1));
  const sample = withError[0]?.errorText ?? null;
  return {
    id: '',
    team: acc.team,
    platform: acc.platform,
    errorClass: acc.errorClass,
    kinds: [...new Set(incidents.map((i) => i.kind))].sort(),
    severity: incidents.some((i) => i.severity === 'critical') ? 'critical' : 'warning',
    incidents: incidents.length,
    open: incidents.filter((i) => i.state === 'open').length,
    resolved: incidents.filter((i) => i.state === 'resolved').length,
    maxStreak: incidents.reduce((n, i) => Math.max(n, i.streak), 0),
    reasons,
    firstAt: isoMinute(new Date(incidents.reduce((t, i) => Math.min(t, i.openedAt.getTime()), Infinity))),
    lastAt: isoMinute(new Date(incidents.reduce((t, i) => Math.max(t, i.lastSeenAt.getTime()), -Infinity))),
    jobs: jobs.slice(0, MAX_JOB_NAMES),
    otherJobs: Math.max(0, jobs.length - MAX_JOB_NAMES),
    scopes: scopes.slice(0, MAX_JOB_NAMES),
    error: sample === null ? null : oneLine(sample, MAX_ERROR_CHARS),
    incidentIds: incidents.map((i) => i.id),
  };
}

function compareGroups(a: FactGroup, b: FactGroup): number {
  return (
    SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] ||
    b.open - a.open ||
    b.incidents - a.incidents ||
    cmp(a.team, b.team) ||
    cmp(a.platform, b.platform) ||
    cmp(a.errorClass ?? '', b.errorClass ?? '') ||
    cmp(a.kinds.join(','), b.kinds.join(','))
  );
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function moreOf(rest: readonly FactGroup[]): MoreGroups | null {
  if (rest.length === 0) return null;
  return {
    groups: rest.length,
    incidents: rest.reduce((n, g) => n + g.incidents, 0),
    critical: rest.filter((g) => g.severity === 'critical').length,
  };
}

/**
 * The facts for one call: as many groups as fit in the token budget (system + user prompt, measured with the
 * o200k tokenizer), the rest summarized as counts. The measure is exact for the final prompt: groups are added
 * by an estimate, then dropped one by one until the real prompt fits.
 */
export function buildFacts(plan: NotificationPlan, opts: BuildFactsOptions = {}): Facts {
  // A plan without incidents makes no prompt: nothing to measure (and the tokenizer need not be loaded).
  if (plan.teams.every((t) => t.notices.length === 0)) return { version: FACTS_VERSION, cycleId: plan.cycleId, at: plan.at.toISOString(), groups: [], more: moreOf([]), promptTokens: 0 };
  const maxTokens = opts.maxPromptTokens ?? DEFAULT_MAX_PROMPT_TOKENS;
  const maxGroups = opts.maxGroups ?? DEFAULT_MAX_GROUPS;
  const all = groupPlan(plan);
  const make = (k: number): Facts => {
    const facts: Facts = { version: FACTS_VERSION, cycleId: plan.cycleId, at: plan.at.toISOString(), groups: all.slice(0, k), more: moreOf(all.slice(k)), promptTokens: 0 };
    facts.promptTokens = promptTokens(buildPrompt(facts));
    return facts;
  };
  // Estimate: the prompt with no group (its "more" line as large as it can be), then each group's own cost. Only
  // the groups that can fit are tokenized, so 10,000 groups cost no more than 40.
  const base = make(0).promptTokens;
  let k = 0;
  let used = base;
  const limit = Math.min(maxGroups, all.length);
  while (k < limit) {
    const group = all[k];
    if (!group) break;
    const cost = promptTokens({ system: '', user: JSON.stringify(groupView(group)) }) + 2;
    if (used + cost > maxTokens) break;
    used += cost;
    k++;
  }
  let facts = make(k);
  while (facts.promptTokens > maxTokens && k > 0) facts = make(--k);
  return facts;
}

/**
 * The cache key of a narrative: what the model's answer depends on, and nothing that changes from one reminder
 * to the next (times, streak counts, why each incident is in the plan). The same incidents with the same
 * severity and error give the same hash, so reminders reuse the cached narrative and cost no call.
 */
export function factsHash(facts: Facts): string {
  const essence = {
    v: FACTS_VERSION,
    groups: facts.groups.map((g) => [g.id, g.team, g.platform, g.errorClass, g.kinds, g.severity, g.incidentIds, g.error]),
    more: facts.more && [facts.more.groups, facts.more.incidents, facts.more.critical],
  };
  return createHash('sha256').update(JSON.stringify(essence)).digest('hex');
}
