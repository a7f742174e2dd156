// The cycle's report: what was collected, what was stored, what could not be read. It is data first (returned by
// runAudit, written as JSON by --json/--output, stored with the cycle row); `renderText` is the deterministic
// summary the CLI prints.
import type { Incident } from '../normalize/incident.js';
import type { Platform, Run } from '../normalize/schema.js';
import { escapeForTerminal, truncate } from '../normalize/text.js';
import { BUDGET_WARN_SHARE, type BudgetUse } from './budgets.js';

/** The assessment's outcome for the report (and the cycle row): counts, the plan per team, the one LLM call. */
export interface HealthSummary {
  /** The incidents and events were written to the store. */
  persisted: boolean;
  /** What limited the assessment (store down, ...), or null. */
  note: string | null;
  open: { critical: number; warning: number };
  opened: number;
  resolved: number;
  /** Per team, the notices planned this cycle (empty: nothing to send). */
  plan: { team: string; notices: number; reasons: Partial<Record<string, number>> }[];
  assessment: {
    source: 'model' | 'fallback';
    model: string | null;
    outcome: string;
    fallbackReason: string | null;
    health: string;
    headline: string;
    tokensIn: number;
    tokensOut: number;
    latencyMs: number;
    cached: boolean;
  };
  /** Open incidents and those resolved this cycle, most severe first (bounded). */
  incidents: Incident[];
  /** Per team, what delivery did (absent when nothing was to be sent). */
  deliveries?: { team: string; status: 'sent' | 'failed' | 'skipped'; transport?: string | null; reason?: string | null; files?: string[] }[];
}

/** Something skipped or odd while collecting: counted and reported (the collectors' CollectWarning). */
export interface ReportWarning {
  code: string;
  message: string;
  itemId?: string | undefined;
}

export interface ScopeReport {
  platform: Platform;
  scope: string;
  /** Every chunk of the window was read completely and committed: coverage advanced. */
  complete: boolean;
  window: { start: string; end: string } | null;
  /** Coverage after this cycle (ISO), or null when none is recorded yet. */
  coveredUntil: string | null;
  chunks: { planned: number; committed: number };
  runsSeen: number;
  runsInserted: number;
  runsUpdated: number;
  runsRejected: number;
  jobsSeen: number;
  failedRuns: number;
  requests: number;
  retries: number;
  throttled: number;
  warnings: ReportWarning[];
  /** Why the collection is incomplete (page cap, a detail page refused, cut off by the time limit, ...). */
  incomplete: string[];
  gaps: { from: string; to: string }[];
  /** The error that made this scope a blind spot, when it failed. */
  error: string | null;
  /** Local clock minus the vendor's (its Date headers), when the vendor sent one; null otherwise. */
  clockSkewMs?: number | null;
}

export interface FailedRunSummary {
  platform: Platform;
  scope: string;
  jobId: string;
  jobName: string | null;
  runId: string;
  status: string;
  startedAt: string | null;
  endedAt: string | null;
  errorClass: string | null;
  error: string | null;
  url: string | null;
}

export interface AuditReport {
  cycleId: string;
  toolVersion: string;
  startedAt: string;
  endedAt: string;
  dryRun: boolean;
  outcome: 'ok' | 'partial' | 'failed';
  store: { kind: string; ok: boolean; error: string | null };
  scopes: ScopeReport[];
  notEnabled: { platform: Platform; reason: string }[];
  /** Scopes that could not be read at all or only in part: the monitor's blind spots this cycle. */
  blindSpots: { platform: Platform | 'monitor'; scope: string; reason: string }[];
  totals: { runsSeen: number; runsWritten: number; failedRuns: number; warnings: number; requests: number };
  /** Failed final attempts seen this cycle, newest first (bounded). */
  failedRuns: FailedRunSummary[];
  /** The health assessment (absent on a cycle that did not assess). */
  health?: HealthSummary;
  /** Each HTTP scope's requests this cycle against its vendor's request budget (summarize/budgets.ts). */
  budgets?: BudgetUse[];
}

const MAX_FAILED = 200;

