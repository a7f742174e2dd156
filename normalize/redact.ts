// Secrets that show up in run data (connection strings, tokens in error text, signed URLs) are redacted before
// anything is stored, logged or mailed. Patterns are deliberately broad: a false positive costs a few characters
// of an error message, a false negative leaks a credential into the audit table.

const REDACTED = '[REDACTED]';

// Each pattern has a cheap guard (a substring the match must contain), so that the common case, text with no
// secret at all, costs a few `includes` calls instead of a dozen regular-expression scans.
const PATTERNS: [guard: RegExp, pattern: RegExp, replacement: string][] = [
  // PEM private keys
  [/PRIVATE KEY/, /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g, REDACTED],
  // Authorization headers and bearer/basic tokens
  [/bearer|basic|token=/i, /\b(Bearer|Basic|Snowflake Token=)\s*["']?[A-Za-z0-9._~+/=-]{8,}["']?/gi, `$1 ${REDACTED}`],
  // JWTs
  [/eyJ/, /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}/g, REDACTED],
  // Vendor token shapes: Databricks PATs, OpenAI keys, GitHub tokens, Slack tokens, AWS access key ids
  [/dapi/i, /\bdapi[0-9a-f]{32}(-\d)?\b/gi, REDACTED],
  [/sk-/, /\bsk-[A-Za-z0-9_-]{16,}/g, REDACTED],
  [/gh[pousr]_/, /\bgh[pousr]_[A-Za-z0-9]{20,}/g, REDACTED],
  [/xox/, /\bxox[abprs]-[A-Za-z0-9-]{10,}/g, REDACTED],
  [/AKIA|ASIA/, /\b(AKIA|ASIA)[0-9A-Z]{16}\b/g, REDACTED],
  // user:password@host in URLs and JDBC/ODBC strings
  [/:\/\/[^\s]*@/, /(\b[a-z][a-z0-9+.-]*:\/\/)([^\s:/@'"]+):([^\s@'"]+)@/gi, `$1$2:${REDACTED}@`],
  // key=value and "key": "value" pairs whose key names a secret
  [
    /pass|pwd|secret|key|token|sas|sig|credential|auth/i,
    /((?:password|passwd|pwd|secret|client_secret|api[_-]?key|access[_-]?key|account[_-]?key|token|access_token|refresh_token|sas|sig|signature|private[_-]?key|credential|auth)["']?\s*[:=]\s*["']?)([^\s"'&;,}]{1,})/gi,
    `$1${REDACTED}`,
  ],
];

/** Returns the text with secret-looking substrings replaced, plus any literal secrets given. */
export function redact(text: string, literals: readonly string[] = []): string {
  let out = text;
  for (const lit of literals) {
    if (lit.length >= 4 && out.includes(lit)) out = out.split(lit).join(REDACTED);
  }
  if (out.length < 6) return out;
  for (const [guard, re, rep] of PATTERNS) if (guard.test(out)) out = out.replace(re, rep);
  return out;
}

/** Redacts every string inside a JSON-like value (a copy; the input is untouched). */
export function redactDeep<T>(value: T, literals: readonly string[] = []): T {
  if (typeof value === 'string') return redact(value, literals) as T;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, literals)) as T;
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = redactDeep(v, literals);
    return out as T;
  }
  return value;
}

/**
 * Bounds an error text while keeping what matters: the head (what failed) and the tail (a Spark or Java root
 * cause is the last "Caused by"). The middle is replaced by a marker saying how much was cut.
 */
export function headTail(text: string, max = 4000): string {
  if (text.length <= max) return text;
  const marker = `\n…[${text.length - max} characters cut]…\n`;
  const keep = max - marker.length;
  const head = Math.ceil(keep * 0.4);
  return text.slice(0, head) + marker + text.slice(text.length - (keep - head));
}

const SECRET_QUERY = /^(code|token|access_token|refresh_token|client_secret|secret|password|sig|signature|api[_-]?key|key)$/i;

/** URL for messages: no user info, secret-looking query values masked. */
export function safeUrl(url: string | URL): string {
  try {
    const u = new URL(url.toString());
    u.username = '';
    u.password = '';
    for (const k of [...u.searchParams.keys()]) if (SECRET_QUERY.test(k)) u.searchParams.set(k, 'REDACTED');
    return u.toString();
  } catch {
    return redact(String(url));
  }
}
