// Incidents, their events, silences and acknowledgements, as both stores keep them (the SQL in assess-sql.ts's
// dialect-neutral subset). Incidents are upserted by id with every field; events are insert-only by
// (incident, cycle, type), so writing a cycle's output twice leaves the same rows.
import type { Incident, IncidentEvent, IncidentEventType, IncidentKind, IncidentPlatform, Severity } from '../../normalize/incident.js';
import { asBool, asDate, asNum, asStr, col, globToLike, mergeRows, mergeStatements, param, single, type Row, type SqlSession } from './assess-sql.js';
import { ASSESS_TABLES, type Cell } from './tables.js';
import type { IncidentQuery, StoredSilence } from './types.js';

const INCIDENTS = ASSESS_TABLES.incidents!;
const EVENTS = ASSESS_TABLES.incident_events!;
const SILENCES = ASSESS_TABLES.silences!;

function incidentRow(i: Incident): Cell[] {
  return [
    i.id,
    i.fingerprint,
    i.kind,
    i.platform,
    i.scope,
    i.jobId,
    i.jobName,
    i.team,
    i.severity,
    i.state,
    i.openedAt,
    i.updatedAt,
    i.lastSeenAt,
    i.resolvedAt,
    i.streak,
    i.lastRunId,
    i.lastRunAt,
    i.runUrl,
    i.jobUrl,
    i.errorClass,
    i.errorText,
    i.detail,
    i.parentId,
    i.flapping,
    i.silencedUntil,
    i.acknowledged,
  ];
}

export function toIncident(r: Row): Incident {
  return {
    id: String(col(r, 'incident_id')),
    fingerprint: String(col(r, 'fingerprint')),
    kind: String(col(r, 'kind')) as IncidentKind,
    platform: String(col(r, 'platform')) as IncidentPlatform,
    scope: String(col(r, 'scope')),
    jobId: String(col(r, 'job_id') ?? ''),
    jobName: asStr(col(r, 'job_name')),
    team: String(col(r, 'team')),
    severity: String(col(r, 'severity')) as Severity,
    state: String(col(r, 'state')) as Incident['state'],
    openedAt: asDate(col(r, 'opened_at'))!,
    updatedAt: asDate(col(r, 'updated_at'))!,
    lastSeenAt: asDate(col(r, 'last_seen_at'))!,
    resolvedAt: asDate(col(r, 'resolved_at')),
    streak: asNum(col(r, 'streak')) ?? 0,
    lastRunId: asStr(col(r, 'last_run_id')),
    lastRunAt: asDate(col(r, 'last_run_at')),
    runUrl: asStr(col(r, 'run_url')),
    jobUrl: asStr(col(r, 'job_url')),
    errorClass: asStr(col(r, 'error_class')),
    errorText: asStr(col(r, 'error_text')),
    detail: String(col(r, 'detail') ?? ''),
    parentId: asStr(col(r, 'parent_id')),
    flapping: asBool(col(r, 'flapping')) ?? false,
    silencedUntil: asDate(col(r, 'silenced_until')),
    acknowledged: asBool(col(r, 'acknowledged')) ?? false,
  };
}

const eventRow = (e: IncidentEvent, seq: number): Cell[] => [e.incidentId, e.cycleId, e.type, e.at, e.severity, e.streak, e.errorClass, e.note, seq];

function toEvent(r: Row): IncidentEvent {
  return {
    incidentId: String(col(r, 'incident_id')),
    cycleId: String(col(r, 'cycle_id')),
    at: asDate(col(r, 'event_at'))!,
    type: String(col(r, 'event_type')) as IncidentEventType,
    severity: String(col(r, 'severity')) as Severity,
    streak: asNum(col(r, 'streak')) ?? 0,
    errorClass: asStr(col(r, 'error_class')),
    note: asStr(col(r, 'note')),
  };
}

export function readOpenIncidents(s: SqlSession): Promise<Incident[]> {
  return s.read(async (q) => (await q.query(`SELECT * FROM ${s.table('incidents')} WHERE state = 'open' ORDER BY fingerprint, opened_at, incident_id`)).map(toIncident));
}

