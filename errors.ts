// The few typed errors of pipeline-audit. Each leads with what to do, keeps its `cause`, and says whether a retry
// could help. Library code throws these; only bin/ maps them to exit codes and text.

export type ErrorKind = 'config' | 'http' | 'collector' | 'store' | 'snowflake' | 'delivery' | 'schema-version' | 'lease' | 'internal';

export class PipelineAuditError extends Error {
  readonly kind: ErrorKind;
  readonly isRetryable: boolean;
  constructor(kind: ErrorKind, message: string, options: { cause?: unknown; isRetryable?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.kind = kind;
    this.isRetryable = options.isRetryable ?? false;
  }
}

export interface ConfigIssue {
  /** The environment variable or config-file path the problem is about, e.g. `DATABRICKS_TOKEN` or `databricks.workspaces[1].host`. */
  variable: string;
  message: string;
}

/** Every configuration problem found, reported at once. */
export class ConfigError extends PipelineAuditError {
  readonly issues: ConfigIssue[];
  constructor(issues: ConfigIssue[], options: { cause?: unknown } = {}) {
    const lines = issues.map((i) => `  - ${i.variable}: ${i.message}`).join('\n');
    super('config', `Fix the configuration (${issues.length} problem${issues.length === 1 ? '' : 's'}):\n${lines}`, options);
    this.issues = issues;
  }
}

export interface HttpErrorDetails {
  status: number | null;
  method: string;
  /** URL with credentials and secret-looking query parameters removed. */
  url: string;
  /** First few hundred characters of the response body, secrets redacted. */
  bodySnippet: string | null;
  /** Network-level code such as ECONNREFUSED or UND_ERR_HEADERS_TIMEOUT. */
  code?: string | undefined;
}

export class HttpError extends PipelineAuditError {
  readonly status: number | null;
  readonly method: string;
  readonly url: string;
  readonly bodySnippet: string | null;
  readonly code: string | undefined;
  constructor(message: string, details: HttpErrorDetails, options: { cause?: unknown; isRetryable?: boolean } = {}) {
    super('http', message, options);
    this.status = details.status;
    this.method = details.method;
    this.url = details.url;
    this.bodySnippet = details.bodySnippet;
    this.code = details.code;
  }
}

/** A collector could not read a platform scope (auth refused, malformed answers, ...). */
export class CollectorError extends PipelineAuditError {
  readonly platform: string;
  readonly scope: string;
  constructor(platform: string, scope: string, message: string, options: { cause?: unknown; isRetryable?: boolean } = {}) {
    super('collector', message, options);
    this.platform = platform;
    this.scope = scope;
  }
}

/** The store could not be read or written. */
export class StoreError extends PipelineAuditError {
  constructor(message: string, options: { cause?: unknown; isRetryable?: boolean } = {}) {
    super('store', message, options);
  }
}

/**
 * A Snowflake connection or statement failed (the store's or a monitored account's). The store turns it into a
 * StoreError, the Tasks collector into a scope failure: the wrapper itself does not know who it serves.
 */
export class SnowflakeError extends PipelineAuditError {
  readonly code: string | null;
  readonly sqlState: string | null;
  constructor(message: string, details: { code?: string | null; sqlState?: string | null }, options: { cause?: unknown; isRetryable?: boolean } = {}) {
    super('snowflake', message, options);
    this.code = details.code ?? null;
    this.sqlState = details.sqlState ?? null;
  }
}

/** The store's schema is behind (or ahead of) this version of pipeline-audit. */
export class SchemaVersionError extends PipelineAuditError {
  readonly found: number;
  readonly expected: number;
  constructor(found: number, expected: number) {
    super(
      'schema-version',
      found < expected
        ? `The audit schema is at version ${found}, this pipeline-audit needs ${expected}: run \`pipeline-audit init\` with a role that may create tables.`
        : `The audit schema is at version ${found}, newer than this pipeline-audit understands (${expected}): upgrade pipeline-audit.`,
    );
    this.found = found;
    this.expected = expected;
  }
}

/** Another cycle holds the store's write lease. */
export class LeaseError extends PipelineAuditError {
  readonly holder: string;
  /** When the lease lapses unless renewed; null when another process holds the store's file itself (DuckDB). */
  readonly expiresAt: Date | null;
  constructor(holder: string, expiresAt: Date | null, options: { cause?: unknown } = {}) {
    super(
      'lease',
      expiresAt
        ? `Another audit cycle (${holder}) is writing to the store; its lease lapses at ${expiresAt.toISOString()} unless it is still running and renews it (a cycle that died lets it lapse then). Run again after that.`
        : `Another process (${holder}) has the store open for writing; nothing was collected. Run again when it has finished.`,
      { isRetryable: true, ...options },
    );
    this.holder = holder;
    this.expiresAt = expiresAt;
  }
}

/**
 * Duck-typed: errors from another realm (Node's internals seen from a vm context, as under jest) fail
 * `instanceof Error` and would lose their cause chain.
 */
function isErrorLike(e: unknown): e is Error & { code?: unknown; errors?: unknown } {
  return typeof e === 'object' && e !== null && typeof (e as { message?: unknown }).message === 'string';
}

/** One error's own text: its message, or its code or name when the message is empty. */
function ownText(e: unknown): string {
  if (!isErrorLike(e)) return String(e);
  const parts = Array.isArray(e.errors) ? [...new Set(e.errors.map((x) => ownText(x)))].slice(0, 3) : [];
  if (parts.length > 0) return [e.message, parts.join('; ')].filter(Boolean).join(': ');
  return e.message || (typeof e.code === 'string' ? e.code : e.name);
}

/**
 * The message with its cause chain, each cause once: "GET http://h/x failed before a response: fetch failed: connect
 * ECONNREFUSED 127.0.0.1:1". A wrapper's message rarely says why (fetch's is "fetch failed"); the root cause does.
 * Passwords in URLs are masked here (this file imports nothing; callers apply the full redaction on top).
 */
export function errorMessage(e: unknown): string {
  let text = ownText(e);
  let cause = isErrorLike(e) ? e.cause : undefined;
  for (let depth = 0; cause !== undefined && cause !== null && depth < 5; depth++) {
    const t = ownText(cause);
    if (t && !text.includes(t)) text += `: ${t}`;
    cause = isErrorLike(cause) ? cause.cause : undefined;
  }
  return text.replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@'"]+):[^\s@'"]+@/gi, '$1:[REDACTED]@');
}
