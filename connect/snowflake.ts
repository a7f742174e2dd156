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

/** How long close() waits for the logout before it lets the connection go (a host that no longer answers). */
const CLOSE_WAIT_MS = 5_000;
/** setTimeout's largest delay; a longer one would fire at once. */
const MAX_TIMER_MS = 2_147_483_647;

export interface SnowflakeOpenOptions {
  queryTag: string;
  /**
   * The latest moment a statement may still be running (the cycle's time limit), or a function giving it (null: no
   * limit). Each statement is limited to what is left when it starts; one still running then is cancelled and
   * rejects with a retryable SnowflakeError; once it has passed, statements are refused before they are sent.
   */
  deadline?: Date | (() => Date | null) | undefined;
  /** The same as a deadline, as a signal (a collector's `ctx.signal`): when it aborts, statements stop. */
  signal?: AbortSignal | undefined;
  /** The clock the deadline is read against (the cycle's). */
  now?: (() => Date) | undefined;
}

/**
 * Why a deadline: the driver retries a request that gets no answer (a reset, a timeout, 5xx) with backoff up to 16 s
 * and up to 1000 times, and none of that is settable in 3.x (sfRetryMaxNumRetries is not a connection option), so an
 * outage would hold each statement far beyond the cycle's limit. The wrapper therefore races each statement against
 * the time left, cancels it on the server (statement.cancel(): Snowflake answers the waiting request with 000604),
 * and caps the session's STATEMENT_TIMEOUT_IN_SECONDS by the time left at login. The per-request HTTP timeout stays
 * the driver's (90 s): a shorter one would not end anything, only make the driver re-send the statement, which a
 * cancel sent meanwhile no longer reaches.
 * What it cannot do is stop the driver's retry loop of a request that was sent and never answered: that goes on in
 * the background until the connection is closed and the loop notices (snowflake-protocol.md §9, §11).
 */
export async function openSnowflake(settings: SnowflakeSettings, opts: SnowflakeOpenOptions): Promise<SnowflakeSession> {
  if (!TAG.test(opts.queryTag)) throw new SnowflakeError(`invalid query tag '${opts.queryTag}' (letters, digits and . _ : / @ + - only)`, {});
  const secrets = [settings.password ?? '', settings.privateKeyPassphrase ?? ''];
  const limit = timeLimit(opts);
  limit.check('login');
  const { default: snowflake } = await import('snowflake-sdk');
  const privateKey = settings.privateKey ?? (settings.privateKeyPath ? await readFile(settings.privateKeyPath, 'utf8') : undefined);
  const authenticator = settings.authenticator ?? (privateKey ? 'SNOWFLAKE_JWT' : 'SNOWFLAKE');
  const leftAtLogin = limit.remainingMs();
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
  const destroy = () =>
    new Promise<void>((resolve) => {
      const t = setTimeout(resolve, CLOSE_WAIT_MS);
      t.unref();
      try {
        conn.destroy(() => {
          clearTimeout(t);
          resolve();
        });
      } catch {
        clearTimeout(t); // never connected: nothing to log out of
        resolve();
      }
    });
  try {
    // The callback form: it is what reports a refused login (the promise form resolves regardless, 3.x).
    await limit.race('login', new Promise<void>((resolve, reject) => conn.connect((err) => (err ? reject(err) : resolve()))), () => void destroy());
  } catch (e) {
    if (e instanceof SnowflakeError) throw e;
    throw driverError(`login as ${settings.username} to ${settings.account}`, e, secrets);
  }
  const run = <T>(sqlText: string, binds?: readonly unknown[] | readonly (readonly unknown[])[]): Promise<T[]> => {
    const what = sqlText.split(/\s+/).slice(0, 3).join(' ');
    try {
      limit.check(what);
    } catch (e) {
      return Promise.reject(e);
    }
    let stmt: { cancel(cb?: () => void): void } | undefined;
    const done = new Promise<T[]>((resolve, reject) => {
      stmt = conn.execute({
        sqlText,
        ...(binds && binds.length > 0 ? { binds: binds as never } : {}),
        complete: (err, _stmt, rows) => (err ? reject(driverError(what, err, secrets)) : resolve((rows ?? []) as T[])),
      });
    });
    // Cancelled on the server (best effort: in an outage the cancel does not arrive either, and nothing waits for it).
    return limit.race(what, done, () => stmt?.cancel(() => undefined));
  };
  try {
    // The server stops a statement by itself at the time left too, even if this client is gone by then.
    const statementSeconds = Math.min(Math.floor(settings.statementTimeoutSeconds ?? 300), Math.max(1, Math.ceil(leftAtLogin / 1000)));
    // One statement: ALTER SESSION SET takes several parameters, separated by blanks
    // (docs.snowflake.com/en/sql-reference/sql/alter-session).
    await run(
      `ALTER SESSION SET TIMEZONE = 'UTC' QUERY_TAG = '${opts.queryTag}' STATEMENT_TIMEOUT_IN_SECONDS = ${statementSeconds} STATEMENT_QUEUED_TIMEOUT_IN_SECONDS = ${Math.floor(settings.queueTimeoutSeconds ?? 120)}`,
    );
  } catch (e) {
    await destroy();
    throw e;
  }
  return { query: run, close: destroy };
}

interface TimeLimit {
  /** Milliseconds left (Infinity without a limit; 0 or less once it has passed). */
  remainingMs(): number;
  /** Throws the time-limit error when no time is left. */
  check(what: string): void;
  /** `work`, or the time-limit error when the time runs out first (then `onTimeout` runs). */
  race<T>(what: string, work: Promise<T>, onTimeout: () => void): Promise<T>;
}

function timeLimit(opts: SnowflakeOpenOptions): TimeLimit {
  const now = opts.now ?? (() => new Date());
  const deadline = (): Date | null => (typeof opts.deadline === 'function' ? opts.deadline() : (opts.deadline ?? null));
  const remainingMs = () => {
    if (opts.signal?.aborted) return 0;
    const d = deadline();
    return d ? d.getTime() - now().getTime() : Infinity;
  };
  const error = (what: string) => {
    const d = deadline();
    const when = opts.signal?.aborted || !d ? '' : ` (${d.toISOString()})`;
    return new SnowflakeError(`Snowflake: ${what} stopped: the cycle's time limit was reached${when} before Snowflake answered`, { code: null, sqlState: null }, { isRetryable: true, ...(opts.signal?.aborted ? { cause: opts.signal.reason } : {}) });
  };
  return {
    remainingMs,
    check(what) {
      if (remainingMs() <= 0) throw error(what);
    },
    race(what, work, onTimeout) {
      const left = remainingMs();
      if (left === Infinity && !opts.signal) return work;
      return new Promise((resolve, reject) => {
        let settled = false;
        const stop = () => {
          if (settled) return;
          settled = true;
          if (timer) clearTimeout(timer);
          opts.signal?.removeEventListener('abort', stop);
          onTimeout();
          reject(error(what));
        };
        const timer = left === Infinity ? undefined : setTimeout(stop, Math.min(Math.max(0, left), MAX_TIMER_MS));
        opts.signal?.addEventListener('abort', stop, { once: true });
        work.then(
          (v) => {
            if (settled) return;
            settled = true;
            if (timer) clearTimeout(timer);
            opts.signal?.removeEventListener('abort', stop);
            resolve(v);
          },
          (e: unknown) => {
            if (settled) return;
            settled = true;
            if (timer) clearTimeout(timer);
            opts.signal?.removeEventListener('abort', stop);
            reject(e as Error);
          },
        );
      });
    },
  };
}