export async function writeIncidents(s: SqlSession, incidents: readonly Incident[], events: readonly IncidentEvent[]): Promise<void> {
  if (incidents.length === 0 && events.length === 0) return;
  // A steady cycle (open incidents seen again, no events) is one MERGE: atomic alone, no BEGIN/COMMIT needed.
  if (mergeStatements(incidents.length) + mergeStatements(events.length) === 1) {
    await single(s, 'writing incidents', (q) => (incidents.length ? mergeRows(s, q, INCIDENTS, incidents.map(incidentRow)) : mergeRows(s, q, EVENTS, events.map(eventRow), 'none')));
    return;
  }
  await s.tx('writing incidents', async (q) => {
    await mergeRows(s, q, INCIDENTS, incidents.map(incidentRow));
    // Insert-only: a re-run of the cycle finds its events there already and adds none.
    await mergeRows(s, q, EVENTS, events.map(eventRow), 'none');
  });
}

export function readIncidents(s: SqlSession, query: IncidentQuery): Promise<Incident[]> {
  const where: string[] = [];
  const binds: Cell[] = [];
  if (!query.all) where.push("state = 'open'");
  if (query.jobGlob !== undefined) {
    where.push(`(job_id ILIKE ${param(s, 'text')} ESCAPE '!' OR job_name ILIKE ${param(s, 'text')} ESCAPE '!')`);
    const like = globToLike(query.jobGlob);
    binds.push(like, like);
  }
  const limit = Math.max(1, Math.floor(query.limit));
  const sql = `SELECT * FROM ${s.table('incidents')}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY updated_at DESC, incident_id LIMIT ${limit}`;
  return s.read(async (q) => (await q.query(sql, binds)).map(toIncident));
}

export function readIncidentEvents(s: SqlSession, incidentId: string): Promise<IncidentEvent[]> {
  return s.read(async (q) => (await q.query(`SELECT * FROM ${s.table('incident_events')} WHERE incident_id = ${param(s, 'id')} ORDER BY event_at, seq, cycle_id, event_type`, [incidentId])).map(toEvent));
}

export async function addSilence(s: SqlSession, x: StoredSilence): Promise<void> {
  await s.tx('adding a silence', (q) => mergeRows(s, q, SILENCES, [[x.id, x.match, x.until, x.author, x.reason, x.createdAt]]));
}

export function removeSilence(s: SqlSession, idOrMatch: string): Promise<number> {
  const where = `silence_id = ${param(s, 'id')} OR match_text = ${param(s, 'text')}`;
  return s.tx('removing a silence', async (q) => {
    const [c] = await q.query(`SELECT COUNT(*) AS n FROM ${s.table('silences')} WHERE ${where}`, [idOrMatch, idOrMatch]);
    await q.query(`DELETE FROM ${s.table('silences')} WHERE ${where}`, [idOrMatch, idOrMatch]);
    return Number(col(c ?? {}, 'n') ?? 0);
  });
}

export function readSilences(s: SqlSession, now: Date): Promise<StoredSilence[]> {
  return s.read(async (q) =>
    (await q.query(`SELECT * FROM ${s.table('silences')} WHERE until_at > ${param(s, 'timestamp')} ORDER BY until_at, silence_id`, [now])).map(toSilence),
  );
}

export function toSilence(r: Row): StoredSilence {
  return {
    id: String(col(r, 'silence_id')),
    match: String(col(r, 'match_text')),
    until: asDate(col(r, 'until_at'))!,
    author: String(col(r, 'author') ?? ''),
    reason: String(col(r, 'reason') ?? ''),
    createdAt: asDate(col(r, 'created_at'))!,
  };
}

/** `cycleId` keys the event (default: an `ack:` id from the time), so acknowledging twice at once adds one event. */
export function acknowledge(s: SqlSession, incidentId: string, author: string, at: Date, cycleId?: string): Promise<boolean> {
  return s.tx('acknowledging an incident', async (q) => {
    const [row] = await q.query(`SELECT * FROM ${s.table('incidents')} WHERE incident_id = ${param(s, 'id')}`, [incidentId]);
    if (!row) return false;
    const inc = toIncident(row);
    await q.query(`UPDATE ${s.table('incidents')} SET acknowledged = TRUE, updated_at = ${param(s, 'timestamp')} WHERE incident_id = ${param(s, 'id')}`, [at, incidentId]);
    const event: IncidentEvent = { incidentId, cycleId: cycleId ?? `ack:${at.toISOString()}`, at, type: 'acknowledged', severity: inc.severity, streak: inc.streak, errorClass: inc.errorClass, note: `acknowledged by ${author}` };
    await mergeRows(s, q, EVENTS, [eventRow(event, 0)], 'none');
    return true;
  });
}
