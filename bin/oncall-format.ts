// Text helpers of the on-call commands. Every string that came from a vendor or the store (job names, scopes,
// error text, details, team names) goes through `esc` before it reaches the terminal; times are shown in UTC and
// in the team's zone with its offset.
import type { Incident } from '../normalize/incident.js';
import { escapeForTerminal, truncate } from '../normalize/text.js';
import { formatWhen } from '../summarize/digest/time.js';

export const esc = (s: string | null | undefined): string => escapeForTerminal(s ?? '');

export { formatWhen };

/** `3h 10m`, `2d 4h`, `45s`. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return m % 60 ? `${h}h ${m % 60}m` : `${h}h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d}d ${h % 24}h` : `${d}d`;
}

/** The job (or the scope, for scope-level incidents) an incident is about, escaped. */
export function subjectOf(i: { platform: string; scope: string; jobId: string; jobName: string | null }): string {
  const where = `${esc(i.platform)} ${esc(i.scope)}`;
  if (i.jobId === '') return where;
  return `${where} / ${esc(i.jobName ?? i.jobId)}${i.jobName && i.jobName !== i.jobId ? ` (job ${esc(i.jobId)})` : ''}`;
}

const SEVERITY_RANK: Record<Incident['severity'], number> = { critical: 0, warning: 1 };

/** Critical first, then the newest opened; the id breaks ties so the order is stable. */
export function bySeverityThenNewest(a: Incident, b: Incident): number {
  return SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || b.openedAt.getTime() - a.openedAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** The lines of one incident in `status`: what, since when, why, and what holds its notices back. */
export function incidentLines(i: Incident, now: Date, zone: string | null, indent = '  '): string[] {
  const pad = `${indent}          `;
  const head = `${indent}${i.severity.padEnd(9)} ${(i.kind === 'blind_spot' ? 'blind spot' : i.kind).padEnd(16)} ${subjectOf(i)}`;
  const since = `open for ${formatDuration(now.getTime() - i.openedAt.getTime())}, since ${formatWhen(i.openedAt, zone)}${i.streak > 1 ? `; streak ${i.streak}` : ''}`;
  const out = [head, `${pad}${since}`];
  if (i.detail) out.push(`${pad}${esc(truncate(i.detail, 300))}`);
  if (i.errorClass || i.errorText) out.push(`${pad}error: ${[i.errorClass, i.errorText].filter(Boolean).map((t) => esc(truncate(t!, 300))).join(': ')}`);
  const held = [
    ...(i.silencedUntil && i.silencedUntil > now ? [`silenced until ${formatWhen(i.silencedUntil, zone)}`] : []),
    ...(i.acknowledged ? ['acknowledged'] : []),
    ...(i.flapping ? ['flapping'] : []),
    ...(i.parentId ? [`part of outage ${esc(i.parentId)}`] : []),
  ];
  if (held.length) out.push(`${pad}${held.join('; ')}`);
  if (i.runUrl) out.push(`${pad}run: ${esc(i.runUrl)}`);
  out.push(`${pad}id ${esc(i.id)}`);
  return out;
}
