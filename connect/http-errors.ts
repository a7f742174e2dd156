// What an HTTP failure says, bounded and redacted: the vendor's own error message from an error body, and the
// cause chain of a request that got no response. Without them an error reads "answered HTTP 400" or
// "(TypeError)", and the one sentence that says what is wrong (a refused OData column, ECONNREFUSED) is lost.
import { redact } from '../normalize/redact.js';
import { truncate, wellFormed } from '../normalize/text.js';

/** Longest vendor message kept in an error message, and longest raw body snippet kept beside it. */
export const MAX_VENDOR_MESSAGE = 300;
export const MAX_BODY_SNIPPET = 500;
// Only this much of an error body is looked at: enough for any error document, and redaction's regexes never
// run over a multi-megabyte body. The snippet kept is far shorter, so a secret cut at this edge is never shown.
const MAX_BODY_SCANNED = 64 * 1024;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null);

/** One line, well-formed, redacted, then bounded: redaction first, so a cut never leaves half a secret behind. */
export function cleanVendorText(s: string, secrets: readonly string[], max: number): string {
  const oneLine = wellFormed(s).replace(/[\s\u0085\u2028\u2029]+/g, ' ').trim();
  return truncate(redact(oneLine, secrets), max);
}

/**
 * The vendor's error message in a JSON error body, in the shapes the monitored platforms use: OData
 * `{"error":{"code","message"}}` (Dataverse, Graph), RFC 9457 problem details `detail`/`title` (Airbyte),
 * Databricks `{"error_code","message"}`, OAuth 2.0 `{"error","error_description"}` (RFC 6749 §5.2).
 * Null when the body is not JSON or none of these fields is there. Not redacted or bounded: see `vendorMessage`.
 */
export function extractVendorMessage(body: unknown): string | null {
  if (!isObject(body)) return null;
  const join = (code: string | null, message: string | null) => (message ? (code && !message.includes(code) ? `${code}: ${message}` : message) : code);
  if (isObject(body.error)) {
    const inner = body.error;
    return join(text(inner.code), text(inner.message));
  }
  const oauth = text(body.error_description);
  if (oauth) return join(text(body.error), oauth);
  if (text(body.error_code) || (text(body.message) && !text(body.detail))) return join(text(body.error_code), text(body.message));
  const detail = text(body.detail);
  const title = text(body.title);
  if (detail) return title && !detail.includes(title) ? `${title}: ${detail}` : detail;
  return title ?? text(body.error);
}

/** The vendor's message from a raw error body, redacted and bounded, or null. */
export function vendorMessage(raw: string, secrets: readonly string[]): string | null {
  if (raw.length === 0) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.length > MAX_BODY_SCANNED ? raw.slice(0, MAX_BODY_SCANNED) : raw);
  } catch {
    return null;
  }
  const m = extractVendorMessage(parsed);
  return m === null ? null : cleanVendorText(m, secrets, MAX_VENDOR_MESSAGE);
}

/** A raw body snippet for the error's `bodySnippet`: redacted, then cut on a code point (never the reverse). */
export function bodySnippet(raw: string, secrets: readonly string[], max = MAX_BODY_SNIPPET): string | null {
  if (raw.length === 0) return null;
  const scanned = raw.length > MAX_BODY_SCANNED ? raw.slice(0, MAX_BODY_SCANNED) : raw;
  return truncate(redact(wellFormed(scanned), secrets), max) || null;
}

/**
 * The cause chain of a failed fetch as one line: undici throws `TypeError: fetch failed` whose `cause` holds the
 * socket error (`connect ECONNREFUSED 127.0.0.1:1`, `getaddrinfo ENOTFOUND host`, a TLS error), sometimes an
 * AggregateError of one attempt per address. Codes are added where the message does not already name them.
 */
export function causeChain(e: unknown, secrets: readonly string[] = [], max = 400): string {
  const parts: string[] = [];
  const seen = new Set<unknown>();
  const describe = (err: unknown): string | null => {
    if (!isObject(err) && !(err instanceof Error)) return err == null ? null : String(err);
    const o = err as { message?: unknown; code?: unknown; name?: unknown };
    const message = typeof o.message === 'string' ? o.message.trim() : '';
    const code = typeof o.code === 'string' ? o.code : '';
    if (message && code && !message.includes(code)) return `${code} ${message}`;
    return message || code || (typeof o.name === 'string' ? o.name : null);
  };
  let cur: unknown = e;
  for (let depth = 0; cur != null && depth < 6 && !seen.has(cur); depth++) {
    seen.add(cur);
    const d = describe(cur);
    if (d && !parts.includes(d)) parts.push(d);
    const errors = (cur as { errors?: unknown }).errors;
    if (Array.isArray(errors)) {
      for (const sub of errors.slice(0, 3)) {
        const s = describe(sub);
        if (s && !parts.includes(s)) parts.push(s);
      }
    }
    cur = (cur as { cause?: unknown }).cause;
  }
  return cleanVendorText(parts.join(': ') || 'unknown error', secrets, max);
}
