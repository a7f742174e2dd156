// How rows reach the DuckDB store's tables: DuckDB's appender, into a TEMP staging table or straight into a table
// (within the open transaction), one data chunk (at most 2,048 rows) at a time, filled column by column with typed
// values: BIGINT, BOOLEAN and TIMESTAMPTZ cells are written into the chunk's own memory, a VARCHAR is one native
// call, NUL and any other text kept as they are. Values never pass through SQL text. The appender runs on the JS
// thread, so the event loop is handed back between slices: the other scopes' HTTP traffic is served while a large
// batch is written (the property the former NDJSON + read_json staging had, at the cost of a 32 MB read buffer
// that would not fit a 64 MB memory limit).
import type { DuckDBConnection, DuckDBDataChunk, DuckDBType, DuckDBVector } from '@duckdb/node-api';
import { ident, type Cell, type ColumnType, type TableDef } from './tables.js';

export type DuckModule = typeof import('@duckdb/node-api');

export const DUCK_TYPES: Record<ColumnType, string> = { id: 'VARCHAR', text: 'VARCHAR', int: 'BIGINT', bool: 'BOOLEAN', timestamp: 'TIMESTAMPTZ', json: 'VARCHAR' };

/** The DDL of `t` (under `name`): the table itself, or a fresh temp table shaped like it to stage into. */
export function ddl(t: TableDef, temp = false, name = t.name): string {
  const cols = t.columns.map(([n, ty]) => `${ident(n)} ${DUCK_TYPES[ty]}`).join(', ');
  return temp ? `CREATE OR REPLACE TEMP TABLE ${ident(name)} (${cols})` : `CREATE TABLE IF NOT EXISTS ${ident(name)} (${cols})`;
}

/**
 * A value the staging table cannot hold (an integer beyond 64 bits, a value of the wrong kind). Its message has
 * DuckDB's own shape (`Conversion Error: …`) and the store counts it as an error about the data: the batch is
 * bisected and the row that holds it quarantined, as a refused cast was under the NDJSON staging.
 */
export class StageValueError extends Error {
  override readonly name = 'StageValueError';
}

/** Rows per data chunk: DuckDB's vector size, the most a chunk holds. */
const CHUNK_ROWS = 2048;
/** Chunks appended between two hand-backs to the event loop (a slice: some 5-15 ms of work). */
const CHUNKS_PER_SLICE = 2;

const INT64_MIN = -(2 ** 63);
const INT64_MAX = 2 ** 63;

const refuse = (column: string, kind: string, v: unknown): never => {
  const shown = typeof v === 'string' ? JSON.stringify(v.slice(0, 40)) : String(v);
  throw new StageValueError(`Conversion Error: column ${column}: ${shown} is not a ${kind}`);
};

type Setter = (vector: DuckDBVector, i: number, v: Cell) => void;

function setterFor(duck: DuckModule, type: ColumnType, column: string): Setter {
  switch (type) {
    case 'int':
      return (vec, i, v) => {
        if (v === null) return vec.setItem(i, null);
        if (typeof v !== 'number' || !Number.isInteger(v) || v < INT64_MIN || v >= INT64_MAX) return refuse(column, 'BIGINT', v);
        vec.setItem(i, BigInt(v));
      };
    case 'bool':
      return (vec, i, v) => {
        if (v === null) return vec.setItem(i, null);
        if (typeof v !== 'boolean') return refuse(column, 'BOOLEAN', v);
        vec.setItem(i, v);
      };
    case 'timestamp': {
      // A batch's first_seen_at/last_seen_at are mostly one time (the cycle's): the value made for it is reused.
      let lastMs = NaN;
      let last = new duck.DuckDBTimestampTZValue(0n);
      return (vec, i, v) => {
        if (v === null) return vec.setItem(i, null);
        const ms = v instanceof Date ? v.getTime() : NaN;
        if (!Number.isFinite(ms)) return refuse(column, 'TIMESTAMPTZ', v);
        if (ms !== lastMs) {
          lastMs = ms;
          last = new duck.DuckDBTimestampTZValue(BigInt(ms) * 1000n);
        }
        vec.setItem(i, last);
      };
    }
    default:
      return (vec, i, v) => {
        if (v === null) return vec.setItem(i, null);
        if (typeof v !== 'string') return refuse(column, 'VARCHAR', v);
        vec.setItem(i, v);
      };
  }
}

function duckType(duck: DuckModule, type: ColumnType): DuckDBType {
  return type === 'int' ? duck.BIGINT : type === 'bool' ? duck.BOOLEAN : type === 'timestamp' ? duck.TIMESTAMPTZ : duck.VARCHAR;
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

export interface AppendOptions {
  /** 'temp' (the default) for a temp table; null for a table of the database (in the connection's transaction). */
  catalog?: string | null;
  /** The cells of each row to append, by index (default: all, in order). */
  pick?: readonly number[];
}

/**
 * Appends `rows` (their cells, or the `pick`ed ones, in the table's own column order `columns`) to `table`. A
 * value the table cannot hold throws a StageValueError; anything the appender throws propagates as it is.
 */
export async function appendRows(duck: DuckModule, conn: DuckDBConnection, table: string, columns: readonly (readonly [string, ColumnType])[], rows: readonly Cell[][], opts: AppendOptions = {}): Promise<void> {
  const catalog = opts.catalog === undefined ? 'temp' : opts.catalog;
  const pick = opts.pick ?? columns.map((_, i) => i);
  if (rows.length === 0) return;
  const types = columns.map(([, t]) => duckType(duck, t));
  const setters = columns.map(([n, t]) => setterFor(duck, t, n));
  const appender = await conn.createAppender(ident(table), 'main', catalog);
  try {
    // The appender fills columns by position: a table that grew a column must fail loudly, not shift the values.
    if (appender.columnCount !== columns.length) throw new Error(`DuckDB store: table ${table} has ${appender.columnCount} columns, the store writes ${columns.length}`);
    for (let start = 0, chunks = 0; start < rows.length; start += CHUNK_ROWS) {
      const n = Math.min(CHUNK_ROWS, rows.length - start);
      const chunk: DuckDBDataChunk = duck.DuckDBDataChunk.create(types, n);
      for (let c = 0; c < setters.length; c++) {
        const vector = chunk.getColumnVector(c);
        const set = setters[c]!;
        const cell = pick[c]!;
        for (let i = 0; i < n; i++) set(vector, i, rows[start + i]![cell] ?? null);
        vector.flush();
      }
      appender.appendDataChunk(chunk);
      if (++chunks % CHUNKS_PER_SLICE === 0 && start + n < rows.length) {
        // Moves the rows into the table now, in this slice, rather than all at once in closeSync.
        appender.flushSync();
        await nextTurn();
      }
    }
    appender.closeSync();
  } catch (e) {
    // What was appended goes with the rolled-back transaction; closing must not hide the reason.
    try {
      appender.clear();
      appender.closeSync();
    } catch {
      /* the first error says what went wrong */
    }
    throw e;
  }
}

/** Loads rows into a fresh temp table `name` shaped like `t`. */
export async function stage(duck: DuckModule, conn: DuckDBConnection, t: TableDef, name: string, rows: readonly Cell[][], pick?: readonly number[]): Promise<void> {
  await conn.run(ddl(t, true, name));
  await appendRows(duck, conn, name, t.columns, rows, pick ? { pick } : {});
}

