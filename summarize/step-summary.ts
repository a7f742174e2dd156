// The GitHub Actions job summary and annotations of one cycle: pure functions from the report (plus, when the later
// stages ran, the incidents and the delivery outcomes) to markdown and to a list of annotations. bin/ writes them.
//
// Every string from a platform, the store or a transport is untrusted: it is made one visible line, bounded,
// defanged (no bare URL becomes a link) and every ASCII punctuation character is backslash-escaped, which
// CommonMark allows for all of them, so `|` cannot split a table cell, `<img …>` is text, `#` starts no heading and
// `[x](y)` makes no link. The only links are run URLs from the platforms' own data that pass `safeHttpUrl`.
// GitHub caps a step summary at 1 MiB; this one stays under 64 KB, cutting with "N more" lines.
import type { Incident, Severity } from '../normalize/incident.js';
import { safeHttpUrl, untrusted } from './digest/escape.js';
import type { AuditReport } from './report.js';

/** What delivery did for one team this cycle. */
export interface DeliveryOutcome {
  team: string;
  status: 'sent' | 'failed' | 'skipped';
  /** outbox, smtp, graph. */
  transport?: string | null;
  /** Why it failed or was skipped (secrets already removed by the transport). */
  reason?: string | null;
  /** Where the outbox wrote the message (.eml and .html). */
  files?: string[];
}

export interface StepSummaryExtras {
  /** Open and recently resolved incidents after this cycle's assessment. */
  incidents?: readonly Incident[];
  deliveries?: readonly DeliveryOutcome[];
}

export interface Annotation {
  level: 'error' | 'warning' | 'notice';
  title: string;
  message: string;
}

export const SUMMARY_MAX_BYTES = 64 * 1024;
const MAX_SCOPES = 100;
const MAX_INCIDENTS = 30;
const MAX_FAILED = 25;
const MAX_LIST = 50;
/** GitHub shows at most 10 error and 10 warning annotations per step. */
const MAX_ANNOTATIONS_PER_LEVEL = 10;

