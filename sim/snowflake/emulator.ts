// A local Snowflake for tests and the demo: an HTTP server on 127.0.0.1 that speaks the client protocol of
// snowflake-sdk 3.x (shared/docs/snowflake-protocol.md) and runs the SQL in DuckDB. Where Snowflake is stricter than
// DuckDB it is strict too (a MERGE whose source holds one key twice fails). Every statement is recorded, and faults
// can be injected: a refused login, a failing statement, a dropped connection, a statement held without an answer
// (until the client cancels it), an expired session.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { batchInsert, decodeBinds, encodeResult, mergeDuplicateCheck, sqlError, statementType, translate } from './emulator-sql.js';
import { isDdl, isStageBind, loginNamespace, qualifyTemps, SessionRuleError, useStatement, type Namespace } from './emulator-session.js';

export interface EmulatorOptions {
  account?: string;
  /** username -> password; default any. */
  users?: Record<string, string>;
  /**
   * username -> DEFAULT_NAMESPACE ('DB' or 'DB.SCHEMA'). A user without one, whose connection names no database,
   * has no current database: unqualified temporary tables are refused with 090105, as on Snowflake.
   */
  defaultNamespaces?: Record<string, string>;
  /**
   * CLIENT_STAGE_ARRAY_BINDING_THRESHOLD sent at login (default 1e9: everything inline). The driver uploads array
   * binds above it to a stage unless the connection sets arrayBindingThreshold; the emulator has no stage and
   * refuses that path (recorded in `statements`), after which the driver falls back to inline binds.
   */
  arrayBindingThreshold?: number;
}

export interface ExecutedStatement {
  sqlText: string;
  requestId: string;
  sessionId: string;
  ok: boolean;
  rows: number;
  queryTag: string | null;
  bindRows: number;
  at: Date;
}

interface Session {
  id: string;
  token: string;
  master: string;
  conn: DuckDBConnection;
  queryTag: string | null;
  /** Inside an explicit BEGIN … COMMIT of the client's. */
  inTx: boolean;
  ns: Namespace;
}

export interface TaskSeed {
  id: string;
  name: string;
  database_name: string;
  schema_name: string;
  owner: string;
  warehouse: string | null;
  schedule: string | null;
  state: 'started' | 'suspended';
  definition: string;
  condition: string | null;
  predecessors: string;
}

export interface TaskHistorySeed {
  query_id: string | null;
  name: string;
  database_name: string;
  schema_name: string;
  query_text: string;
  condition_text: string | null;
  state: string;
  error_code: number | null;
  error_message: string | null;
  scheduled_time: Date;
  query_start_time: Date | null;
  completed_time: Date | null;
  root_task_id: string;
  graph_version: number;
  run_id: number;
  scheduled_from: string;
  attempt_number: number;
  graph_run_group_id: string;
}

const TASK_COLUMNS = 'id VARCHAR, name VARCHAR, database_name VARCHAR, schema_name VARCHAR, owner VARCHAR, warehouse VARCHAR, schedule VARCHAR, state VARCHAR, definition VARCHAR, condition VARCHAR, predecessors VARCHAR, created_on TIMESTAMPTZ DEFAULT current_timestamp';
const HISTORY_COLUMNS =
  'query_id VARCHAR, name VARCHAR, database_name VARCHAR, schema_name VARCHAR, query_text VARCHAR, condition_text VARCHAR, state VARCHAR, error_code BIGINT, error_message VARCHAR, scheduled_time TIMESTAMPTZ, query_start_time TIMESTAMPTZ, completed_time TIMESTAMPTZ, root_task_id VARCHAR, graph_version BIGINT, run_id BIGINT, scheduled_from VARCHAR, attempt_number BIGINT, graph_run_group_id VARCHAR';

type Match = string | RegExp;
const matches = (m: Match, sql: string) => (typeof m === 'string' ? sql.includes(m) : m.test(sql));

