// Everything one assessment reads, in one statement: the snapshot's runs and jobs (with the previous cycle's end),
// the open incidents, the silences in force and the ledger. The parts have different columns, so each row travels
// as one JSON text beside its part's name (a UNION ALL of `part, json`): one round trip to Snowflake instead of
// five, and on DuckDB one text column per row converts faster than twenty typed ones.
//
// Exactness: timestamps travel as epoch milliseconds (JsonDialect.epochMs), never as the engine's rendering of a
// timestamp inside JSON (DuckDB writes '2026-12-01 20:53:49+00', Snowflake its own format, both shaped by the
// session); integers as JSON numbers (JSON.parse rounds beyond 2^53 exactly as Number() of the typed value did);
// NULLs as JSON null or a missing key (col() reads both as absent); JSON columns (tags) as nested JSON on Snowflake,
// as JSON text on DuckDB, both read by toJob. Rows are ordered here, not by the statement.
import type { AssessSnapshot } from '../../normalize/assessment.js';
import type { Incident } from '../../normalize/incident.js';
import { foldLedger } from './assess-delivery.js';
import { toIncident, toSilence } from './assess-incidents.js';
import { buildSnapshot, JOB_OUT, jobsSql, runsParts, RUN_OUT } from './assess-snapshot.js';
import { col, jsonRow, param, type Row, type SqlSession } from './assess-sql.js';
import { ASSESS_TABLES, type Cell } from './tables.js';
import type { AssessmentInputs, ScopeRef, SnapshotOptions, StoredSilence } from './types.js';

/** The parts, in the order of the statement's UNION ALL. */
export type InputPart = 'run' | 'job' | 'open' | 'silence' | 'ledger';

export function inputsSql(s: SqlSession, scopes: readonly ScopeRef[] | 'all', opts: SnapshotOptions): { sql: string; binds: Cell[] } {
  const runs = runsParts(s, scopes, opts);
  const jobs = jobsSql(s, scopes, opts.cycleId);
  const part = (name: InputPart, json: string, from: string) => `SELECT '${name}' AS part, ${json} AS j FROM ${from}`;
  const sql = `WITH ${runs.ctes.sql}, snap_runs AS (${runs.select.sql}), snap_jobs AS (${jobs.sql})
    ${part('run', jsonRow(s, 'x', RUN_OUT), 'snap_runs x')}
    UNION ALL ${part('job', jsonRow(s, 'x', JOB_OUT), 'snap_jobs x')}
    UNION ALL ${part('open', jsonRow(s, 'x', ASSESS_TABLES.incidents!.columns), `${s.table('incidents')} x WHERE x.state = 'open'`)}
    UNION ALL ${part('silence', jsonRow(s, 'x', ASSESS_TABLES.silences!.columns), `${s.table('silences')} x WHERE x.until_at > ${param(s, 'timestamp')}`)}
    UNION ALL ${part('ledger', jsonRow(s, 'x', ASSESS_TABLES.notification_ledger!.columns), `${s.table('notification_ledger')} x`)}`;
  return { sql, binds: [...runs.ctes.binds, ...runs.select.binds, ...jobs.binds, opts.now] };
}

const before = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The inputs from the statement's rows (`part`, `j`): JSON text, or (a driver that parsed it) an object. */
export function inputsFromRows(rows: readonly Row[], opts: SnapshotOptions): AssessmentInputs {
  const parts: Record<InputPart, Row[]> = { run: [], job: [], open: [], silence: [], ledger: [] };
  for (const r of rows) {
    const name = String(col(r, 'part')) as InputPart;
    const j = col(r, 'j');
    if (!Object.hasOwn(parts, name)) throw new Error(`unexpected part ${name} in the assessment inputs`);
    parts[name].push((typeof j === 'string' ? JSON.parse(j) : j) as Row);
  }
  const snapshot: AssessSnapshot = buildSnapshot(parts.run, parts.job, opts);
  // The orders the separate reads had (readOpenIncidents, readSilences).
  const open: Incident[] = parts.open.map(toIncident).sort((a, b) => before(a.fingerprint, b.fingerprint) || a.openedAt.getTime() - b.openedAt.getTime() || before(a.id, b.id));
  const silences: StoredSilence[] = parts.silence.map(toSilence).sort((a, b) => a.until.getTime() - b.until.getTime() || before(a.id, b.id));
  return { snapshot, open, silences, ledger: foldLedger(parts.ledger) };
}

export async function readAssessmentInputs(s: SqlSession, scopes: readonly ScopeRef[] | 'all', opts: SnapshotOptions): Promise<AssessmentInputs> {
  const { sql, binds } = inputsSql(s, scopes, opts);
  return inputsFromRows(await s.read((q) => q.query(sql, binds)), opts);
}