export function summarizeFailed(runs: readonly Run[]): FailedRunSummary[] {
  return runs
    .filter((r) => r.status.category === 'failed' && r.isFinalAttempt)
    .sort((a, b) => (b.startedAt?.getTime() ?? 0) - (a.startedAt?.getTime() ?? 0) || (a.runId < b.runId ? -1 : 1))
    .slice(0, MAX_FAILED)
    .map((r) => ({
      platform: r.platform,
      scope: r.scope,
      jobId: r.jobId,
      jobName: r.jobName,
      runId: r.runId,
      status: r.status.detail ? `${r.status.category} (${r.status.detail})` : r.status.category,
      startedAt: r.startedAt?.toISOString() ?? null,
      endedAt: r.endedAt?.toISOString() ?? null,
      errorClass: r.errorClass ?? r.errorCode,
      error: r.errorMessage ? firstLine(r.errorMessage, 200) : null,
      url: r.url,
    }));
}

function firstLine(s: string, max: number): string {
  const line = s.split('\n').find((l) => l.trim() !== '') ?? '';
  return truncate(line, max);
}

/**
 * A failed run's status, labelled: `FAILED (success_with_failures) | SUCCESS` read as a contradiction. The vendor's
 * detail is named as such, and an error class that names success (Databricks reports the termination code
 * SUCCESS for a run whose result is SUCCESS_WITH_FAILURES) says nothing about the failure and is left out.
 */
function statusText(f: FailedRunSummary): string {
  const m = /^([a-z_]+) \((.+)\)$/.exec(f.status);
  const status = m ? `${m[1]}, vendor status ${m[2]}` : f.status;
  const errorClass = f.errorClass && !/^succe/i.test(f.errorClass) ? ` | error ${f.errorClass}` : '';
  return `${status}${errorClass}`;
}

const percent = (share: number) => `${share >= 0.1 ? Math.round(share * 100) : (share * 100).toFixed(1)} %`;

/** Plain-text summary for a terminal or a log. Every external string is on its own, never interpreted. */
export function renderText(r: AuditReport): string {
  const out: string[] = [];
  out.push(`pipeline-audit cycle ${r.cycleId} — ${r.outcome}${r.dryRun ? ' (dry run: nothing written)' : ''}`);
  out.push(`  ${r.startedAt} → ${r.endedAt}   store: ${r.store.kind}${r.store.ok ? '' : ` NOT WRITABLE: ${r.store.error ?? ''}`}`);
  out.push(`  runs seen ${r.totals.runsSeen}, written ${r.totals.runsWritten}, failed ${r.totals.failedRuns}, warnings ${r.totals.warnings}, HTTP requests ${r.totals.requests}`);
  out.push('');
  for (const s of r.scopes) {
    const state = s.error ? 'FAILED' : s.complete ? 'complete' : 'INCOMPLETE';
    const budget = r.budgets?.find((b) => b.platform === s.platform && b.scope === s.scope);
    const share = budget ? ` (${percent(budget.share)} of the vendor's budget)` : '';
    out.push(`  ${s.platform.padEnd(13)} ${s.scope}  ${state}  runs ${s.runsSeen} (new ${s.runsInserted}, updated ${s.runsUpdated}), failed ${s.failedRuns}, jobs ${s.jobsSeen}, requests ${s.requests}${share}`);
    if (budget && budget.share >= BUDGET_WARN_SHARE) {
      out.push(`      request budget: ${budget.requests} requests in ${Math.round(budget.seconds)} s, ${percent(budget.share)} of ${budget.budget.requests} per ${budget.budget.windowS} s (${budget.budget.source}); expect the vendor's 429s`);
    }
    if (s.error) out.push(`      error: ${s.error}`);
    for (const i of s.incomplete) out.push(`      incomplete: ${i}`);
    for (const g of s.gaps) out.push(`      unrecoverable gap: ${g.from} → ${g.to} (outside the platform's history)`);
    const byCode = new Map<string, number>();
    for (const w of s.warnings) byCode.set(w.code, (byCode.get(w.code) ?? 0) + 1);
    for (const [code, n] of [...byCode].sort()) out.push(`      warning ${code} ×${n}: ${s.warnings.find((w) => w.code === code)?.message ?? ''}`);
  }
  for (const n of r.notEnabled) out.push(`  ${n.platform.padEnd(13)} not monitored: ${n.reason}`);
  if (r.blindSpots.length > 0) {
    out.push('');
    out.push(`  Blind spots (${r.blindSpots.length}):`);
    for (const b of r.blindSpots) out.push(`    - ${b.platform} ${b.scope}: ${b.reason}`);
  }
  if (r.failedRuns.length > 0) {
    out.push('');
    out.push(`  Failed runs (${r.failedRuns.length}${r.failedRuns.length >= MAX_FAILED ? '+' : ''}):`);
    for (const f of r.failedRuns.slice(0, 25)) {
      out.push(`    - ${f.platform} | ${f.jobName ?? f.jobId} | ${f.startedAt ?? '?'} | ${statusText(f)}`);
      if (f.error) out.push(`      ${f.error}`);
      if (f.url) out.push(`      ${f.url}`);
    }
    if (r.failedRuns.length > 25) out.push(`    … and ${r.failedRuns.length - 25} more (see --json)`);
  }
  if (r.health) renderHealth(r.health, out);
  // Every line may carry vendor text (job names, errors, scope names): control, bidi and line-breaking characters
  // are shown as visible escapes, so a newline in a job name cannot forge a report line and U+202E cannot reorder one.
  return out.map(escapeForTerminal).join('\n');
}

