// The one place that talks to snowflake-sdk (loaded on first use). Sessions are set to UTC, tagged with a query tag
// naming the tool, its version and the cycle, and bounded by statement and queue timeouts, so that a busy shared
// warehouse cannot eat the scheduled job.
// Library use: the driver's settings (`snowflake.configure`: log level, proxy, platform detection) are process-wide.
// pipeline-audit never calls configure(), so a host application's settings stay as it made them; the driver's
// own default logging (a `snowflake.log` file at its default level) is the host's to configure.
import { readFile } from 'node:fs/promises';
import { SnowflakeError } from '../errors.js';

export interface SnowflakeSettings {
  account: string;
  username: string;
  password?: string | undefined;
  privateKey?: string | undefined;
  privateKeyPath?: string | undefined;
  privateKeyPassphrase?: string | undefined;
  authenticator?: string | undefined;
  role?: string | undefined;
  warehouse?: string | undefined;
  /** The session's current database and schema (login parameters): unqualified names resolve there. */
  database?: string | undefined;
  schema?: string | undefined;
  accessUrl?: string | undefined;
  statementTimeoutSeconds?: number | undefined;
  queueTimeoutSeconds?: number | undefined;
  loginRetries?: number | undefined;
}

export interface SnowflakeSession {
  query<T = Record<string, unknown>>(sqlText: string, binds?: readonly unknown[] | readonly (readonly unknown[])[]): Promise<T[]>;
  close(): Promise<void>;
}

interface DriverError {
  code?: string | number;
  sqlState?: string;
  message?: string;
}

/** Driver error → SnowflakeError: compilation (00xxxx) and data (100xxx) errors are final, the rest may pass. */
export function driverError(what: string, e: unknown, secrets: readonly string[] = []): SnowflakeError {
  const d = (e ?? {}) as DriverError;
  let msg = String(d.message ?? e).split('\n')[0] ?? '';
  for (const s of secrets) if (s) msg = msg.split(s).join('[REDACTED]');
  const code = d.code === undefined ? '' : String(d.code);
  // Final: syntax and compilation errors (001xxx, 002xxx, 000904), no current database (090105), data errors (100xxx)
  // and refused logins. The rest,
  // statement timeouts (000630), a suspended warehouse, a lost session, the network, may pass on a later try.
  const final = /^(001\d{3}|002\d{3}|000904|090105|100\d{3}|390100|390144|394304)$/.test(code);
  return new SnowflakeError(`Snowflake: ${what} failed${code ? ` (${code}${d.sqlState ? `/${d.sqlState}` : ''})` : ''}: ${msg}`, { code: code || null, sqlState: d.sqlState ?? null }, { cause: e, isRetryable: !final });
}

const TAG = /^[A-Za-z0-9 ._:/@+-]{1,200}$/;

/**
 * Array binds of more values (rows × columns) than this would be uploaded to a temporary stage (CREATE STAGE + PUT)
 * instead of sent inline. The driver takes the threshold from the connection option `arrayBindingThreshold` when
 * set, otherwise from the CLIENT_STAGE_ARRAY_BINDING_THRESHOLD parameter the server sends at login (its own default
 * of 100,000 applies only when the server sends none), so it is set here explicitly: the stage path needs
 * privileges and egress that locked-down accounts refuse, and its CREATE STAGE is DDL, which would commit an open
 * transaction. Callers keep each array bind at or under it (the store chunks its INSERTs). Snowflake caps one
 * request's payload at 128 MB (docs.snowflake.com/en/developer-guide/node-js/nodejs-driver-execute); 100,000
 * values of the store's rows stay far below that. See snowflake-protocol.md §7.
 */
export const ARRAY_BIND_THRESHOLD = 100_000;

export async function openSnowflake(settings: SnowflakeSettings, opts: { queryTag: string }): Promise<SnowflakeSession> {
  if (!TAG.test(opts.queryTag)) throw new SnowflakeError(`invalid query tag '${opts.queryTag}' (letters, digits and . _ : / @ + - only)`, {});
  const secrets = [settings.password ?? '', settings.privateKeyPassphrase ?? ''];
  const { default: snowflake } = await import('snowflake-sdk');
  const privateKey = settings.privateKey ?? (settings.privateKeyPath ? await readFile(settings.privateKeyPath, 'utf8') : undefined);
  const authenticator = settings.authenticator ?? (privateKey ? 'SNOWFLAKE_JWT' : 'SNOWFLAKE');
  const conn = snowflake.createConnection({
    account: settings.account,
    username: settings.username,
    authenticator,
    ...(settings.password && authenticator === 'SNOWFLAKE' ? { password: settings.password } : {}),
    ...(privateKey && authenticator === 'SNOWFLAKE_JWT' ? { privateKey } : {}),
    ...(settings.privateKeyPassphrase ? { privateKeyPass: settings.privateKeyPassphrase } : {}),
    ...(settings.role ? { role: settings.role } : {}),
    ...(settings.warehouse ? { warehouse: settings.warehouse } : {}),
    // Without them a user with no DEFAULT_NAMESPACE has no current database, and any unqualified name fails with
    // 090105 "This session does not have a current database". (The store qualifies every name anyway.)
    ...(settings.database ? { database: settings.database } : {}),
    ...(settings.schema ? { schema: settings.schema } : {}),
    arrayBindingThreshold: ARRAY_BIND_THRESHOLD,
    ...(settings.accessUrl ? { accessUrl: settings.accessUrl } : {}),
    sfRetryMaxLoginRetries: settings.loginRetries ?? 2,
  });
  try {
    // The callback form: it is what reports a refused login (the promise form resolves regardless, 3.x).
    await new Promise<void>((resolve, reject) => conn.connect((err) => (err ? reject(err) : resolve())));
  } catch (e) {
    throw driverError(`login as ${settings.username} to ${settings.account}`, e, secrets);
  }
  const run = <T>(sqlText: string, binds?: readonly unknown[] | readonly (readonly unknown[])[]) =>
    new Promise<T[]>((resolve, reject) => {
      conn.execute({
        sqlText,
        ...(binds && binds.length > 0 ? { binds: binds as never } : {}),
        complete: (err, _stmt, rows) => (err ? reject(driverError(sqlText.split(/\s+/).slice(0, 3).join(' '), err, secrets)) : resolve((rows ?? []) as T[])),
      });
    });
  await run(`ALTER SESSION SET TIMEZONE = 'UTC'`);
  await run(`ALTER SESSION SET QUERY_TAG = '${opts.queryTag}'`);
  await run(`ALTER SESSION SET STATEMENT_TIMEOUT_IN_SECONDS = ${Math.floor(settings.statementTimeoutSeconds ?? 300)}`);
  await run(`ALTER SESSION SET STATEMENT_QUEUED_TIMEOUT_IN_SECONDS = ${Math.floor(settings.queueTimeoutSeconds ?? 120)}`);
  return {
    query: run,
    close: () =>
      new Promise<void>((resolve) => {
        conn.destroy(() => resolve());
      }),
  };
}
