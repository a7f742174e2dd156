// How the DuckDB store writes a batch of runs, inside the caller's transaction. The batch's keys are staged first
// and looked up in `runs` once: a batch of runs never seen (a backfill's chunks, nearly every write by volume) is
// appended straight to `runs` and `run_status_history`, with no staging table, no join and no MERGE; any other
// batch is staged whole, classified by one join (the counts), and gets only the writes those counts call for
// (none for an overlap re-read that changed nothing; the history insert and the MERGE otherwise).
import type { DuckDBConnection } from '@duckdb/node-api';
import { appendRows, stage, type DuckModule } from './duckdb-stage.js';
import { ident, RUN_CONTENT_CHANGED, TABLES, type Cell, type TableDef } from './tables.js';
import type { UpsertResult } from './types.js';
import { addResults, NOTHING } from './bisect.js';

const RUNS = TABLES.runs!;
const HISTORY = TABLES.run_status_history!;
/** Rows staged and MERGEd at a time when a batch is not all new (a few MB of staged rows and of hash table). */
const MERGE_ROWS = 10_000;
const ON = RUNS.key.map((k) => `t.${ident(k)} = s.${ident(k)}`).join(' AND ');

const at = (name: string): number => {
  const i = RUNS.columns.findIndex(([n]) => n === name);
  if (i < 0) throw new Error(`runs has no column ${name}`);
  return i;
};
const KEYS: TableDef = { name: 'stage_run_keys', columns: RUNS.key.map((k) => RUNS.columns[at(k)]!), key: RUNS.key };
const KEY_CELLS = RUNS.key.map(at);
/** A history row from a run row: the columns of run_status_history, in its order. */
const HISTORY_CELLS = ['platform', 'scope', 'run_id', 'status_category', 'status_detail', 'status_raw', 'last_seen_at', 'updated_at', 'cycle_id'].map(at);

/** MERGE of staged rows into `t`: a matched row is updated when `updateWhere` holds (its first sighting kept). */
export function mergeSql(t: TableDef, stageName: string, updateWhere: string): string {
  const on = t.key.map((k) => `t.${ident(k)} = s.${ident(k)}`).join(' AND ');
  const sets = t.columns
    .filter(([n]) => !t.key.includes(n))
    .map(([n]) => (n === 'first_seen_at' ? `first_seen_at = least(t.first_seen_at, s.first_seen_at)` : `${ident(n)} = s.${ident(n)}`))
    .join(', ');
  const cols = t.columns.map(([n]) => ident(n));
  return `MERGE INTO ${ident(t.name)} AS t USING ${ident(stageName)} AS s ON ${on} WHEN MATCHED AND ${updateWhere} THEN UPDATE SET ${sets} WHEN NOT MATCHED THEN INSERT (${cols.join(', ')}) VALUES (${cols.map((c) => `s.${c}`).join(', ')})`;
}

/** True when no run of the batch is stored yet. */
async function allNew(duck: DuckModule, conn: DuckDBConnection, rows: readonly Cell[][]): Promise<boolean> {
  await stage(duck, conn, KEYS, KEYS.name, rows, KEY_CELLS);
  const hit = (await conn.runAndReadAll(`SELECT count(*) AS n FROM (SELECT 1 FROM ${KEYS.name} s JOIN runs t ON ${ON} LIMIT 1)`)).getRowsJS();
  await conn.run(`DROP TABLE temp.${KEYS.name}`);
  return Number(hit[0]?.[0] ?? 0) === 0;
}

/** One all-or-nothing write of rows already checked by runToRow (the caller holds the transaction). */
export async function writeRunRows(duck: DuckModule, conn: DuckDBConnection, rows: readonly Cell[][]): Promise<UpsertResult> {
  if (rows.length === 0) return NOTHING;
  if (await allNew(duck, conn, rows)) {
    await appendRows(duck, conn, RUNS.name, RUNS.columns, rows, { catalog: null });
    await appendRows(duck, conn, HISTORY.name, HISTORY.columns, rows, { catalog: null, pick: HISTORY_CELLS });
    return { inserted: rows.length, updated: 0, unchanged: 0, statusChanges: rows.length, quarantined: 0 };
  }
  let res: UpsertResult = NOTHING;
  for (let from = 0; from < rows.length; from += MERGE_ROWS) res = addResults(res, await mergeRunRows(duck, conn, rows.slice(from, from + MERGE_ROWS)));
  return res;
}

/**
 * Stages `rows` whole, classifies them by one join with `runs` (the counts), then writes only what the counts call
 * for. The join holds the staged rows in a hash table: MERGE_ROWS at a time keeps that within the memory limit.
 */
async function mergeRunRows(duck: DuckModule, conn: DuckDBConnection, rows: readonly Cell[][]): Promise<UpsertResult> {
  await stage(duck, conn, RUNS, 'stage_runs', rows);
  const statusMoved = `(s.status_category, coalesce(s.status_detail, ''), s.status_raw) IS DISTINCT FROM (t.status_category, coalesce(t.status_detail, ''), t.status_raw)`;
  const c = (
    await conn.runAndReadAll(
      `SELECT count(*) FILTER (WHERE t.run_id IS NULL) AS ins,
              count(*) FILTER (WHERE s.version > t.version) AS newer,
              count(*) FILTER (WHERE s.version > t.version AND ${RUN_CONTENT_CHANGED}) AS upd,
              count(*) FILTER (WHERE s.version > t.version AND ${statusMoved}) AS moved
       FROM stage_runs s LEFT JOIN runs t ON ${ON}`,
    )
  ).getRowsJS()[0];
  const [ins, newer, upd, moved] = [0, 1, 2, 3].map((i) => Number(c?.[i] ?? 0)) as [number, number, number, number];
  if (ins + newer > 0) {
    // History first, against the rows as they were: a new run, or a newer observation with another status.
    if (ins + moved > 0)
      await conn.run(
        `INSERT INTO run_status_history SELECT s.platform, s.scope, s.run_id, s.status_category, s.status_detail, s.status_raw, s.last_seen_at, s.updated_at, s.cycle_id
         FROM stage_runs s LEFT JOIN runs t ON ${ON} WHERE t.run_id IS NULL OR (s.version > t.version AND ${statusMoved})`,
      );
    await conn.run(mergeSql(RUNS, 'stage_runs', 's.version > t.version'));
  }
  await conn.run('DROP TABLE temp.stage_runs');
  return { inserted: ins, updated: upd, unchanged: rows.length - ins - upd, statusChanges: ins + moved, quarantined: 0 };
}
