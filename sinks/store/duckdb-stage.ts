// Staging for the DuckDB store: a batch of rows goes into a TEMP table through DuckDB's appender, one data chunk
// (at most 2,048 rows) at a time, filled column by column with typed values: BIGINT, BOOLEAN and TIMESTAMPTZ columns
// are written into the chunk's own memory, a VARCHAR is one native call. Values never pass through SQL text.
// The appender runs on the JS thread, so the event loop is handed back between slices: the other scopes' HTTP
// traffic is served while a large batch is staged (the reason the former NDJSON + read_json staging existed).
import type { DuckDBConnection, DuckDBDataChunk, DuckDBType, DuckDBVector } from '@duckdb/node-api';
import type { Cell, ColumnType } from './tables.js';

type DuckModule = typeof import('@duckdb/node-api');

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
    case 'timestamp':
      return (vec, i, v) => {
        if (v === null) return vec.setItem(i, null);
        const ms = v instanceof Date ? v.getTime() : NaN;
        if (!Number.isFinite(ms)) return refuse(column, 'TIMESTAMPTZ', v);
        vec.setItem(i, new duck.DuckDBTimestampTZValue(BigInt(ms) * 1000n));
      };
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

/**
 * Appends `rows` (cells in `columns` order) to the existing temp table `table`. A value the table cannot hold
 * throws a StageValueError; anything the appender throws (DuckDB's own refusal) propagates as it is.
 */
export async function appendRows(duck: DuckModule, conn: DuckDBConnection, table: string, columns: readonly (readonly [string, ColumnType])[], rows: readonly Cell[][]): Promise<void> {
  if (rows.length === 0) return;
  const types = columns.map(([, t]) => duckType(duck, t));
  const setters = columns.map(([n, t]) => setterFor(duck, t, n));
  const appender = await conn.createAppender(table, 'main', 'temp');
  try {
    for (let start = 0, chunks = 0; start < rows.length; start += CHUNK_ROWS) {
      const n = Math.min(CHUNK_ROWS, rows.length - start);
      const chunk: DuckDBDataChunk = duck.DuckDBDataChunk.create(types, n);
      for (let c = 0; c < setters.length; c++) {
        const vector = chunk.getColumnVector(c);
        const set = setters[c]!;
        for (let i = 0; i < n; i++) set(vector, i, rows[start + i]![c] ?? null);
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