export interface SnowflakeEmulator {
  accessUrl: string;
  account: string;
  statements: ExecutedStatement[];
  /** Alerts created (by name, upper case), with their SQL and whether they were resumed. */
  alerts: Map<string, { sql: string; resumed: boolean }>;
  logins: number;
  faults: {
    refuseLogin(times?: number): void;
    failStatement(match: Match, opts?: { code?: string; message?: string; sqlState?: string; times?: number }): void;
    dropConnection(match: Match, times?: number): void;
    /**
     * The statement gets no answer (a warehouse or network that hangs): the request stays open until the client
     * cancels it (POST /queries/v1/abort-request with its requestId, answered as Snowflake does with 000604 "SQL
     * execution canceled") or the emulator closes. `times` defaults to 1; Infinity holds every match.
     */
    holdStatement(match: Match, times?: number): void;
    expireSession(times?: number): void;
  };
  /** Tasks (SHOW TASKS) and their history (INFORMATION_SCHEMA.TASK_HISTORY), appended. */
  seedTasks(tasks: readonly TaskSeed[], history: readonly TaskHistorySeed[]): Promise<void>;
  /** Requests refused with 390104 because their session is gone (closed): a driver still retrying after close. */
  readonly staleSessionRequests: number;
  /** Statements held by `faults.holdStatement` and not answered yet. */
  readonly held: number;
  /** Runs SQL directly on the backing DuckDB (test inspection). */
  sql(text: string): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

const PARAMETERS = [
  { name: 'TIMEZONE', value: 'UTC' },
  { name: 'TIMESTAMP_OUTPUT_FORMAT', value: 'YYYY-MM-DD HH24:MI:SS.FF3 TZHTZM' },
  { name: 'TIMESTAMP_NTZ_OUTPUT_FORMAT', value: 'YYYY-MM-DD HH24:MI:SS.FF3' },
  { name: 'TIMESTAMP_LTZ_OUTPUT_FORMAT', value: '' },
  { name: 'TIMESTAMP_TZ_OUTPUT_FORMAT', value: '' },
  { name: 'DATE_OUTPUT_FORMAT', value: 'YYYY-MM-DD' },
  { name: 'TIME_OUTPUT_FORMAT', value: 'HH24:MI:SS' },
  { name: 'BINARY_OUTPUT_FORMAT', value: 'HEX' },
];

export async function startSnowflakeEmulator(opts: EmulatorOptions = {}): Promise<SnowflakeEmulator> {
  const duck = await import('@duckdb/node-api');
  const instance: DuckDBInstance = await duck.DuckDBInstance.create(':memory:');
  const admin = await instance.connect();
  await admin.run("SET TimeZone = 'UTC'");
  await admin.run(`CREATE TABLE IF NOT EXISTS main.sf_tasks (${TASK_COLUMNS})`);
  await admin.run(`CREATE TABLE IF NOT EXISTS main.sf_task_history (${HISTORY_COLUMNS})`);
  const sessions = new Map<string, Session>();
  const byMaster = new Map<string, Session>();
  const statements: ExecutedStatement[] = [];
  const state = { refuseLogin: 0, expire: 0, fail: [] as { m: Match; code: string; message: string; sqlState: string; left: number }[], drop: [] as { m: Match; left: number }[], hold: [] as { m: Match; left: number }[] };
  const held = new Map<string, { res: ServerResponse; cancel: () => void }>();
  let logins = 0;
  let staleSessionRequests = 0;
  const attached = new Set<string>();

  const json = (res: ServerResponse, body: unknown) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const fail = (res: ServerResponse, code: string, message: string, sqlState: string) =>
    json(res, { success: false, code, message, data: { errorCode: code, sqlState, queryId: randomUUID(), age: 0 }, headers: null });

  async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    let buf = Buffer.concat(chunks);
    if (buf[0] === 0x1f && buf[1] === 0x8b) buf = gunzipSync(buf); // the driver's gzip loses a race; sniff, never trust headers
    return buf.length ? (JSON.parse(buf.toString('utf8')) as Record<string, unknown>) : {};
  }