const SEVERITY_ORDER = { critical: 0, warning: 1 } as const;

/** The health section alone (`assess --dry-run`), escaped for a terminal like the whole report. */
export function renderHealthText(h: HealthSummary): string {
  const out: string[] = [];
  renderHealth(h, out);
  return out.filter((l) => l !== '').map(escapeForTerminal).join('\n');
}

function renderHealth(h: HealthSummary, out: string[]): void {
  const a = h.assessment;
  out.push('');
  out.push(`  Health: ${a.health} — ${a.headline}`);
  out.push(`    ${a.source === 'model' ? `suggested by ${a.model ?? 'the model'}${a.cached ? ' (cached: same facts as before)' : ''}` : `deterministic summary${a.fallbackReason && a.fallbackReason !== 'no_model' ? ` (the model was not used: ${a.fallbackReason})` : ''}`}`);
  out.push(`    incidents open: ${h.open.critical} critical, ${h.open.warning} warning; opened ${h.opened}, resolved ${h.resolved} this cycle${h.persisted ? '' : ' (not stored)'}`);
  if (h.note) out.push(`    note: ${h.note}`);
  const shown = [...h.incidents].filter((i) => i.state === 'open').sort((x, y) => SEVERITY_ORDER[x.severity] - SEVERITY_ORDER[y.severity] || y.updatedAt.getTime() - x.updatedAt.getTime());
  for (const i of shown.slice(0, 25)) {
    out.push(`    - ${i.severity.padEnd(8)} ${i.kind.padEnd(15)} ${i.platform} | ${i.jobName ?? (i.jobId || i.scope)} | ${i.detail}${i.streak > 1 ? ` | streak ${i.streak}` : ''}${i.parentId ? ' | (part of an outage)' : ''}`);
  }
  if (shown.length > 25) out.push(`    … and ${shown.length - 25} more (see --json or pipeline-audit incidents)`);
  const planned = h.plan.filter((p) => p.notices > 0);
  out.push(planned.length === 0 ? '    notifications: nothing new to tell anyone' : `    notifications: ${planned.map((p) => `${p.team} ${p.notices} (${Object.entries(p.reasons).map(([k, v]) => `${v} ${k}`).join(', ')})`).join('; ')}`);
  for (const d of h.deliveries ?? []) out.push(`    delivery ${d.team}: ${d.status}${d.transport ? ` by ${d.transport}` : ''}${d.reason ? ` (${d.reason})` : ''}${d.files && d.files.length > 0 ? ` → ${d.files.join(', ')}` : ''}`);
}