/** Untrusted text as inert inline markdown: one visible line, at most `max` characters before escaping. */
export function md(s: string | null | undefined, max = 200): string {
  return untrusted(s, max).replace(/[!-/:-@[-`{-~]/g, (c) => `\\${c}`);
}

const link = (label: string, url: string | null | undefined): string => {
  const href = safeHttpUrl(url);
  // The angle-bracket destination allows parentheses; URL.href percent-encodes spaces, `<` and `>`.
  return href ? `[${label}](<${href}>)` : '';
};

const SEVERITY_ORDER: Record<Severity, number> = { critical: 0, warning: 1 };

export function renderStepSummary(report: AuditReport, extras: StepSummaryExtras = {}): string {
  const out = new Bounded(SUMMARY_MAX_BYTES);
  const r = report;
  out.push(`## pipeline-audit: cycle ${md(r.outcome)}${r.dryRun ? ' (dry run: nothing written)' : ''}`);
  out.push('');
  out.push(`Cycle ${md(r.cycleId, 80)}, ${md(r.startedAt, 40)} → ${md(r.endedAt, 40)} (UTC), pipeline\\-audit ${md(r.toolVersion, 40)}`);
  out.push('');
  out.push(`Store: ${md(r.store.kind, 40)} ${r.store.ok ? 'written' : `**not writable**: ${md(r.store.error)}`}`);
  out.push('');
  const t = r.totals;
  out.push(`Runs seen **${t.runsSeen}**, written **${t.runsWritten}**, failed **${t.failedRuns}**; warnings ${t.warnings}; HTTP requests ${t.requests}`);

  out.push('', '### Platforms', '', '| platform | scope | state | runs (new, updated) | failed | jobs |', '|---|---|---|---|---|---|');
  const scopes = r.scopes.slice(0, MAX_SCOPES);
  for (const s of scopes) {
    const state = s.error ? '**blind spot**' : s.complete ? 'complete' : '**incomplete**';
    out.push(`| ${md(s.platform, 40)} | ${md(s.scope, 120)} | ${state} | ${s.runsSeen} (${s.runsInserted}, ${s.runsUpdated}) | ${s.failedRuns} | ${s.jobsSeen} |`);
  }
  for (const n of r.notEnabled) out.push(`| ${md(n.platform, 40)} | | not monitored: ${md(n.reason)} | | | |`);
  if (r.scopes.length > scopes.length) out.push(`| | ${r.scopes.length - scopes.length} more scopes (see the JSON report) | | | | |`);

  if (r.blindSpots.length > 0) {
    out.push('', `### Blind spots (${r.blindSpots.length})`, '');
    list(out, r.blindSpots, (b) => `- **${md(b.platform, 40)}** ${md(b.scope, 120)}: ${md(b.reason, 300)}`);
  }
  const incomplete = r.scopes.filter((s) => !s.error && !s.complete);
  if (incomplete.length > 0) {
    out.push('', `### Incomplete (${incomplete.length})`, '');
    list(out, incomplete, (s) => `- **${md(s.platform, 40)}** ${md(s.scope, 120)}: ${s.incomplete.map((i) => md(i, 160)).join('; ') || 'coverage did not advance'}`);
  }

  if (extras.incidents) renderIncidents(out, extras.incidents);

  if (r.failedRuns.length > 0) {
    out.push('', `### Failed runs (${r.failedRuns.length})`, '', '| platform | job | started | status | error | |', '|---|---|---|---|---|---|');
    for (const f of r.failedRuns.slice(0, MAX_FAILED)) {
      const error = [f.errorClass ? `${md(f.errorClass, 60)}:` : '', md(f.error, 160)].filter(Boolean).join(' ');
      out.push(`| ${md(f.platform, 40)} | ${md(f.jobName ?? f.jobId, 120)} | ${md(f.startedAt ?? '?', 40)} | ${md(f.status, 60)} | ${error} | ${link('run', f.url)} |`);
    }
    if (r.failedRuns.length > MAX_FAILED) out.push('', `${r.failedRuns.length - MAX_FAILED} more (see the JSON report)`);
  }

  if (extras.deliveries) {
    const d = extras.deliveries;
    const count = (s: DeliveryOutcome['status']) => d.filter((x) => x.status === s).length;
    out.push('', `### Deliveries: ${count('sent')} sent, ${count('failed')} failed, ${count('skipped')} skipped`, '');
    if (d.length > 0) {
      out.push('| team | outcome | transport | detail |', '|---|---|---|---|');
      list(out, d, (x) => `| ${md(x.team, 80)} | ${x.status === 'failed' ? '**failed**' : x.status} | ${md(x.transport ?? '', 20)} | ${md(x.reason ?? '', 200)} |`);
    }
  }
  return out.text();
}

function renderIncidents(out: Bounded, incidents: readonly Incident[]): void {
  const open = incidents.filter((i) => i.state === 'open');
  const resolved = incidents.length - open.length;
  const by = (s: Severity) => open.filter((i) => i.severity === s).length;
  out.push('', `### Incidents: ${by('critical')} critical, ${by('warning')} warning open; ${resolved} resolved`);
  if (open.length === 0) return;
  const top = [...open].sort(
    (a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || b.updatedAt.getTime() - a.updatedAt.getTime() || (a.fingerprint < b.fingerprint ? -1 : 1),
  );
  out.push('', '| severity | platform | job | problem | since | streak | error | |', '|---|---|---|---|---|---|---|---|');
  for (const i of top.slice(0, MAX_INCIDENTS)) {
    const job = i.jobId === '' ? md(i.scope, 120) : md(i.jobName ?? i.jobId, 120);
    const error = [i.errorClass ? `${md(i.errorClass, 60)}:` : '', md(i.errorText ?? i.detail, 160)].filter(Boolean).join(' ');
    const flags = [i.flapping ? 'flapping' : '', i.silencedUntil ? 'silenced' : '', i.acknowledged ? 'acknowledged' : ''].filter(Boolean).join(', ');
    out.push(
      `| ${i.severity === 'critical' ? '**critical**' : 'warning'} | ${md(i.platform, 40)} | ${job} | ${md(i.kind.replace(/_/g, ' '), 40)}${flags ? ` (${flags})` : ''} | ${i.openedAt.toISOString()} | ${i.streak} | ${error} | ${link('run', i.runUrl) || link('job', i.jobUrl)} |`,
    );
  }
  if (top.length > MAX_INCIDENTS) out.push('', `${top.length - MAX_INCIDENTS} more (see the JSON report)`);
}

function list<T>(out: Bounded, items: readonly T[], line: (x: T) => string): void {
  for (const x of items.slice(0, MAX_LIST)) out.push(line(x));
  if (items.length > MAX_LIST) out.push(`${items.length - MAX_LIST} more (see the JSON report)`);
}

/** Lines up to a byte budget; what does not fit is counted in one closing line. */
class Bounded {
  private readonly lines: string[] = [];
  private bytes = 0;
  private dropped = 0;
  private readonly budget: number;
  constructor(max: number) {
    this.budget = max - 200; // room for the closing line
  }
  push(...lines: string[]): void {
    for (const l of lines) {
      const n = Buffer.byteLength(l, 'utf8') + 1;
      if (this.dropped > 0 || this.bytes + n > this.budget) {
        this.dropped++;
        continue;
      }
      this.lines.push(l);
      this.bytes += n;
    }
  }
  text(): string {
    const tail = this.dropped > 0 ? ['', `… ${this.dropped} more lines cut to keep this summary under ${SUMMARY_MAX_BYTES / 1024} KB (see the JSON report)`] : [];
    return [...this.lines, ...tail].join('\n') + '\n';
  }
}

/** Annotations for what needs a human: blind spots and failed deliveries (errors), incomplete scopes (warnings). */
export function annotations(report: AuditReport, extras: StepSummaryExtras = {}): Annotation[] {
  const errors: Annotation[] = [];
  const warnings: Annotation[] = [];
  const one = (s: string | null | undefined, max: number) => untrusted(s, max);
  if (!report.store.ok && !report.dryRun) errors.push({ level: 'error', title: 'pipeline-audit: store not writable', message: one(report.store.error, 500) || 'the store could not be written' });
  for (const b of report.blindSpots) errors.push({ level: 'error', title: `pipeline-audit blind spot: ${one(b.platform, 40)} ${one(b.scope, 120)}`, message: one(b.reason, 500) });
  for (const d of extras.deliveries ?? []) {
    if (d.status === 'failed') errors.push({ level: 'error', title: `pipeline-audit delivery failed: ${one(d.team, 80)}`, message: `${one(d.transport ?? 'transport', 20)}: ${one(d.reason, 500) || 'no reason given'} (retried next cycle)` });
  }
  for (const s of report.scopes) {
    if (s.error || s.complete) continue;
    warnings.push({ level: 'warning', title: `pipeline-audit incomplete: ${one(s.platform, 40)} ${one(s.scope, 120)}`, message: s.incomplete.map((i) => one(i, 200)).join('; ') || 'coverage did not advance; the next cycle re-reads the span' });
  }
  return [...capped(errors), ...capped(warnings)];
}

function capped(list: Annotation[]): Annotation[] {
  if (list.length <= MAX_ANNOTATIONS_PER_LEVEL) return list;
  const kept = list.slice(0, MAX_ANNOTATIONS_PER_LEVEL - 1);
  const rest = list.length - kept.length;
  return [...kept, { level: list[0]!.level, title: `pipeline-audit: ${rest} more`, message: `${rest} more of this kind: see the job summary and the JSON report` }];
}
