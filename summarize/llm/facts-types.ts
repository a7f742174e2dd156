// The facts the one LLM call sees: shapes only, shared by the facts builder and the prompt.
import type { IncidentPlatform } from '../../normalize/incident.js';
import type { IncidentKind, NotificationReason, Severity } from '../../normalize/incident.js';

export interface FactGroup {
  /** `g1`, `g2`, … in sorted order: the only way the model may refer to a group. */
  id: string;
  team: string;
  platform: IncidentPlatform;
  errorClass: string | null;
  kinds: IncidentKind[];
  /** The highest severity among the group's incidents (from the assessment's rules, never from the model). */
  severity: Severity;
  incidents: number;
  open: number;
  resolved: number;
  /** Highest streak among the group's incidents (consecutive failed final attempts for `failed`). */
  maxStreak: number;
  reasons: Partial<Record<NotificationReason, number>>;
  /** ISO minute: when the earliest incident opened and the latest was last seen. */
  firstAt: string;
  lastAt: string;
  /** Up to three distinct job names (untrusted), sorted; `otherJobs` counts the rest. */
  jobs: string[];
  otherJobs: number;
  /** Up to three scopes (workspace, account, environment) for scope-level incidents such as outages. */
  scopes: string[];
  /** The most recent error text of the group (untrusted), one line, at most 200 characters. */
  error: string | null;
  /** The incidents behind the group, sorted. Never sent to the model; the digest uses them to fill in details. */
  incidentIds: string[];
}

/** Groups left out by the budget, as counts only. */
export interface MoreGroups {
  groups: number;
  incidents: number;
  critical: number;
}

export interface Facts {
  version: number;
  cycleId: string;
  at: string;
  groups: FactGroup[];
  more: MoreGroups | null;
  /** Prompt tokens (system + user, o200k) measured for these facts. */
  promptTokens: number;
}
