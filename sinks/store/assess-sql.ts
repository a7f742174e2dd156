// The SQL both stores share for assessment and delivery. DuckDB and Snowflake agree on what these statements use
// (MERGE with a SELECT source, window functions, ILIKE … ESCAPE, IS DISTINCT FROM, CAST); where they differ (type
// names, qualified table names, how a value is bound) the store passes a `SqlSession`. Every value is bound, and
// bound through an explicit CAST, so neither engine has to guess a parameter's type.
import { ident, type Cell, type Column, type ColumnType, type TableDef } from './tables.js';

export type Row = Record<string, unknown>;

export interface SqlRunner {
  /** One statement with `?` binds. Rows keep the engine's column-name case (read them with `col`). */
  query(sql: string, binds?: readonly Cell[]): Promise<Row[]>;
}

/**
 * How the engine writes a row as one JSON text: a read that returns differently shaped rows in one statement (a
 * UNION ALL of parts) sends each row as one text column, which is also cheaper to convert than many typed columns.
 */
export interface JsonDialect {
  /** JSON text of an object of [key, SQL expression] pairs; a NULL value is kept (as JSON null, or left out). */
  object(pairs: readonly (readonly [key: string, expr: string])[]): string;
  /**
   * A timestamp as epoch milliseconds: the exact instant, whatever the session's time zone and however the engine
   * would render a timestamp inside JSON (the stores keep millisecond instants: a JS Date's precision).
   */
  epochMs(expr: string): string;
}

/** DuckDB: json_object keeps NULLs; epoch_ms of a TIMESTAMPTZ is the instant (duckdb.org/docs/sql/functions/timestamptz). */
export const DUCKDB_JSON: JsonDialect = {
  object: (pairs) => `json_object(${pairs.map(([k, e]) => `'${k}', ${e}`).join(', ')})`,
  epochMs: (e) => `epoch_ms(${e})`,
};

export interface SqlSession {
  /** The table's qualified name. */
  table(name: string): string;
  /** The engine's type names for the shared column types. */
  types: Record<ColumnType, string>;
  json: JsonDialect;
  /** A read, serialized with the store's other operations. */
  read<T>(fn: (q: SqlRunner) => Promise<T>): Promise<T>;
  /** A transaction, serialized with the store's other operations; rolled back when `fn` throws. */
  tx<T>(what: string, fn: (q: SqlRunner) => Promise<T>): Promise<T>;
  /**
   * One write statement, serialized, without BEGIN/COMMIT (a single statement is atomic on its own). A store whose
   * transactions cost nothing extra leaves it out, and `single` runs the statement in `tx`.
   */
  one?<T>(what: string, fn: (q: SqlRunner) => Promise<T>): Promise<T>;
}

/** `fn` sends exactly one write statement: through `s.one` where the store has it, else in a transaction. */
export function single<T>(s: SqlSession, what: string, fn: (q: SqlRunner) => Promise<T>): Promise<T> {
  return s.one ? s.one(what, fn) : s.tx(what, fn);
}

/** A bound parameter of a column type: `CAST(? AS <type>)`. */
export function param(s: SqlSession, type: ColumnType): string {
  return `CAST(? AS ${s.types[type]})`;
}

/** A column of a result row, whatever case the engine returned it in. */
export function col(row: Row, name: string): unknown {
  return name in row ? row[name] : row[name.toUpperCase()];
}

export const asDate = (v: unknown): Date | null => {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return new Date(v); // epoch milliseconds, from a JSON row (JsonDialect.epochMs)
  if (typeof (v as { getTime?: unknown }).getTime === 'function') return new Date((v as Date).getTime());
  return new Date(String(v));
};
export const asNum = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
export const asStr = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
export const asBool = (v: unknown): boolean | null => (v === null || v === undefined ? null : v === true || v === 1 || v === '1' || v === 'true' || v === 'TRUE');

/** Keys that a JSON row may carry: SQL names the stores choose themselves, never input. */
const JSON_KEY = /^[a-z_][a-z0-9_]*$/;

/**
 * The JSON text of a row of `alias`'s `columns` (timestamps as epoch milliseconds), keyed by column name: read it
 * back with JSON.parse and the same `col`/`asDate` as a typed row.
 */