  async function login(res: ServerResponse, body: Record<string, unknown>, params: URLSearchParams) {
    const data = (body.data ?? {}) as Record<string, unknown>;
    const user = String(data.LOGIN_NAME ?? '');
    const ok = state.refuseLogin > 0 ? false : !opts.users || (data.AUTHENTICATOR === 'SNOWFLAKE_JWT' ? user in opts.users : opts.users[user] === data.PASSWORD);
    if (state.refuseLogin > 0) state.refuseLogin--;
    if (!ok) return json(res, { success: false, code: '390100', message: 'Incorrect username or password was specified.', data: null });
    logins++;
    const ns = loginNamespace(params, opts.defaultNamespaces?.[user], (db) => attached.has(db));
    const s: Session = { id: String(Date.now() * 1000 + logins), token: `st-${randomUUID()}`, master: `mt-${randomUUID()}`, conn: await instance.connect(), queryTag: null, inTx: false, ns };
    await s.conn.run("SET TimeZone = 'UTC'");
    if (ns.database) await s.conn.run(`USE "${ns.database}"."${ns.schema}"`).catch(() => undefined); // a schema not created yet: DuckDB's default stays
    sessions.set(s.token, s);
    byMaster.set(s.master, s);
    json(res, {
      success: true,
      code: null,
      message: null,
      data: {
        token: s.token,
        masterToken: s.master,
        validityInSeconds: 3600,
        masterValidityInSeconds: 14400,
        sessionId: Number(s.id),
        parameters: [...PARAMETERS, { name: 'CLIENT_STAGE_ARRAY_BINDING_THRESHOLD', value: opts.arrayBindingThreshold ?? 1_000_000_000 }],
      },
    });
  }

