// `status` (the open incidents and blind spots by team) and `incidents` (a table, open or all). Read-only.
import type { Incident } from '../normalize/incident.js';
import type { CycleRecord, StoredSilence } from '../sinks/store/types.js';
import { EXIT } from './cli-text.js';
import { bySeverityThenNewest, esc, formatDuration, formatWhen, incidentLines, subjectOf } from './oncall-format.js';
import { withStore } from './oncall-store.js';
import type { CommonOptions, Emit } from './run.js';

export interface TeamStatus {
  team: string;
  timezone: string | null;
  incidents: Incident[];
}

export interface CycleBlindSpot {
  platform: string;
  scope: string;
  reason: string;
}

export interface StatusResult {
  at: Date;
  open: number;
  critical: number;
  blindSpots: number;
  lastCycle: { cycleId: string; endedAt: Date; outcome: CycleRecord['outcome']; blindSpots: CycleBlindSpot[] } | null;
  teams: TeamStatus[];
  /** Silences in force (the assessment applies them to matching incidents). */
  silences: StoredSilence[];
}

/** Groups open incidents by their team (teams by name), each team's critical first, then the newest. Pure. */
export function groupByTeam(open: readonly Incident[], zoneOf: (team: string) => string | null): TeamStatus[] {
  const teams = new Map<string, Incident[]>();
  for (const i of open) teams.set(i.team, [...(teams.get(i.team) ?? []), i]);
  return [...teams.keys()]
    .sort()
    .map((team) => ({ team, timezone: zoneOf(team), incidents: teams.get(team)!.sort(bySeverityThenNewest) }));
}

function lastCycleOf(c: CycleRecord | null): StatusResult['lastCycle'] {
  if (!c) return null;
  // The cycle row's report is JSON from an earlier version, perhaps: read only what has the expected shape.
  const report = c.report as { blindSpots?: unknown } | null;
  const spots = (Array.isArray(report?.blindSpots) ? (report.blindSpots as unknown[]) : [])
    .filter((b): b is CycleBlindSpot => !!b && typeof b === 'object' && typeof (b as CycleBlindSpot).platform === 'string' && typeof (b as CycleBlindSpot).scope === 'string')
    .map((b) => ({ platform: b.platform, scope: b.scope, reason: String(b.reason ?? '') }));
  return { cycleId: c.cycleId, endedAt: c.endedAt, outcome: c.outcome, blindSpots: spots };
}

/** The status as text (pure): a headline, the last cycle, then each team with its incidents. */
export function renderStatus(s: StatusResult): string {
  const out = [`${s.open} open incident(s) at ${formatWhen(s.at, null)}: ${s.critical} critical, ${s.blindSpots} blind spot(s)`];
  if (s.lastCycle) {
    out.push(`Last cycle: ended ${formatWhen(s.lastCycle.endedAt, null)} (${formatDuration(s.at.getTime() - s.lastCycle.endedAt.getTime())} before), ${s.lastCycle.outcome}`);
    for (const b of s.lastCycle.blindSpots) out.push(`  blind spot: ${esc(b.platform)} ${esc(b.scope)}: ${esc(b.reason)}`);
  } else out.push('Last cycle: none recorded yet');
  if (s.silences.length > 0) {
    out.push(`Silences in force: ${s.silences.length}`);
    for (const x of s.silences) out.push(`  ${esc(x.match)} until ${formatWhen(x.until, null)}, by ${esc(x.author)}: ${esc(x.reason)} (id ${esc(x.id)})`);
  }
  if (s.teams.length === 0) out.push('', 'Nothing open.');
  for (const t of s.teams) {
    out.push('', `${esc(t.team)} (${t.timezone ? esc(t.timezone) : 'UTC'}): ${t.incidents.length} open`);
    for (const i of t.incidents) out.push(...incidentLines(i, s.at, t.timezone));
  }
  return out.join('\n');
}

export async function statusCommand(o: CommonOptions, emit: Emit): Promise<number> {
  const result = await withStore(o, false, 'status', async (store, ctx) => {
    const open = await store.readOpenIncidents();
    return {
      at: ctx.now,
      open: open.length,
      critical: open.filter((i) => i.severity === 'critical').length,
      blindSpots: open.filter((i) => i.kind === 'blind_spot').length,
      lastCycle: lastCycleOf(await store.lastCycle()),
      teams: groupByTeam(open, ctx.zoneOf),
      silences: await store.readSilences(ctx.now),
    } satisfies StatusResult;
  });
  emit(renderStatus(result), result);
  return EXIT.OK;
}

/** The incidents as a table (pure): one row each, times in UTC and the team's zone. */
export function renderIncidents(incidents: readonly Incident[], zoneOf: (team: string) => string | null, all: boolean): string {
  if (incidents.length === 0) return all ? 'No incidents recorded.' : 'No open incidents (--all shows resolved ones too).';
  const rows = incidents.map((i) => {
    const zone = zoneOf(i.team);
    const end = i.state === 'resolved' && i.resolvedAt ? `resolved ${formatWhen(i.resolvedAt, zone)}` : `opened ${formatWhen(i.openedAt, zone)}`;
    return [esc(i.id), i.state, i.severity, i.kind, esc(i.team), end, subjectOf(i)];
  });
  const head = ['ID', 'STATE', 'SEVERITY', 'KIND', 'TEAM', 'WHEN', 'JOB'];
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (r: string[]) => r.map((x, c) => (c === r.length - 1 ? x : x.padEnd(widths[c]!))).join('  ');
  return [line(head), ...rows.map(line)].join('\n');
}

export async function incidentsCommand(o: CommonOptions & { all: boolean; job: string | undefined; limit: number | undefined }, emit: Emit): Promise<number> {
  const { incidents, zoneOf } = await withStore(o, false, 'incidents', async (store, ctx) => ({
    incidents: await store.readIncidents({ all: o.all, limit: o.limit ?? 50, ...(o.job !== undefined ? { jobGlob: o.job } : {}) }),
    zoneOf: ctx.zoneOf,
  }));
  emit(renderIncidents(incidents, zoneOf, o.all), { incidents: incidents.map((i) => ({ ...i, timezone: zoneOf(i.team) })) });
  return EXIT.OK;
}
