// Which section a notice belongs to, the order within a section, and the subject line. Pure and deterministic:
// the same plan always gives the same message, which the ledger's content hash relies on.
import type { IncidentKind, PlannedNotice, Severity, TeamPlan } from '../../normalize/incident.js';
import { SECTION_IDS, type DigestCounts, type SectionId } from './types.js';

export const SECTION_TITLES: Record<SectionId, string> = {
  blind_spots: 'Blind spots',
  new: 'New',
  still_failing: 'Still failing',
  recovered: 'Recovered',
  missed_or_late: 'Missed or late',
  flapping: 'Flapping',
};

const LATE_KINDS: ReadonlySet<IncidentKind> = new Set(['missed_schedule', 'deadline', 'too_long', 'stuck_queued']);

/** Recovery and flapping win over the kind; blind spots and lateness win over new/changed/reminder. */
export function sectionOf(n: PlannedNotice): SectionId {
  if (n.reason === 'recovered') return 'recovered';
  if (n.reason === 'flapping') return 'flapping';
  if (n.reason === 'blind_spot' || n.incident.kind === 'blind_spot') return 'blind_spots';
  if (LATE_KINDS.has(n.incident.kind)) return 'missed_or_late';
  if (n.reason === 'new') return 'new';
  return 'still_failing';
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Critical first, then platform, scope, job, and the fingerprint as the final tie-break. */
export function compareNotices(a: PlannedNotice, b: PlannedNotice): number {
  const sa = a.incident.severity === 'critical' ? 0 : 1;
  const sb = b.incident.severity === 'critical' ? 0 : 1;
  return (
    sa - sb ||
    cmp(a.incident.platform, b.incident.platform) ||
    cmp(a.incident.scope, b.incident.scope) ||
    cmp(a.incident.jobName ?? a.incident.jobId, b.incident.jobName ?? b.incident.jobId) ||
    cmp(a.incident.fingerprint, b.incident.fingerprint) ||
    cmp(a.reason, b.reason)
  );
}

export function groupNotices(team: TeamPlan): Record<SectionId, PlannedNotice[]> {
  const out = Object.fromEntries(SECTION_IDS.map((id) => [id, [] as PlannedNotice[]])) as Record<SectionId, PlannedNotice[]>;
  for (const n of team.notices) out[sectionOf(n)].push(n);
  for (const id of SECTION_IDS) out[id].sort(compareNotices);
  return out;
}

export function countNotices(sections: Record<SectionId, PlannedNotice[]>): Omit<DigestCounts, 'shown'> {
  const bySection = Object.fromEntries(SECTION_IDS.map((id) => [id, sections[id].length])) as Record<SectionId, number>;
  let critical = 0;
  let warning = 0;
  for (const id of SECTION_IDS) {
    if (id === 'recovered') continue;
    for (const n of sections[id]) {
      if (n.incident.severity === 'critical') critical++;
      else warning++;
    }
  }
  return { total: SECTION_IDS.reduce((s, id) => s + bySection[id], 0), critical, warning, bySection };
}

export function highestSeverity(c: Omit<DigestCounts, 'shown'>): Severity | null {
  return c.critical > 0 ? 'critical' : c.warning > 0 ? 'warning' : null;
}

const SUBJECT_LABELS: Record<SectionId, [string, string]> = {
  blind_spots: ['blind spot', 'blind spots'],
  new: ['new', 'new'],
  still_failing: ['still failing', 'still failing'],
  recovered: ['recovered', 'recovered'],
  missed_or_late: ['missed or late', 'missed or late'],
  flapping: ['flapping', 'flapping'],
};

/**
 * `[pipeline-audit] 2 critical, 3 new, 1 recovered`: the highest severity's count, then each non-empty section in
 * section order. Counts only, so no platform or model text can reach the subject; CR/LF are stripped regardless.
 */
export function renderSubject(c: Omit<DigestCounts, 'shown'>, productName: string): string {
  const parts: string[] = [];
  if (c.critical > 0) parts.push(`${c.critical} critical`);
  else if (c.warning > 0) parts.push(`${c.warning} warning${c.warning === 1 ? '' : 's'}`);
  for (const id of SECTION_IDS) {
    const n = c.bySection[id];
    if (n > 0) parts.push(`${n} ${SUBJECT_LABELS[id][n === 1 ? 0 : 1]}`);
  }
  if (parts.length === 0) parts.push('all clear');
  // eslint-disable-next-line no-control-regex
  return `[${productName}] ${parts.join(', ')}`.replace(/[\r\n\u0000-\u001f\u007f]+/g, ' ');
}