export function jsonRow(s: SqlSession, alias: string, columns: readonly Column[]): string {
  return s.json.object(
    columns.map(([n, ty]) => {
      if (!JSON_KEY.test(n)) throw new Error(`not a JSON row key: ${n}`);
      return [n, ty === 'timestamp' ? s.json.epochMs(`${alias}.${n}`) : `${alias}.${n}`] as const;
    }),
  );
}

/**
 * What a DML statement's result says it did, in either engine: Snowflake answers a MERGE with "number of rows
 * inserted" and "number of rows updated" (docs.snowflake.com/en/sql-reference/sql/merge, "Output"), an INSERT,
 * UPDATE or DELETE with one such column; DuckDB answers with one `Count` of all rows touched (counted as updated).
 */
export function mergeCounts(row: Row | undefined): { inserted: number; updated: number; deleted: number } {
  const n = (k: string) => Number((row ?? {})[k] ?? 0);
  return { inserted: n('number of rows inserted'), updated: n('number of rows updated') + n('Count') + n('count'), deleted: n('number of rows deleted') };
}

/** Rows a DML statement touched (inserted, updated or deleted), in either engine. */
export function affected(rows: readonly Row[]): number {
  const c = mergeCounts(rows[0]);
  return c.inserted + c.updated + c.deleted;
}

/** At most this many rows per MERGE source: the statement stays a few hundred KB whatever the batch. */
const ROWS_PER_MERGE = 100;

/** The statements mergeRows sends for `rows` rows (before deduplication: an upper bound). */
export const mergeStatements = (rows: number): number => Math.ceil(rows / ROWS_PER_MERGE);

/**
 * Upserts rows (in `t.columns` order) by `t.key` with MERGE, in chunks; resolves the rows inserted or updated.
 * `update`: the columns a matched row takes from the source ('none': insert only, an existing key is left as it
 * is); `matchedWhen`: a condition on the matched row (`t.`) for the update. Rows are deduplicated by key first (the
 * last wins): Snowflake refuses a MERGE whose source holds one key twice.
 */
export async function mergeRows(s: SqlSession, q: SqlRunner, t: TableDef, rows: readonly Cell[][], update: readonly string[] | 'all' | 'none' = 'all', matchedWhen?: string): Promise<number> {
  const names = t.columns.map(([n]) => ident(n));
  const keyIdx = t.key.map((k) => names.indexOf(k));
  const byKey = new Map<string, Cell[]>();
  for (const r of rows) byKey.set(JSON.stringify(keyIdx.map((i) => r[i] ?? null)), r);
  const unique = [...byKey.values()];
  const select = `SELECT ${t.columns.map(([n, ty]) => `${param(s, ty)} AS ${n}`).join(', ')}`;
  const on = t.key.map((k) => `t.${k} = s.${k}`).join(' AND ');
  const sets = (update === 'all' ? names.filter((n) => !t.key.includes(n)) : update === 'none' ? [] : update).map((n) => `${ident(n)} = s.${ident(n)}`);
  const matched = sets.length ? ` WHEN MATCHED${matchedWhen ? ` AND ${matchedWhen}` : ''} THEN UPDATE SET ${sets.join(', ')}` : '';
  let touched = 0;
  for (let i = 0; i < unique.length; i += ROWS_PER_MERGE) {
    const part = unique.slice(i, i + ROWS_PER_MERGE);
    touched += affected(await q.query(
      `MERGE INTO ${s.table(t.name)} AS t USING (${part.map(() => select).join(' UNION ALL ')}) AS s ON ${on}${matched} WHEN NOT MATCHED THEN INSERT (${names.join(', ')}) VALUES (${names.map((n) => `s.${n}`).join(', ')})`,
      part.flat(),
    ));
  }
  return touched;
}

/**
 * A job glob (`*`, `?`, case-insensitive, as in the configuration) as an ILIKE pattern with `!` as the escape
 * character (a backslash means different things in the two engines' string literals).
 */
export function globToLike(glob: string): string {
  return [...glob].map((c) => (c === '*' ? '%' : c === '?' ? '_' : c === '%' || c === '_' || c === '!' ? `!${c}` : c)).join('');
}
