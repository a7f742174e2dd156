// The emulator's translation layer: Snowflake SQL and wire values to DuckDB and back (snowflake-protocol.md §5-§12).
import type { DuckDBConnection, DuckDBResultReader } from '@duckdb/node-api';

/** Snowflake SQL → DuckDB SQL, for the constructs pipeline-audit's statements use. */
export function translate(sql: string): string {
  return rewriteTasks(sql)
    .replace(/\bNUMBER\s*\(/gi, 'DECIMAL(')
    .replace(/\bNUMBER\b/gi, 'DECIMAL(38,0)')
    .replace(/\b(VARIANT|OBJECT|ARRAY)\b(?=\s*[,)]|\s+NOT\b|\s+NULL\b)/gi, 'VARCHAR')
    .replace(/\bTIMESTAMP_(TZ|LTZ)\b/gi, 'TIMESTAMPTZ')
    .replace(/\bTIMESTAMP_NTZ\b/gi, 'TIMESTAMP')
    .replace(/\bPARSE_JSON\s*\(/gi, '(')
    .replace(/\bTO_TIMESTAMP_(?:TZ|LTZ)\s*\(([^()]*)\)/gi, 'CAST($1 AS TIMESTAMPTZ)')
    .replace(/\bCURRENT_TIMESTAMP\s*\(\s*\)/gi, 'current_timestamp')
    // A row as JSON text: DuckDB's json_object keeps NULLs as OBJECT_CONSTRUCT_KEEP_NULL does, and to_json of it is
    // the text. A VARIANT is VARCHAR here, so it comes out as a JSON string where Snowflake nests it.
    .replace(/\bOBJECT_CONSTRUCT_KEEP_NULL\s*\(/gi, 'json_object(')
    .replace(/\bDATE_PART\s*\(\s*EPOCH_MILLISECOND\s*,/gi, 'epoch_ms(')
    .replace(/\bCREATE\s+(?:OR\s+REPLACE\s+)?TEMPORARY\s+TABLE\b/gi, (m) => m.replace(/TEMPORARY/i, 'TEMP'))
    .replace(/:(\d+)\b/g, '$$$1');
}

export type StatementKind = 'select' | 'insert' | 'update' | 'delete' | 'merge' | 'ddl';

export function statementType(sql: string): StatementKind {
  const w = /^\s*(\w+)/.exec(sql)?.[1]?.toUpperCase();
  if (w === 'SELECT' || w === 'WITH' || w === 'SHOW' || w === 'DESCRIBE') return 'select';
  if (w === 'INSERT') return 'insert';
  if (w === 'UPDATE') return 'update';
  if (w === 'DELETE') return 'delete';
  if (w === 'MERGE') return 'merge';
  return 'ddl';
}

type Binding = { type: string; value: unknown };

function fromWire(type: string, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  const s = String(v);
  if (type === 'FIXED') return /^-?\d+$/.test(s) ? (Number.isSafeInteger(Number(s)) ? Number(s) : BigInt(s)) : Number(s); // row-0 typing: may hold decimals
  if (type === 'REAL') return Number(s);
  if (type === 'BOOLEAN') return s === 'true' || s === '1';
  return s;
}

/** The request's `bindings` as rows of DuckDB parameters; array binding when values are arrays (§6). */
export function decodeBinds(bindings: Record<string, Binding> | undefined): { rows: unknown[][]; arrayBind: boolean } {
  if (!bindings) return { rows: [], arrayBind: false };
  const keys = Object.keys(bindings).sort((a, b) => Number(a) - Number(b));
  const first = bindings[keys[0]!];
  if (first && Array.isArray(first.value)) {
    const n = first.value.length;
    const rows: unknown[][] = [];
    for (let i = 0; i < n; i++) rows.push(keys.map((k) => fromWire(bindings[k]!.type, (bindings[k]!.value as unknown[])[i])));
    return { rows, arrayBind: true };
  }
  return { rows: [keys.map((k) => fromWire(bindings[k]!.type, bindings[k]!.value))], arrayBind: false };
}

/**
 * `INSERT … VALUES (?, …)` with many rows becomes multi-row VALUES in batches (executing it once per row is
 * seconds for 10,000 rows, §12). Returns null for any other statement.
 */
export function batchInsert(sql: string, rows: readonly unknown[][], batch = 500): { sql: string; params: unknown[] }[] | null {
  const m = /^(\s*INSERT\s+INTO\s+[\s\S]+?\s+VALUES\s*)\(([\s?,$\d]*)\)\s*;?\s*$/i.exec(sql);
  if (!m) return null;
  const width = (m[2]!.match(/\?|\$\d+/g) ?? []).length;
  if (width === 0 || rows.some((r) => r.length !== width)) return null;
  const out: { sql: string; params: unknown[] }[] = [];
  for (let i = 0; i < rows.length; i += batch) {
    const part = rows.slice(i, i + batch);
    let p = 0;
    const tuples = part.map(() => `(${Array.from({ length: width }, () => `$${++p}`).join(', ')})`).join(', ');
    out.push({ sql: `${m[1]}${tuples}`, params: part.flat() });
  }
  return out;
}

/** Snowflake refuses a MERGE whose source matches one target row twice (ERROR_ON_NONDETERMINISTIC_MERGE). */
export async function mergeDuplicateCheck(conn: DuckDBConnection, sql: string): Promise<boolean> {
  const m = /MERGE\s+INTO\s+\S+\s+(?:AS\s+)?(\w+)\s+USING\s+(\S+)\s+(?:AS\s+)?(\w+)\s+ON\s+([\s\S]+?)\s+WHEN\b/i.exec(sql);
  if (!m) return false;
  const [, , source, alias, on] = m as unknown as [string, string, string, string, string];
  const cols = [...on.matchAll(new RegExp(`\\b${alias}\\.(\\w+)`, 'gi'))].map((x) => x[1]!);
  if (cols.length === 0) return false;
  const r = await conn.runAndReadAll(`SELECT count(*) FROM (SELECT ${cols.join(', ')} FROM ${source} GROUP BY ${cols.join(', ')} HAVING count(*) > 1)`);
  return Number(r.getRowsJS()[0]?.[0] ?? 0) > 0;
}

const TYPE_IDS = { BOOLEAN: 1, TINYINT: 2, SMALLINT: 3, INTEGER: 4, BIGINT: 5, UTINYINT: 6, USMALLINT: 7, UINTEGER: 8, UBIGINT: 9, FLOAT: 10, DOUBLE: 11, TIMESTAMP: 12, DECIMAL: 19, HUGEINT: 16, TIMESTAMP_TZ: 31 };

function epoch(ms: number): string {
  const s = Math.floor(ms / 1000);
  return `${s}.${String(ms - s * 1000).padStart(3, '0')}000000`;
}

/** A DuckDB result as Snowflake's JSON rowset: every cell a string or null, column names upper-cased (§4-§5). */
export function encodeResult(kind: StatementKind, reader: DuckDBResultReader | undefined, affected: number, keepCase = false): Record<string, unknown> {
  if (kind === 'insert' || kind === 'update' || kind === 'delete' || kind === 'merge') {
    let inserted = 0;
    let updated = 0;
    let deleted = 0;
    if (reader && kind === 'merge') {
      for (const [action] of reader.getRowsJS()) {
        if (action === 'INSERT') inserted++;
        else if (action === 'UPDATE') updated++;
        else if (action === 'DELETE') deleted++;
      }
    } else {
      const n = reader ? Number(reader.getRowsJS()[0]?.[0] ?? 0) : affected;
      if (kind === 'insert') inserted = n;
      else if (kind === 'update') updated = n;
      else deleted = n;
    }
    const cols = kind === 'merge' ? [['number of rows inserted', inserted], ['number of rows updated', updated]] : kind === 'insert' ? [['number of rows inserted', inserted]] : kind === 'update' ? [['number of rows updated', updated]] : [['number of rows deleted', deleted]];
    const typeId = { insert: 0x3100, update: 0x3200, delete: 0x3300, merge: 0x3400 }[kind];
    return { rowtype: cols.map(([n]) => ({ name: n, type: 'fixed', scale: 0, precision: 19, nullable: false })), rowset: [cols.map(([, v]) => String(v))], total: 1, returned: 1, statementTypeId: typeId };
  }
  if (kind === 'ddl' || !reader) return { rowtype: [{ name: 'status', type: 'text' }], rowset: [['Statement executed successfully.']], total: 1, returned: 1, statementTypeId: 0x6000 };
  const names = reader.columnNames();
  const types = reader.columnTypes();
  const rowtype = names.map((n, i) => {
    const t = types[i]!;
    const name = !keepCase && /^[a-z_][a-z0-9_$]*$/.test(n) ? n.toUpperCase() : n;
    const id = t.typeId as number;
    if (id === TYPE_IDS.BOOLEAN) return { name, type: 'boolean', nullable: true };
    if (id === TYPE_IDS.DOUBLE || id === TYPE_IDS.FLOAT) return { name, type: 'real', nullable: true };
    if (id === TYPE_IDS.DECIMAL) return { name, type: 'fixed', precision: (t as unknown as { width: number }).width, scale: (t as unknown as { scale: number }).scale, nullable: true };
    if ([2, 3, 4, 5, 6, 7, 8, 9, 16].includes(id)) return { name, type: 'fixed', precision: 38, scale: 0, nullable: true };
    if (id === TYPE_IDS.TIMESTAMP_TZ) return { name, type: 'timestamp_ltz', scale: 9, nullable: true };
    if (id === TYPE_IDS.TIMESTAMP) return { name, type: 'timestamp_ntz', scale: 9, nullable: true };
    return { name, type: 'text', length: 16777216, byteLength: 16777216, nullable: true };
  });
  const rowset = reader.getRowsJS().map((row) =>
    row.map((v, i) => {
      if (v === null || v === undefined) return null;
      const ty = rowtype[i]!.type;
      if (ty === 'boolean') return v ? '1' : '0';
      if (v instanceof Date) return epoch(v.getTime());
      return String(v);
    }),
  );
  return { rowtype, rowset, total: rowset.length, returned: rowset.length, statementTypeId: 0x1000 };
}

/** DuckDB errors as Snowflake codes and SQL states (§9): always with a sqlState, or the driver re-executes. */
export function sqlError(e: unknown): { code: string; message: string; sqlState: string } {
  const msg = e instanceof Error ? e.message : String(e);
  if (/does not exist|not found/i.test(msg)) return { code: '002003', message: `SQL compilation error: ${msg}`, sqlState: '42S02' };
  if (/Parser Error|syntax error/i.test(msg)) return { code: '001003', message: `SQL compilation error: ${msg}`, sqlState: '42000' };
  if (/Binder Error|Referenced column/i.test(msg)) return { code: '000904', message: `SQL compilation error: ${msg}`, sqlState: '42000' };
  if (/Conversion Error|Could not convert|Invalid Input/i.test(msg)) return { code: '100038', message: msg, sqlState: '22018' };
  if (/NOT NULL constraint/i.test(msg)) return { code: '100072', message: msg, sqlState: '22000' };
  return { code: '002000', message: `SQL compilation error: ${msg}`, sqlState: '42000' };
}

/** Splits `a => x, b => f(y, z)` at top-level commas. */
function splitArgs(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur);
  return out;
}

/** An identifier as Snowflake resolves it: unquoted upper-cased, quoted exact with `""` for a quote. */
function resolveIdentifier(text: string): string {
  return text.startsWith('"') ? text.slice(1, -1).replaceAll('""', '"') : text.toUpperCase();
}
const IDENT = String.raw`(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)`;
const literal = (v: string) => `'${v.replaceAll("'", "''")}'`;

/**
 * `TABLE(<db>.INFORMATION_SCHEMA.TASK_HISTORY(name => value, …))` over the seeded history, with the function's
 * semantics: it returns the task history of the whole account, whichever database's INFORMATION_SCHEMA it is called
 * through (docs: functions/task_history, "for your entire Snowflake account"); RESULT_LIMIT (default 100, at most
 * 10,000) keeps the most recent SCHEDULED_TIME rows, before any outer WHERE; rows come newest first.
 * `SHOW TASKS [IN ACCOUNT | IN DATABASE <db> | IN SCHEMA <db>.<schema>]` reads the seeded tasks (lower-case
 * columns, as Snowflake's SHOW output has), names resolved as Snowflake resolves identifiers.
 */
export function rewriteTasks(sql: string): string {
  const show = new RegExp(String.raw`^\s*SHOW\s+TASKS(?:\s+IN\s+(?:(ACCOUNT)|DATABASE\s+(${IDENT})|SCHEMA\s+(${IDENT})\s*\.\s*(${IDENT})))?\s*;?\s*$`, 'i').exec(sql);
  if (show) {
    const [, , db, sdb, schema] = show;
    const where = db ? `database_name = ${literal(resolveIdentifier(db))}` : sdb && schema ? `database_name = ${literal(resolveIdentifier(sdb))} AND schema_name = ${literal(resolveIdentifier(schema))}` : null;
    return `SELECT * FROM main.sf_tasks${where ? ` WHERE ${where}` : ''} ORDER BY database_name, schema_name, name`;
  }
  const head = new RegExp(String.raw`TABLE\s*\(\s*${IDENT}\s*\.\s*INFORMATION_SCHEMA\s*\.\s*TASK_HISTORY\s*\(`, 'i').exec(sql);
  if (!head) return sql;
  let i = head.index + head[0].length;
  let depth = 1;
  const start = i;
  for (; i < sql.length && depth > 0; i++) {
    if (sql[i] === '(') depth++;
    if (sql[i] === ')') depth--;
  }
  const args = sql.slice(start, i - 1);
  let j = i;
  while (j < sql.length && sql[j] !== ')') j++; // the TABLE( … ) closing parenthesis
  const where = ['TRUE'];
  let limit = '100';
  for (const a of splitArgs(args)) {
    const m = /^\s*(\w+)\s*=>\s*([\s\S]+?)\s*$/.exec(a);
    if (!m) continue;
    const [, name, value] = m as unknown as [string, string, string];
    switch (name.toUpperCase()) {
      case 'SCHEDULED_TIME_RANGE_START':
        where.push(`scheduled_time >= ${value}`);
        break;
      case 'SCHEDULED_TIME_RANGE_END':
        where.push(`scheduled_time <= ${value}`);
        break;
      case 'RESULT_LIMIT':
        limit = `least(10000, ${value})`;
        break;
      case 'TASK_NAME':
        where.push(`upper(name) = upper(${value})`);
        break;
      case 'ERROR_ONLY':
        where.push(`(NOT ${value} OR state IN ('FAILED', 'FAILED_AND_AUTO_SUSPENDED', 'CANCELLED'))`);
        break;
    }
  }
  return `${sql.slice(0, head.index)}(SELECT * FROM main.sf_task_history WHERE ${where.join(' AND ')} ORDER BY scheduled_time DESC LIMIT ${limit})${sql.slice(j + 1)}`;
}
