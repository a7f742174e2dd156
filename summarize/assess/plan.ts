// Who is told what this cycle. Compares each incident with the delivery ledger (what was last sent for its
// fingerprint), so the plan holds only what changed or is due: new, changed (error class or severity), recovered
// (to the team that owns the incident, i.e. the one told of the failure), flapping, reminders, blind spots.
import type { Incident, NotificationPlan, NotificationReason, PlannedNotice, TeamPlan } from '../../normalize/incident.js';
import type { AssessConfig, TeamConfig } from './config.js';
import { allTeams } from './config.js';
import { IMMEDIATE_BLIND_SPOTS } from './detect-blind-spots.js';
import type { Ledger, LedgerEntry } from './snapshot.js';

export interface PlanInput {
  incidents: readonly Incident[];
  resolvedNow: ReadonlySet<string>;
  quiet: ReadonlySet<string>;
  unsilenced: ReadonlySet<string>;
  ledger: Ledger;
  config: AssessConfig;
  now: Date;
  cycleId: string;
  /** Teams owning at least one job per `platform|scope`: scope-level incidents concern them all. */
  scopeTeams: ReadonlyMap<string, readonly string[]>;
}

/** A blind spot that may heal by itself is told after N cycles or M minutes; the rest at once. */
export function blindSpotDue(inc: Incident, config: AssessConfig, now: Date): boolean {
  if (inc.errorClass !== null && IMMEDIATE_BLIND_SPOTS.has(inc.errorClass)) return true;
  return inc.streak >= config.blindSpot.afterCycles || now.getTime() - inc.openedAt.getTime() >= config.blindSpot.afterMinutes * 60_000;
}

/** The ledger entry that belongs to this incident (one left from an earlier incident of the fingerprint is stale). */
function sentFor(inc: Incident, ledger: Ledger): LedgerEntry | null {
  const e = Object.hasOwn(ledger, inc.fingerprint) ? ledger[inc.fingerprint] : undefined;
  return e && e.at >= inc.openedAt ? e : null;
}

/** Kinds told once: a reminder adds nothing to "the job was suspended" or "it is flapping". */
const NO_REMINDER = new Set(['suspended', 'flapping']);

export function reasonFor(inc: Incident, p: PlanInput): NotificationReason | null {
  if (inc.parentId !== null) return null; // the outage above it speaks for it
  const sent = sentFor(inc, p.ledger);
  if (p.resolvedNow.has(inc.id)) {
    if (p.quiet.has(inc.fingerprint) || inc.flapping) return null;
    return sent?.lastState === 'open' && !(inc.silencedUntil && inc.silencedUntil > p.now) ? 'recovered' : null;
  }
  if (inc.state !== 'open' || inc.flapping || inc.acknowledged) return null;
  if (inc.silencedUntil && inc.silencedUntil > p.now) return null;
  if (inc.kind === 'blind_spot' && !blindSpotDue(inc, p.config, p.now)) return null;
  if (!sent || sent.lastState !== 'open') return inc.kind === 'blind_spot' ? 'blind_spot' : inc.kind === 'flapping' ? 'flapping' : 'new';
  if (sent.severity !== inc.severity || sent.errorClass !== inc.errorClass) return 'changed';
  if (p.unsilenced.has(inc.id)) return 'reminder';
  if (NO_REMINDER.has(inc.kind) || inc.errorClass === 'audit_gap') return null;
  const hours = inc.severity === 'critical' ? p.config.reminders.criticalHours : p.config.reminders.hours;
  return p.now.getTime() - sent.at.getTime() >= hours * 3_600_000 ? 'reminder' : null;
}

const REASON_ORDER: Record<NotificationReason, number> = { blind_spot: 0, new: 1, changed: 2, flapping: 3, reminder: 4, recovered: 5 };

export function buildPlan(p: PlanInput): NotificationPlan {
  const teams = allTeams(p.config);
  const byName = new Map(teams.map((t) => [t.name, t]));
  const notices = new Map<string, PlannedNotice[]>();
  const add = (team: string, n: PlannedNotice) => notices.set(team, [...(notices.get(team) ?? []), n]);
  for (const inc of p.incidents) {
    const reason = reasonFor(inc, p);
    if (!reason) continue;
    // An owner removed from the configuration falls back to the default team: a notice is never lost.
    const owner = byName.has(inc.team) ? inc.team : p.config.defaultTeam.name;
    const recipients =
      inc.platform === 'monitor' ? teams.map((t) => t.name) : inc.jobId === '' ? [owner, ...(p.scopeTeams.get(`${inc.platform}|${inc.scope}`) ?? [])] : [owner];
    for (const t of new Set(recipients)) add(t, { reason, incident: inc });
  }
  const out: TeamPlan[] = [];
  for (const t of teams) {
    const ns = notices.get(t.name);
    if (!ns?.length) continue;
    ns.sort(
      (a, b) =>
        REASON_ORDER[a.reason] - REASON_ORDER[b.reason] ||
        (a.incident.severity === b.incident.severity ? 0 : a.incident.severity === 'critical' ? -1 : 1) ||
        (a.incident.fingerprint < b.incident.fingerprint ? -1 : a.incident.fingerprint > b.incident.fingerprint ? 1 : 0),
    );
    out.push(teamPlan(t, ns));
  }
  return { cycleId: p.cycleId, at: p.now, teams: out };
}

function teamPlan(t: TeamConfig, notices: PlannedNotice[]): TeamPlan {
  return { team: t.name, email: [...t.email], cc: [...t.cc], timezone: t.timezone, notices };
}
