// The cycle's assessment (one LLM call, or its deterministic fallback) in the shape the digest renders. The groups
// are cycle-wide; a team's digest shows only its own groups, so one team never reads another team's jobs.
import type { AssessedGroup, Assessment } from '../llm/assessment.js';
import type { DigestAssessment } from './types.js';

/** `databricks: OOM` (the error class names the problem best), else the kinds: `snowflake: missed_schedule, deadline`. */
export function groupTitle(g: Pick<AssessedGroup, 'platform' | 'errorClass' | 'kinds' | 'incidents'>): string {
  const what = g.errorClass ?? (g.kinds.length ? g.kinds.join(', ') : 'problem');
  return `${g.platform}: ${what} (${g.incidents} incident${g.incidents === 1 ? '' : 's'})`;
}

/** `team`: keep only that team's groups (the headline stays: the model writes it without names). */
export function toDigestAssessment(a: Assessment, team?: string): DigestAssessment {
  const groups = team === undefined ? a.groups : a.groups.filter((g) => g.team === team);
  return {
    source: a.source,
    model: a.model,
    health: a.health,
    headline: a.headline,
    groups: groups.map((g) => ({
      id: g.id,
      title: groupTitle(g),
      likelyCause: g.likelyCause,
      nextStep: g.nextStep,
      // A template has no confidence of its own: say where the text came from instead.
      confidence: g.confidence ?? 'rule-based',
    })),
  };
}