  async function ensureDatabases(sql: string) {
    // Snowflake databases become attached in-memory DuckDB catalogs, created on first mention in DDL.
    for (const m of sql.matchAll(/\b(?:CREATE\s+(?:SCHEMA|DATABASE)\s+(?:IF\s+NOT\s+EXISTS\s+)?)("?)([A-Za-z_][A-Za-z0-9_$]*)\1/gi)) {
      const db = m[2]!.toUpperCase();
      if (attached.has(db)) continue;
      await admin.run(`ATTACH IF NOT EXISTS ':memory:' AS "${db}"`);
      attached.add(db);
    }
  }

  const alerts = new Map<string, { sql: string; resumed: boolean }>();

  async function query(req: IncomingMessage, res: ServerResponse, s: Session, body: Record<string, unknown>, requestId: string) {
    const sqlText = String(body.sqlText ?? '');
    const params = (body.parameters ?? {}) as Record<string, unknown>;
    const record = (ok: boolean, rows: number, bindRows: number) =>
      statements.push({ sqlText, requestId, sessionId: s.id, ok, rows, queryTag: typeof params.QUERY_TAG === 'string' ? params.QUERY_TAG : s.queryTag, bindRows, at: new Date() });
    const drop = state.drop.find((d) => d.left > 0 && matches(d.m, sqlText));
    if (drop) {
      drop.left--;
      req.socket.destroy();
      return;
    }
    const hold = state.hold.find((h) => h.left > 0 && matches(h.m, sqlText));
    if (hold) {
      hold.left--;
      held.set(requestId, {
        res,
        cancel: () => {
          record(false, 0, 0);
          fail(res, '000604', 'SQL execution canceled', '57014');
        },
      });
      res.on('close', () => held.delete(requestId));
      return;
    }
    const injected = state.fail.find((f) => f.left > 0 && matches(f.m, sqlText));
    if (injected) {
      injected.left--;
      record(false, 0, 0);
      return fail(res, injected.code, injected.message, injected.sqlState);
    }
    // One ALTER SESSION SET may set several parameters, separated by blanks, commas or new lines
    // (docs.snowflake.com/en/sql-reference/sql/alter-session, "SET ...").
    const tag = /^\s*ALTER\s+SESSION\s+SET\s+(?:[\s\S]*?[\s,])?QUERY_TAG\s*=\s*'((?:[^']|'')*)'/i.exec(sqlText);
    if (tag) s.queryTag = tag[1]!.replaceAll("''", "'");
    const refused = (e: SessionRuleError) => {
      record(false, 0, 0);
      fail(res, e.code, e.message, e.sqlState);
    };
    const executed = () => {
      record(true, 0, 0);
      json(res, { success: true, data: { parameters: PARAMETERS, rowtype: [{ name: 'status', type: 'text' }], rowset: [['Statement executed successfully.']], total: 1, returned: 1, queryId: randomUUID(), statementTypeId: 0x4000, version: 1 } });
    };
    if (isStageBind(sqlText)) return refused(new SessionRuleError('000002', 'Unsupported feature: the emulator has no stage for array binds (CREATE STAGE SYSTEM$BIND / PUT); keep array binds under the arrayBindingThreshold', '0A000'));
    try {
      const use = useStatement(sqlText, s.ns);
      if (use) {
        await s.conn.run(`USE "${use.database}"."${use.schema}"`).catch((e: unknown) => {
          throw new SessionRuleError('002043', `SQL compilation error: Object does not exist, or operation cannot be performed. (${String(e).split('\n')[0]})`, '02000');
        });
        s.ns.database = use.database;
        s.ns.schema = use.schema;
        return executed();
      }
    } catch (e) {
      if (e instanceof SessionRuleError) return refused(e);
      throw e;
    }
    // Alerts (CREATE ALERT, ALTER ALERT … RESUME: docs.snowflake.com/en/sql-reference/sql/create-alert) are recorded,
    // not evaluated: the emulator has no scheduler. Resuming one that was never created fails as Snowflake does.
    const createAlert = /^\s*CREATE\s+(?:OR\s+REPLACE\s+)?ALERT\s+([A-Za-z0-9_$."]+)/i.exec(sqlText);
    if (createAlert) {
      alerts.set(createAlert[1]!.toUpperCase(), { sql: sqlText, resumed: false });
      return executed();
    }
    const alterAlert = /^\s*ALTER\s+ALERT\s+([A-Za-z0-9_$."]+)\s+(RESUME|SUSPEND)\b/i.exec(sqlText);
    if (alterAlert) {
      const known = alerts.get(alterAlert[1]!.toUpperCase());
      if (!known) return refused(new SessionRuleError('002003', `SQL compilation error: Alert '${alterAlert[1]}' does not exist or not authorized.`, '02000'));
      known.resumed = alterAlert[2]!.toUpperCase() === 'RESUME';
      return executed();
    }
    if (/^\s*(ALTER\s+SESSION|USE\s)/i.test(sqlText)) return executed();
    // Transaction statements as Snowflake takes them: BEGIN inside a transaction, or COMMIT/ROLLBACK outside one, do nothing.
    if ((/^\s*(BEGIN|START\s+TRANSACTION)\b/i.test(sqlText) && s.inTx) || (/^\s*(COMMIT|ROLLBACK)\b/i.test(sqlText) && !s.inTx)) return executed();
    const { rows: bindRows, arrayBind } = decodeBinds(body.bindings as Record<string, { type: string; value: unknown }> | undefined);
    try {
      // A DDL statement commits the open transaction and runs as its own (docs.snowflake.com/en/sql-reference/transactions).
      if (s.inTx && isDdl(sqlText)) {
        await s.conn.run('COMMIT');
        s.inTx = false;
      }
      await ensureDatabases(sqlText);
      // INSERT OVERWRITE empties the target as part of the statement, inside the open transaction (it is DML, not
      // DDL: docs.snowflake.com/en/sql-reference/sql/insert, "OVERWRITE"): a DELETE first, in the same transaction.
      const overwrite = /^\s*INSERT\s+OVERWRITE\s+INTO\b/i.test(sqlText);
      const sql = translate(qualifyTemps(overwrite ? sqlText.replace(/^(\s*INSERT\s+)OVERWRITE\s+/i, '$1') : sqlText, s.ns));
      const type = statementType(sql);
      if (type === 'merge') {
        const dup = await mergeDuplicateCheck(s.conn, sql);
        if (dup) {
          record(false, 0, bindRows.length);
          return fail(res, '100090', 'Duplicate row detected during DML action', '42P18');
        }
      }
      let reader;
      let affected = 0;
      if ((arrayBind && bindRows.length > 0) || overwrite) {
        // Inside a transaction: the whole array-bind succeeds or fails, as on Snowflake (the client's own, if open).
        const own = !s.inTx;
        if (own) await s.conn.run('BEGIN TRANSACTION');
        try {
          if (overwrite) await s.conn.run(`DELETE FROM ${/^\s*INSERT\s+INTO\s+(\S+)/i.exec(sql)?.[1] ?? ''}`);
          const batches = arrayBind ? batchInsert(sql, bindRows) : null;
          if (batches) for (const b of batches) affected += Number((await s.conn.runAndReadAll(b.sql, b.params as never)).getRowsJS()[0]?.[0] ?? 0);
          else for (const row of arrayBind ? bindRows : [bindRows[0] ?? []]) affected += Number((await s.conn.runAndReadAll(sql, row as never)).getRowsJS()[0]?.[0] ?? 0);
          if (own) await s.conn.run('COMMIT');
        } catch (e) {
          if (own) await s.conn.run('ROLLBACK').catch(() => undefined);
          throw e;
        }
      } else {
        reader = await s.conn.runAndReadAll(type === 'merge' ? `${sql} RETURNING merge_action` : sql, (bindRows[0] ?? []) as never);
      }
      if (/^\s*(BEGIN|START\s+TRANSACTION)\b/i.test(sqlText)) s.inTx = true;
      else if (/^\s*(COMMIT|ROLLBACK)\b/i.test(sqlText)) s.inTx = false;
      const result = encodeResult(type, reader, affected, /^\s*SHOW\b/i.test(sqlText));
      record(true, Number(result.returned), bindRows.length);
      json(res, { success: true, code: null, message: null, data: { parameters: PARAMETERS, ...result, queryId: randomUUID(), version: 1 } });
    } catch (e) {
      record(false, 0, bindRows.length);
      if (/^\s*(COMMIT|ROLLBACK)\b/i.test(sqlText)) s.inTx = false;
      if (e instanceof SessionRuleError) return fail(res, e.code, e.message, e.sqlState);
      const mapped = sqlError(e);
      fail(res, mapped.code, mapped.message, mapped.sqlState);
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const u = new URL(req.url ?? '/', 'http://x');
    const body = await readBody(req);
    const token = /^Snowflake Token="(.*)"$/.exec(req.headers.authorization ?? '')?.[1];
    if (u.pathname === '/session/v1/login-request') return login(res, body, u.searchParams);
    if (u.pathname === '/telemetry/send') return json(res, { success: true, data: null });
    if (u.pathname === '/session/token-request') {
      const s = token ? byMaster.get(token) : undefined;
      if (!s) return json(res, { success: false, code: '390114', message: 'Authentication token has expired.', data: null });
      sessions.delete(s.token);
      s.token = `st-${randomUUID()}`;
      sessions.set(s.token, s);
      return json(res, { success: true, data: { sessionToken: s.token, validityInSecondsST: 3600, masterToken: s.master, validityInSecondsMT: 14400, sessionId: Number(s.id) } });
    }
    const s = token ? sessions.get(token) : undefined;
    if (u.pathname === '/session' && u.searchParams.get('delete') === 'true') {
      if (s) {
        sessions.delete(s.token);
        byMaster.delete(s.master);
        s.conn.closeSync();
      }
      return json(res, { success: true, data: null });
    }
    if (!s) {
      staleSessionRequests++;
      return json(res, { success: false, code: '390104', message: 'Session no longer exists.', data: null });
    }
    if (u.pathname === '/session/heartbeat') return json(res, { success: true, data: null });
    // statement.cancel() before the query id is known (docs: the driver's sendCancelStatement): the request id names it.
    if (u.pathname === '/queries/v1/abort-request') {
      const h = held.get(String(body.requestId ?? ''));
      if (h) {
        held.delete(String(body.requestId));
        h.cancel();
      }
      return json(res, { success: true, code: null, message: null, data: null });
    }
    if (u.pathname === '/queries/v1/query-request') {
      if (state.expire > 0) {
        state.expire--;
        return json(res, { data: null, code: '390112', message: 'Your session has expired. Please login again.', success: false });
      }
      return query(req, res, s, body, u.searchParams.get('requestId') ?? '');
    }
    json(res, { success: false, code: '000404', message: `not emulated: ${u.pathname}`, data: { sqlState: '0A000' } });
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) fail(res, '000603', `emulator error: ${String(e)}`, 'XX000');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const accessUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    accessUrl,
    account: opts.account ?? 'emulator',
    statements,
    alerts,
    get logins() {
      return logins;
    },
    get staleSessionRequests() {
      return staleSessionRequests;
    },
    get held() {
      return held.size;
    },
    faults: {
      refuseLogin: (times = 1) => void (state.refuseLogin += times),
      failStatement: (m, o = {}) => void state.fail.push({ m, code: o.code ?? '100038', message: o.message ?? 'Numeric value is not recognized', sqlState: o.sqlState ?? '22018', left: o.times ?? 1 }),
      dropConnection: (m, times = 1) => void state.drop.push({ m, left: times }),
      holdStatement: (m, times = 1) => void state.hold.push({ m, left: times }),
      expireSession: (times = 1) => void (state.expire += times),
    },
    async seedTasks(tasks, history) {
      const insert = async (table: string, cols: string[], rows: readonly Record<string, unknown>[]) => {
        for (let i = 0; i < rows.length; i += 500) {
          const part = rows.slice(i, i + 500);
          let p = 0;
          const values = part.map(() => `(${cols.map(() => `$${++p}`).join(', ')})`).join(', ');
          const params = part.flatMap((r) => cols.map((c) => (r[c] instanceof Date ? (r[c] as Date).toISOString() : (r[c] ?? null))));
          await admin.run(`INSERT INTO ${table} (${cols.join(', ')}) VALUES ${values}`, params as never);
        }
      };
      await admin.run(`CREATE TABLE IF NOT EXISTS main.sf_tasks (${TASK_COLUMNS})`);
      await admin.run(`CREATE TABLE IF NOT EXISTS main.sf_task_history (${HISTORY_COLUMNS})`);
      await insert('main.sf_tasks', ['id', 'name', 'database_name', 'schema_name', 'owner', 'warehouse', 'schedule', 'state', 'definition', 'condition', 'predecessors'], tasks as unknown as Record<string, unknown>[]);
      await insert('main.sf_task_history', HISTORY_COLUMNS.split(', ').map((c) => c.split(' ')[0]!), history as unknown as Record<string, unknown>[]);
    },
    async sql(text) {
      return (await admin.runAndReadAll(translate(text))).getRowObjectsJS() as Record<string, unknown>[];
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      for (const s of sessions.values()) s.conn.closeSync();
      admin.closeSync();
      instance.closeSync();
    },
  };
}
