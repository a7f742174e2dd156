// The emulator's session rules, where Snowflake is stricter than DuckDB: a session's current database and schema
// (login parameters, the user's DEFAULT_NAMESPACE, USE), temporary tables that live in a database and schema,
// DDL that commits an open transaction, and array binds above the login threshold that the driver would upload to a
// stage the emulator does not have.

/** Snowflake's answer to a statement the session cannot run, in the emulator's error shape. */
export class SessionRuleError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly sqlState: string,
  ) {
    super(message);
  }
}

export interface Namespace {
  /** The current database and schema, upper-case; null when the session has none. */
  database: string | null;
  schema: string | null;
  /** Qualified names (DB.SCHEMA.NAME) of the temporary tables this session created with a qualified name. */
  temps: Set<string>;
}

const IDENT = String.raw`"?([A-Za-z_][A-Za-z0-9_$]*)"?`;
const unquote = (n: string) => n.replace(/^"|"$/g, '').toUpperCase();

/**
 * The namespace a login starts in: the connection's `databaseName`/`schemaName` login parameters, else the user's
 * DEFAULT_NAMESPACE ('DB' or 'DB.SCHEMA'). A database that does not exist leaves the session without one (the
 * login itself succeeds, as on Snowflake).
 */
export function loginNamespace(params: URLSearchParams, defaultNamespace: string | undefined, exists: (db: string) => boolean): Namespace {
  const [defDb, defSchema] = (defaultNamespace ?? '').split('.');
  const db = (params.get('databaseName') || defDb || '').toUpperCase() || null;
  const schema = (params.get('schemaName') || (params.get('databaseName') ? '' : defSchema) || '').toUpperCase() || null;
  return db && exists(db) ? { database: db, schema: schema ?? 'PUBLIC', temps: new Set() } : { database: null, schema: null, temps: new Set() };
}

/** `USE [DATABASE] db`, `USE SCHEMA [db.]schema`, `USE db.schema`: the new namespace, or null when the statement is no such USE. */
export function useStatement(sql: string, ns: Namespace): { database: string; schema: string } | null {
  const m = /^\s*USE\s+(DATABASE\s+|SCHEMA\s+)?([^\s;]+)\s*;?\s*$/i.exec(sql);
  if (!m) return null;
  const kind = m[1]?.trim().toUpperCase();
  const parts = m[2]!.split('.').map(unquote);
  if (parts.length === 2 && kind !== 'DATABASE') return { database: parts[0]!, schema: parts[1]! };
  if (parts.length !== 1) return null;
  if (kind !== 'SCHEMA') return { database: parts[0]!, schema: 'PUBLIC' };
  if (!ns.database) throw noCurrentDatabase('USE SCHEMA');
  return { database: ns.database, schema: parts[0]! };
}

/** Snowflake's 090105, verbatim but for the operation (seen in the wild as e.g. "Cannot perform CREATE TEMPTABLE."). */
export function noCurrentDatabase(operation: string): SessionRuleError {
  return new SessionRuleError('090105', `Cannot perform ${operation}. This session does not have a current database. Call 'USE DATABASE', or use a qualified name.`, '22000');
}

const TEMP_CREATE = new RegExp(String.raw`^\s*CREATE\s+(?:OR\s+REPLACE\s+)?TEMP(?:ORARY)?\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(?:${IDENT}\s*\.\s*)?(?:${IDENT}\s*\.\s*)?${IDENT}`, 'i');

/**
 * Temporary tables on Snowflake live in a database and schema; DuckDB keeps them in its own `temp` catalog. A
 * fully qualified temporary table becomes `temp.main."DB.SCHEMA.NAME"` and every later mention of DB.SCHEMA.NAME in
 * the session is rewritten to it; one that is not fully qualified needs a current database (090105 otherwise).
 */
export function qualifyTemps(sql: string, ns: Namespace): string {
  const create = TEMP_CREATE.exec(sql);
  if (create) {
    const parts = [create[1], create[2], create[3]].filter((x): x is string => x !== undefined).map((x) => x.toUpperCase());
    if (parts.length === 3) ns.temps.add(parts.join('.'));
    else if (!ns.database) throw noCurrentDatabase('CREATE TEMPTABLE');
  }
  let out = sql;
  for (const q of ns.temps) {
    const [d, s, n] = q.replaceAll('$', '\\$').split('.') as [string, string, string];
    const re = new RegExp(String.raw`(?<![\w$."])"?${d}"?\s*\.\s*"?${s}"?\s*\.\s*"?${n}"?(?![\w$])`, 'gi');
    out = out.replace(re, `temp.main."${q}"`);
  }
  return out;
}

/** Statements Snowflake runs as their own transaction, committing an open one first (ALTER SESSION is no DDL). */
export function isDdl(sql: string): boolean {
  return /^\s*(CREATE|DROP|UNDROP|COMMENT|GRANT|REVOKE)\b/i.test(sql) || /^\s*ALTER\s+(?!SESSION\b)/i.test(sql);
}

/** The driver's stage path for array binds (snowflake-protocol.md §7): CREATE TEMPORARY STAGE SYSTEM$BIND, then PUT. */
export function isStageBind(sql: string): boolean {
  return /^\s*CREATE\s+(?:OR\s+REPLACE\s+)?TEMPORARY\s+STAGE\b/i.test(sql) || /^\s*PUT\s+file:/i.test(sql) || /SYSTEM\$BIND/i.test(sql);
}
