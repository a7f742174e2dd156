// Which databases and schemas are monitored, written as Snowflake identifiers and resolved the way Snowflake
// resolves them (docs: sql-reference/identifiers-syntax): an unquoted name is stored upper-case and matches
// case-insensitively (`etl` is `ETL`); a double-quoted name is taken exactly as written (`"MixedCase"`, `""` for
// a quote inside). Names reach SQL text only through `quoteIdentifier`, and as bound values everywhere else.
import { z } from 'zod';

/** A monitored database by its resolved name; `schemas` null means every schema in it. */
export interface MonitoredDatabase {
  name: string;
  schemas: string[] | null;
}

const UNQUOTED = /^[A-Za-z_][A-Za-z0-9_$]*/;
const QUOTED = /^"((?:[^"]|"")*)"/;
const MAX_LENGTH = 255;

/**
 * Reads dot-separated identifiers (`ETL`, `ETL.PUBLIC`, `"My DB"."Core"`), resolved; a string says what is wrong.
 */
export function parseIdentifierPath(text: string): string[] | string {
  const parts: string[] = [];
  let rest = text.trim();
  for (;;) {
    const q = QUOTED.exec(rest);
    const u = q ? null : UNQUOTED.exec(rest);
    if (q) {
      const name = q[1]!.replaceAll('""', '"');
      if (name.length === 0) return `${JSON.stringify(text)}: a quoted identifier cannot be empty`;
      // eslint-disable-next-line no-control-regex
      if (/[\u0000-\u001f\u007f]/.test(name)) return `${JSON.stringify(text)}: control characters are not allowed in a name`;
      parts.push(name);
      rest = rest.slice(q[0].length);
    } else if (u) {
      parts.push(u[0].toUpperCase());
      rest = rest.slice(u[0].length);
    } else {
      return `${JSON.stringify(text)} is not a Snowflake identifier: letters, digits, _ and $ (not first), or the exact name in double quotes`;
    }
    if (parts.at(-1)!.length > MAX_LENGTH) return `${JSON.stringify(text)}: an identifier has at most ${MAX_LENGTH} characters`;
    rest = rest.trimStart();
    if (rest === '') return parts;
    if (rest[0] !== '.') return `${JSON.stringify(text)} is not a Snowflake identifier: write a name with spaces or other characters in double quotes`;
    rest = rest.slice(1).trimStart();
  }
}

/** Splits a comma list, leaving commas inside double-quoted identifiers alone. */
export function splitIdentifierList(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    if (ch === ',' && !quoted) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map((s) => s.trim()).filter(Boolean);
}

/** A resolved name as a quoted identifier, safe in SQL text: it names exactly that object. */
export const quoteIdentifier = (resolved: string) => `"${resolved.replaceAll('"', '""')}"`;

/** A resolved name as it would be written: bare when Snowflake would resolve the bare form to it. */
export const displayIdentifier = (resolved: string) => (/^[A-Z_][A-Z0-9_$]*$/.test(resolved) ? resolved : quoteIdentifier(resolved));

const entrySchema = z.union([z.string(), z.object({ name: z.string(), schemas: z.array(z.string()).min(1).optional() }).strict()]);
export type DatabaseEntry = z.input<typeof entrySchema>;

/**
 * The configured list (`ETL`, `ETL.PUBLIC`, `{ name: 'MARTS', schemas: ['CORE'] }`), resolved and merged by
 * database: naming a database on its own monitors all of its schemas, whatever else names it with a schema.
 */
export const monitoredDatabasesSchema = z
  .array(entrySchema)
  .min(1, 'name at least one database whose tasks are monitored')
  .transform((entries, ctx): MonitoredDatabase[] => {
    const found = new Map<string, Set<string> | null>();
    const add = (db: string, schema: string | null) => {
      const had = found.get(db);
      if (schema === null || had === null) found.set(db, null);
      else found.set(db, (had ?? new Set<string>()).add(schema));
    };
    entries.forEach((e, i) => {
      const issue = (message: string) => ctx.addIssue({ code: 'custom', message, path: [i] });
      if (typeof e === 'string') {
        const path = parseIdentifierPath(e);
        if (typeof path === 'string') return issue(path);
        if (path.length > 2) return issue(`${JSON.stringify(e)}: name a database or database.schema`);
        return add(path[0]!, path[1] ?? null);
      }
      const db = parseIdentifierPath(e.name);
      if (typeof db === 'string') return issue(db);
      if (db.length !== 1) return issue(`${JSON.stringify(e.name)}: name one database; list its schemas in "schemas"`);
      if (!e.schemas) return add(db[0]!, null);
      for (const s of e.schemas) {
        const schema = parseIdentifierPath(s);
        if (typeof schema === 'string') issue(schema);
        else if (schema.length !== 1) issue(`${JSON.stringify(s)}: a schema of ${e.name} is one identifier`);
        else add(db[0]!, schema[0]!);
      }
    });
    return [...found].map(([name, schemas]) => ({ name, schemas: schemas ? [...schemas] : null }));
  });

/** `ETL (every schema), MARTS (schemas CORE, "Mixed")`, for `config check` and `doctor`. */
export function describeMonitoredDatabases(dbs: readonly MonitoredDatabase[]): string {
  return dbs
    .map((d) => `${displayIdentifier(d.name)} (${d.schemas ? `schema${d.schemas.length > 1 ? 's' : ''} ${d.schemas.map(displayIdentifier).join(', ')}` : 'every schema'})`)
    .join(', ');
}

/** Whether a task in this database and schema is monitored (exact comparison of resolved names). */
export function isMonitored(dbs: readonly MonitoredDatabase[], database: string | null | undefined, schema: string | null | undefined): boolean {
  const d = dbs.find((x) => x.name === database);
  return !!d && (d.schemas === null || (schema != null && d.schemas.includes(schema)));
}

/** The same test as a SQL condition over DATABASE_NAME and SCHEMA_NAME, every name a bound value. */
export function monitoredCondition(dbs: readonly MonitoredDatabase[]): { sql: string; binds: string[] } {
  const whole = dbs.filter((d) => d.schemas === null).map((d) => d.name);
  const parts: string[] = [];
  const binds: string[] = [];
  if (whole.length) {
    parts.push(`DATABASE_NAME IN (${whole.map(() => '?').join(', ')})`);
    binds.push(...whole);
  }
  for (const d of dbs) {
    if (d.schemas === null) continue;
    parts.push(`(DATABASE_NAME = ? AND SCHEMA_NAME IN (${d.schemas.map(() => '?').join(', ')}))`);
    binds.push(d.name, ...d.schemas);
  }
  return { sql: parts.join(' OR '), binds };
}
